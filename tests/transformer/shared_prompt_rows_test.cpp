// Responses packed behind their shared prompt: the rows' layout and response tokens, and
// rewards and gradients equal to those of reading each sequence alone, for both model
// families.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "paddock/error.hpp"
#include "paddock/torch/shared_prompt_rows.hpp"
#include "tiny_transformer.hpp"

namespace paddock {
namespace {

std::vector<std::int64_t> tokens(std::int64_t first, std::size_t count) {
  std::vector<std::int64_t> ids(count);
  for (std::size_t i = 0; i < count; ++i) ids[i] = first + static_cast<std::int64_t>(i * 7 % 40);
  return ids;
}

std::vector<std::int64_t> joined(std::vector<std::int64_t> prompt,
                                 const std::vector<std::int64_t>& response) {
  prompt.insert(prompt.end(), response.begin(), response.end());
  return prompt;
}

// Five responses to prompt A, one to B, one cut at the front (no prompt) and one that is all
// prompt, interleaved.
struct Sequences {
  std::vector<std::vector<std::int64_t>> ids;
  std::vector<PromptedSequence> view;
};

Sequences mixed_sequences() {
  const auto a = tokens(3, 6), b = tokens(5, 4);
  Sequences s;
  s.ids = {
      joined(a, tokens(10, 3)), joined(b, tokens(11, 5)), joined(a, tokens(12, 1)), tokens(13, 9),
      joined(a, tokens(14, 4)), joined(a, tokens(15, 2)), joined(a, tokens(16, 6)), a};
  const std::vector<std::int64_t> prompt_lengths = {6, 4, 6, 0, 6, 6, 6, 6};
  for (std::size_t i = 0; i < s.ids.size(); ++i) s.view.push_back({&s.ids[i], prompt_lengths[i]});
  return s;
}

TEST(SharedPromptRows, PromptsAreReadOncePerRowOfAtMostFourResponses) {
  const Sequences s = mixed_sequences();
  const SharedPromptRows rows = pack_shared_prompts(s.view, /*pad_token_id=*/1, torch::kCPU);
  // A with four responses, A's fifth alone, B, the cut one, the all-prompt one.
  ASSERT_EQ(rows.ids.size(0), 5);
  const std::int64_t width = rows.ids.size(1);
  EXPECT_EQ(width, 6 + 3 + 1 + 4 + 2);
  const auto row_mask = [&](std::int64_t r) {
    const auto row = rows.mask[r];
    return std::vector<std::int64_t>(row.data_ptr<std::int64_t>(),
                                     row.data_ptr<std::int64_t>() + width);
  };
  EXPECT_EQ(row_mask(0),
            std::vector<std::int64_t>({-1, -1, -1, -1, -1, -1, 1, 1, 1, 2, 3, 3, 3, 3, 4, 4}));
  EXPECT_EQ(row_mask(1),
            std::vector<std::int64_t>({1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0}));
  EXPECT_EQ(row_mask(3),
            std::vector<std::int64_t>({1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(rows.ids[1][12].item<std::int64_t>(), 1) << "padding";
  const std::vector<std::int64_t> last = {0 * width + 8,  2 * width + 8,  0 * width + 9,
                                          3 * width + 8,  0 * width + 13, 0 * width + 15,
                                          1 * width + 11, 4 * width + 5};
  EXPECT_TRUE(torch::equal(rows.last_positions, torch::tensor(last, torch::kLong)));
  EXPECT_EQ(rows.tokens, 16 + 12 + 9 + 9 + 6);
  // Row 0's response tokens; a response's first is predicted from the prompt's last (5).
  ASSERT_EQ(rows.target_positions.size(0), 10 + 6 + 5 + 8);  // the all-prompt one has none
  const auto first_ten = [](const torch::Tensor& values) {
    return std::vector<std::int64_t>(values.data_ptr<std::int64_t>(),
                                     values.data_ptr<std::int64_t>() + 10);
  };
  EXPECT_EQ(first_ten(rows.target_positions),
            std::vector<std::int64_t>({6, 7, 8, 9, 10, 11, 12, 13, 14, 15}));
  EXPECT_EQ(first_ten(rows.predicting_positions),
            std::vector<std::int64_t>({5, 6, 7, 5, 5, 10, 11, 12, 5, 14}));
  EXPECT_EQ(first_ten(rows.target_sequences),
            std::vector<std::int64_t>({0, 0, 0, 2, 4, 4, 4, 4, 5, 5}));
  // The cut sequence (row 3, no prompt): every token after its first, each from the one
  // before.
  EXPECT_EQ(rows.target_positions[21].item<std::int64_t>(), 3 * width + 1);
  EXPECT_EQ(rows.predicting_positions[21].item<std::int64_t>(), 3 * width);
  EXPECT_THROW(pack_shared_prompts({}, 1, torch::kCPU), Error);
  const std::vector<std::int64_t> nothing;
  EXPECT_THROW(pack_shared_prompts({{&nothing, 0}}, 1, torch::kCPU), Error);
}

class SharedPromptRewards : public ::testing::TestWithParam<transformer::ModelFamily> {};

// The reward of each sequence, and the gradient of a weighted sum of them, are what reading
// each sequence alone gives.
TEST_P(SharedPromptRewards, EqualReadingEachSequenceAlone) {
  testing::TinyTransformerSpec spec;
  spec.family = GetParam();
  spec.kv_heads = GetParam() == transformer::ModelFamily::llama ? 2 : 4;
  auto model = testing::tiny_transformer(spec);
  model->add_reward_head();
  model->set_training(true);
  {
    torch::NoGradGuard no_grad;
    torch::manual_seed(3);
    for (torch::Tensor& parameter : model->parameters())
      if (parameter.dim() == 2 && parameter.size(0) == 1) parameter.normal_(0, 0.5);  // the head
  }
  const Sequences s = mixed_sequences();
  const auto weights = torch::linspace(-1.0, 1.0, static_cast<std::int64_t>(s.view.size()));
  const auto gradients_of = [&](const torch::Tensor& rewards) {
    for (torch::Tensor& parameter : model->parameters()) parameter.mutable_grad() = torch::Tensor();
    (rewards * weights).sum().backward();
    std::vector<torch::Tensor> gradients;
    for (torch::Tensor& parameter : model->parameters()) gradients.push_back(parameter.grad());
    return gradients;
  };
  const auto packed = shared_prompt_rewards(*model, pack_shared_prompts(s.view, 1, torch::kCPU));
  const auto packed_gradients = gradients_of(packed);
  std::vector<torch::Tensor> alone;
  for (const PromptedSequence& sequence : s.view)
    alone.push_back(shared_prompt_rewards(*model, pack_shared_prompts({sequence}, 1, torch::kCPU)));
  const auto alone_rewards = torch::cat(alone);
  const auto alone_gradients = gradients_of(alone_rewards);
  EXPECT_LT((packed - alone_rewards).abs().max().item<double>(), 1e-5);
  EXPECT_GT(alone_rewards.abs().max().item<double>(), 1e-3) << "the head should score";
  ASSERT_EQ(packed_gradients.size(), alone_gradients.size());
  for (std::size_t k = 0; k < packed_gradients.size(); ++k) {
    ASSERT_TRUE(packed_gradients[k].defined()) << "parameter " << k;
    const double scale = 1.0 + alone_gradients[k].abs().max().item<double>();
    EXPECT_LT((packed_gradients[k] - alone_gradients[k]).abs().max().item<double>(), 1e-5 * scale)
        << "parameter " << k;
  }
}

INSTANTIATE_TEST_SUITE_P(Families, SharedPromptRewards,
                         ::testing::Values(transformer::ModelFamily::gpt2,
                                           transformer::ModelFamily::llama),
                         [](const auto& info) {
                           return info.param == transformer::ModelFamily::gpt2 ? "Gpt2" : "Llama";
                         });

}  // namespace
}  // namespace paddock
