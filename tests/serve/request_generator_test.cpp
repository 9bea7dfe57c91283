// The transformer backend's RequestGenerator: requests with different options in one call
// give what each gives alone, and the listener hears every token.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <map>

#include "paddock/error.hpp"
#include "paddock/request_generator.hpp"
#include "serve_test_model.hpp"

namespace paddock::serve::testing {
namespace {

GenerationOptions options_of(double temperature, std::int64_t max_tokens, std::uint64_t seed,
                             std::vector<std::string> stop = {}, std::int64_t samples = 1) {
  GenerationOptions options;
  options.temperature = temperature;
  options.top_p = temperature > 0 ? 0.9 : 1.0;
  options.max_new_tokens = max_tokens;
  options.seed = seed;
  options.stop = std::move(stop);
  options.samples_per_prompt = samples;
  return options;
}

class Recorder final : public GenerationListener {
 public:
  void on_token(const GeneratedToken& token) override {
    auto& sample = samples[{token.request, token.sample}];
    EXPECT_FALSE(sample.finished) << "a token after the last";
    sample.tokens.push_back(token.token_id);
    sample.text.assign(token.text);
    sample.finished = token.finished;
    sample.finish_reason.assign(token.finish_reason);
  }
  struct Sample {
    std::vector<std::int64_t> tokens;
    std::string text, finish_reason;
    bool finished = false;
  };
  std::map<std::pair<std::size_t, std::int64_t>, Sample> samples;
};

TEST(RequestGeneratorTest, MixedRequestsInOneCallGiveWhatEachGivesAlone) {
  auto model = make_tiny_model();
  auto* requests_api = model->as<RequestGenerator>();
  auto* text_api = model->as<TextGenerator>();
  ASSERT_NE(requests_api, nullptr);
  const std::vector<GenerationRequest> requests = {
      {"Add 2 and 3.", options_of(0.0, 12, 0)},
      {"Reverse the word cat, please, and then name a colour.", options_of(1.0, 20, 7, {}, 2)},
      {"hello", options_of(0.8, 5, 9, {"e", "ll"})},
      {"Name a colour: ", options_of(1.0, 30, 11)},
  };
  Recorder recorder;
  const auto together = requests_api->generate_requests(requests, &recorder);
  ASSERT_EQ(together.size(), requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const auto alone = text_api->generate({requests[i].prompt}, requests[i].options)[0];
    ASSERT_EQ(together[i].size(), alone.size()) << i;
    for (std::size_t s = 0; s < alone.size(); ++s) {
      EXPECT_EQ(together[i][s].text, alone[s].text) << "request " << i << " sample " << s;
      EXPECT_EQ(together[i][s].token_ids, alone[s].token_ids) << i;
      EXPECT_EQ(together[i][s].finish_reason, alone[s].finish_reason) << i;
      EXPECT_LE(static_cast<std::int64_t>(together[i][s].token_ids.size()),
                requests[i].options.max_new_tokens);
      const auto& heard = recorder.samples[{i, static_cast<std::int64_t>(s)}];
      EXPECT_TRUE(heard.finished);
      EXPECT_EQ(heard.tokens, together[i][s].token_ids);
      EXPECT_EQ(heard.text, together[i][s].text);
      EXPECT_EQ(heard.finish_reason, together[i][s].finish_reason);
    }
  }
  // The two samples of request 1 differ, and its seed matters.
  EXPECT_NE(together[1][0].token_ids, together[1][1].token_ids);
  auto reseeded = requests;
  reseeded[1].options.seed = 8;
  EXPECT_NE(requests_api->generate_requests(reseeded, nullptr)[1][0].token_ids,
            together[1][0].token_ids);
  EXPECT_GT(requests_api->prompt_token_count("hello world"), 0);
  EXPECT_FALSE(requests_api->token_bytes(together[0][0].token_ids[0]).empty());
  EXPECT_THROW(requests_api->token_bytes(-1), Error);
}

}  // namespace
}  // namespace paddock::serve::testing
