// The CPU attention kernels give what LibTorch's batched products give, forward and
// backward, with grouped-query heads, padding, packed documents, queries that see no key,
// strided inputs and more than one thread; a decoded row does not depend on its batch.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>

#include "paddock/transformer/cpu_attention.hpp"

namespace paddock::transformer {
namespace {

// The textbook attention: heads repeated per group, masked_fill with the lowest float.
torch::Tensor textbook_attention(const torch::Tensor& q, torch::Tensor k, torch::Tensor v,
                                 const torch::Tensor& allowed, double scale) {
  const std::int64_t heads = q.size(1);
  k = k.repeat_interleave(heads / k.size(1), 1);
  v = v.repeat_interleave(heads / v.size(1), 1);
  const auto scores = torch::matmul(q, k.transpose(-2, -1)) * scale;
  const auto masked =
      scores.masked_fill(allowed.unsqueeze(1).logical_not(), std::numeric_limits<float>::lowest());
  return torch::matmul(torch::softmax(masked, -1), v)
      .transpose(1, 2)
      .reshape({q.size(0), q.size(2), heads * q.size(3)});
}

// [B, T, S]: causal over the last T of S keys, row 1 left-padded by 3, row 2 two packed
// documents, row 0 with a padding query at the end that sees nothing.
torch::Tensor mixed_mask(std::int64_t batch, std::int64_t steps, std::int64_t keys) {
  auto documents = torch::ones({batch, keys}, torch::kLong);
  documents[1].narrow(0, 0, 3).zero_();
  documents[2].narrow(0, keys / 2, keys - keys / 2).fill_(2);
  documents[0][keys - 1] = 0;
  const auto query_index = torch::arange(keys - steps, keys).view({1, steps, 1});
  const auto key_index = torch::arange(keys).view({1, 1, keys});
  const auto key_document = documents.view({batch, 1, keys});
  const auto query_document = documents.narrow(1, keys - steps, steps).view({batch, steps, 1});
  return (key_index <= query_index)
      .logical_and(key_document.ne(0))
      .logical_and(key_document.eq(query_document));
}

void expect_close(const torch::Tensor& actual, const torch::Tensor& expected, const char* what) {
  ASSERT_EQ(actual.sizes(), expected.sizes()) << what;
  EXPECT_TRUE(torch::allclose(actual, expected, 1e-5, 1e-5))
      << what << ": largest difference " << (actual - expected).abs().max().item<float>();
}

class CpuAttention : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    threads_ = at::get_num_threads();
    at::set_num_threads(GetParam());
  }
  void TearDown() override { at::set_num_threads(threads_); }
  int threads_ = 1;
};

TEST_P(CpuAttention, MatchesTheTextbookForwardAndBackward) {
  torch::manual_seed(3);
  const std::int64_t batch = 3, heads = 4, groups = 2, steps = 6, keys = 9, d = 8;
  // q, k and v as the decoder makes them: views into one projection, not contiguous.
  const auto projection = torch::randn({batch, keys, (heads + 2 * groups) * d});
  const auto q = projection.narrow(1, keys - steps, steps)
                     .narrow(2, 0, heads * d)
                     .view({batch, steps, heads, d})
                     .transpose(1, 2)
                     .detach()
                     .requires_grad_(true);
  const auto k = projection.narrow(2, heads * d, groups * d)
                     .reshape({batch, keys, groups, d})
                     .transpose(1, 2)
                     .detach()
                     .requires_grad_(true);
  const auto v = torch::randn({batch, groups, keys, d}, torch::requires_grad());
  const auto allowed = mixed_mask(batch, steps, keys);
  ASSERT_FALSE(allowed[0][steps - 1].any().item<bool>()) << "the test needs a blind query";
  const double scale = 0.35;

  const auto fused = cpu_attention(q, k, v, attention_bias(allowed), scale);
  const auto upstream = torch::randn(fused.sizes());
  const auto fused_grads = torch::autograd::grad({fused}, {q, k, v}, {upstream});
  const auto expected = textbook_attention(q, k, v, allowed, scale);
  const auto expected_grads = torch::autograd::grad({expected}, {q, k, v}, {upstream});

  expect_close(fused, expected, "output");
  expect_close(fused_grads[0], expected_grads[0], "query gradient");
  expect_close(fused_grads[1], expected_grads[1], "key gradient");
  expect_close(fused_grads[2], expected_grads[2], "value gradient");
}

TEST_P(CpuAttention, InferenceAgainstACacheMatchesTheTextbook) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(4);
  const std::int64_t batch = 5, heads = 6, keys = 11, d = 12;
  const auto cache = torch::randn({batch, heads, 16, d});  // capacity beyond the keys used
  const auto k = cache.narrow(2, 0, keys), v = cache.narrow(2, 0, keys) * 2;
  for (const std::int64_t steps : {1, 2, 3}) {  // decoding loops, then per-head tasks
    const auto q = torch::randn({batch, heads, steps, d});
    const auto allowed = mixed_mask(batch, steps, keys);
    expect_close(cpu_attention(q, k, v, attention_bias(allowed), 0.5),
                 textbook_attention(q, k, v, allowed, 0.5),
                 ("output, " + std::to_string(steps) + " queries").c_str());
  }
}

TEST_P(CpuAttention, ADecodedRowIsBitIdenticalAloneAndInABatch) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(5);
  const std::int64_t batch = 7, heads = 4, keys = 20, d = 32;
  const auto q = torch::randn({batch, heads, 1, d});
  const auto k = torch::randn({batch, heads, keys, d}), v = torch::randn({batch, heads, keys, d});
  const auto bias = attention_bias(mixed_mask(batch, 1, keys));
  const auto together = cpu_attention(q, k, v, bias, 0.25);
  for (std::int64_t row = 0; row < batch; ++row) {
    const auto alone = cpu_attention(q.narrow(0, row, 1), k.narrow(0, row, 1), v.narrow(0, row, 1),
                                     bias.narrow(0, row, 1), 0.25);
    EXPECT_TRUE(torch::equal(alone, together.narrow(0, row, 1))) << "row " << row;
  }
}

TEST(CpuAttentionChoice, DecodingAndLongSequencesOnTheCpuInFloat32Only) {
  const auto one_query = torch::zeros({2, 4, 1, 8});
  EXPECT_TRUE(cpu_attention_applies(one_query, 50));
  EXPECT_FALSE(cpu_attention_applies(torch::zeros({2, 4, 64, 8}), 64));
  EXPECT_TRUE(cpu_attention_applies(torch::zeros({2, 4, 128, 8}), 128));
  EXPECT_FALSE(cpu_attention_applies(one_query.to(torch::kFloat64), 50));
  EXPECT_FALSE(cpu_attention_applies(one_query.to(torch::kBFloat16), 50));
  // A query that needs a gradient is not decoding: the loops have no backward.
  EXPECT_FALSE(cpu_attention_applies(one_query.clone().requires_grad_(true), 50));
}

INSTANTIATE_TEST_SUITE_P(Threads, CpuAttention, ::testing::Values(1, 2),
                         [](const auto& info) { return std::to_string(info.param) + "Threads"; });

TEST(CpuAttentionBias, IsZeroWhereAllowedAndTheLowestFloatElsewhere) {
  const auto allowed = torch::tensor({true, false, true}, torch::kBool).view({1, 1, 1, 3});
  const auto bias = attention_bias(allowed);
  ASSERT_EQ(bias.sizes(), (std::vector<std::int64_t>{1, 1, 3}));
  EXPECT_EQ(bias[0][0][0].item<float>(), 0.0f);
  EXPECT_EQ(bias[0][0][1].item<float>(), std::numeric_limits<float>::lowest());
  EXPECT_EQ(bias[0][0][2].item<float>(), 0.0f);
}

}  // namespace
}  // namespace paddock::transformer
