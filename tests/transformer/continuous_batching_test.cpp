// Continuous batching in the transformer backend, driven through the SDK's RequestFeed: a
// request that joins a running batch at step k, greedy or seeded, gets exactly what it gets
// alone (GPT-2's learned positions and LLaMA's rotary ones); finished rows leave the batch;
// a cancelled request stops and frees its slot; a request that cannot run fails alone.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <map>
#include <set>

#include "paddock/error.hpp"
#include "paddock/request_generator.hpp"
#include "paddock/transformer/transformer_model.hpp"
#include "tiny_transformer.hpp"

namespace paddock::transformer {
namespace {

std::shared_ptr<TransformerModel> small_model(ModelFamily family) {
  torch::set_num_threads(1);
  testing::TinyTransformerSpec spec;
  spec.family = family;
  spec.bos = true;
  spec.hidden_size = 48;
  spec.kv_heads = family == ModelFamily::llama ? 2 : 4;
  spec.intermediate_size = 96;
  return testing::tiny_transformer(spec);
}

GenerationOptions greedy(std::int64_t max_tokens) {
  GenerationOptions options;
  options.temperature = 0;
  options.max_new_tokens = max_tokens;
  return options;
}

GenerationOptions seeded(std::int64_t max_tokens, std::uint64_t seed, std::int64_t samples = 1) {
  GenerationOptions options;
  options.temperature = 1.0;
  options.top_p = 0.9;
  options.max_new_tokens = max_tokens;
  options.seed = seed;
  options.samples_per_prompt = samples;
  return options;
}

// A feed that hands over each request before a chosen step (take() call k precedes decoding
// step k), cancels requests from a chosen step on, and records what it saw.
class ScriptedFeed final : public RequestFeed, public GenerationListener {
 public:
  struct Entry {
    std::int64_t join_at = 0;
    GenerationRequest request;
    std::int64_t cancel_at = -1;  // -1: never
  };
  explicit ScriptedFeed(std::vector<Entry> entries) : entries_(std::move(entries)) {}

  std::vector<GenerationRequest> take(std::int64_t running_samples) override {
    running_at_take.push_back(running_samples);
    const auto now = static_cast<std::int64_t>(running_at_take.size()) - 1;
    std::vector<GenerationRequest> requests;
    for (const Entry& entry : entries_) {
      if (entry.join_at == now) {
        requests.push_back(entry.request);
        order.push_back(&entry - entries_.data());
      }
    }
    return requests;
  }
  bool cancelled(std::size_t request) override {
    const std::int64_t at = entries_.at(order.at(request)).cancel_at;
    return at >= 0 && static_cast<std::int64_t>(running_at_take.size()) >= at;
  }
  void finished(std::size_t request, RequestOutcome outcome) override {
    EXPECT_FALSE(outcomes.count(order.at(request))) << "finished twice";
    outcomes[order.at(request)] = std::move(outcome);
  }
  void on_token(const GeneratedToken& token) override {
    tokens_heard[{order.at(token.request), token.sample}].push_back(token.token_id);
  }

  std::vector<std::int64_t> running_at_take;       // the batch's samples before each take()
  std::vector<std::size_t> order;                  // call request number -> entry
  std::map<std::size_t, RequestOutcome> outcomes;  // by entry
  std::map<std::pair<std::size_t, std::int64_t>, std::vector<std::int64_t>> tokens_heard;

 private:
  std::vector<Entry> entries_;
};

class ContinuousBatchingTest : public ::testing::TestWithParam<ModelFamily> {
 protected:
  std::shared_ptr<TransformerModel> model_ = small_model(GetParam());

  // The outcome of each entry in `which` equals what TextGenerator::generate gives its
  // prompt alone.
  void expect_alone_results(const std::vector<ScriptedFeed::Entry>& entries, ScriptedFeed& feed,
                            const std::vector<std::size_t>& which) {
    for (std::size_t e : which) {
      ASSERT_TRUE(feed.outcomes.count(e)) << "entry " << e << " never finished";
      const RequestOutcome& outcome = feed.outcomes[e];
      EXPECT_TRUE(outcome.error.empty()) << outcome.error;
      EXPECT_FALSE(outcome.cancelled);
      const auto alone = model_->generate({entries[e].request.prompt}, entries[e].request.options);
      ASSERT_EQ(outcome.generations.size(), alone[0].size()) << "entry " << e;
      for (std::size_t s = 0; s < alone[0].size(); ++s) {
        const Generation& together = outcome.generations[s];
        EXPECT_EQ(together.token_ids, alone[0][s].token_ids) << "entry " << e << " sample " << s;
        EXPECT_EQ(together.text, alone[0][s].text) << "entry " << e << " sample " << s;
        EXPECT_EQ(together.finish_reason, alone[0][s].finish_reason) << "entry " << e;
        for (std::size_t t = 0; t < together.token_logprobs.size(); ++t) {
          EXPECT_NEAR(together.token_logprobs[t], alone[0][s].token_logprobs[t], 1e-4)
              << "entry " << e << " sample " << s << " token " << t;
        }
        const std::pair<std::size_t, std::int64_t> key{e, static_cast<std::int64_t>(s)};
        EXPECT_EQ(feed.tokens_heard[key], together.token_ids);
      }
    }
  }
};

TEST_P(ContinuousBatchingTest, RequestsJoiningMidCallGetWhatTheyGetAlone) {
  // A long greedy request decodes; a seeded request with two samples joins at step 4, and a
  // greedy one with a longer prompt (so the running rows get padded) at step 9.
  const std::vector<ScriptedFeed::Entry> entries = {
      {0, {"Q: Add 2 and 3.\nA:", greedy(40)}},
      {4, {"Q: Name a colour.\nA:", seeded(12, 11, 2)}},
      {9, {"Q: Reverse the word cat, then add 2 and 3, then name a colour.\nA:", greedy(8)}},
      {9, {"hello", seeded(20, 3)}},
  };
  ScriptedFeed feed(entries);
  model_->generate_continuously(feed, &feed);
  expect_alone_results(entries, feed, {0, 1, 2, 3});
  ASSERT_EQ(feed.outcomes.size(), entries.size());

  // The batch before take k holds every sample that joined earlier and has not finished:
  // a sample that joined at j took its n-th token at step j + n - 1.
  ASSERT_GE(feed.outcomes[0].generations[0].token_ids.size(), 10u)
      << "the long request ended before the others joined";
  std::vector<std::int64_t> expected(feed.running_at_take.size(), 0);
  for (std::size_t e = 0; e < entries.size(); ++e) {
    for (const Generation& sample : feed.outcomes[e].generations) {
      const std::int64_t join = entries[e].join_at;
      const auto length = static_cast<std::int64_t>(sample.token_ids.size());
      for (std::int64_t k = join + 1; k < join + length && k < std::ssize(expected); ++k)
        ++expected[static_cast<std::size_t>(k)];
    }
  }
  EXPECT_EQ(feed.running_at_take, expected);
  // Rows left as they finished: the batch shrank while the call went on.
  const auto peak = std::max_element(feed.running_at_take.begin(), feed.running_at_take.end());
  EXPECT_GE(*peak, 4);
  EXPECT_LT(feed.running_at_take.back(), *peak);
  EXPECT_EQ(feed.running_at_take.back(), 0);  // the final take() found nothing running
}

TEST_P(ContinuousBatchingTest, RowJoiningIntoAFreedSlotGetsWhatItGetsAlone) {
  // Four rows; the short one leaves after step 4, and a short prompt takes its place while
  // the others decode (written into the free slot, the batch not rebuilt); then a long prompt
  // joins, which needs more columns than the batch has.
  const std::vector<ScriptedFeed::Entry> entries = {
      {0, {"Q: Add 2 and 3.\nA:", greedy(40)}},
      {0, {"Q: Name a colour.\nA:", seeded(30, 21, 2)}},
      {0, {"hello", greedy(5)}},
      {8, {"tac", seeded(12, 8)}},
      {12, {"Q: Reverse the word cat, then add 2 and 3, then name a colour.\nA:", greedy(6)}},
  };
  ScriptedFeed feed(entries);
  model_->generate_continuously(feed, &feed);
  ASSERT_EQ(feed.outcomes.size(), entries.size());
  ASSERT_EQ(feed.outcomes[2].generations[0].token_ids.size(), 5u) << "the short row ended early";
  EXPECT_EQ(feed.running_at_take[8], 3);
  EXPECT_EQ(feed.running_at_take[9], 4);
  expect_alone_results(entries, feed, {0, 1, 2, 3, 4});
}

TEST_P(ContinuousBatchingTest, CancelledRequestStopsAndFreesItsSlot) {
  const std::vector<ScriptedFeed::Entry> entries = {
      {0, {"Q: Add 2 and 3.\nA:", greedy(30)}},
      {0, {"hello", seeded(60, 5, 2)}, /*cancel_at=*/4},
      {6, {"Q: Name a colour.\nA:", seeded(10, 9)}},
  };
  ScriptedFeed feed(entries);
  model_->generate_continuously(feed, &feed);
  ASSERT_TRUE(feed.outcomes.count(1));
  const RequestOutcome& cancelled = feed.outcomes[1];
  EXPECT_TRUE(cancelled.cancelled);
  ASSERT_EQ(cancelled.generations.size(), 2u);
  for (const Generation& sample : cancelled.generations) {
    EXPECT_EQ(sample.token_ids.size(), 4u);  // steps 0 to 3, then dropped before step 4
    EXPECT_EQ(sample.finish_reason, "cancelled");
  }
  ASSERT_GE(feed.running_at_take.size(), 7u);
  EXPECT_EQ(feed.running_at_take[3], 3);
  EXPECT_EQ(feed.running_at_take[4], 1);  // its two rows left
  EXPECT_EQ(feed.running_at_take[6], 1);
  EXPECT_EQ(feed.running_at_take[7], 2);  // the slot went to the next request
  expect_alone_results(entries, feed, {0, 2});
}

TEST_P(ContinuousBatchingTest, RequestThatCannotRunFailsAloneAndTheOthersGoOn) {
  GenerationOptions bad_top_p = greedy(5);
  bad_top_p.top_p = 0;
  const std::vector<ScriptedFeed::Entry> entries = {
      {0, {"Q: Add 2 and 3.\nA:", greedy(12)}},
      {2, {"hello world, hello paddock", greedy(120)}},  // more than 128 positions
      {2, {"Q: Name a colour.\nA:", seeded(8, 4)}},
      {3, {"hello", bad_top_p}},
  };
  ScriptedFeed feed(entries);
  model_->generate_continuously(feed, &feed);
  ASSERT_EQ(feed.outcomes.size(), entries.size());
  EXPECT_NE(feed.outcomes[1].error.find("positions"), std::string::npos) << feed.outcomes[1].error;
  EXPECT_TRUE(feed.outcomes[1].generations.empty());
  EXPECT_NE(feed.outcomes[3].error.find("top_p"), std::string::npos) << feed.outcomes[3].error;
  expect_alone_results(entries, feed, {0, 2});
}

TEST_P(ContinuousBatchingTest, GenerateRequestsRunsOnTheContinuousBatch) {
  auto* requests_api = static_cast<RequestGenerator*>(model_.get());
  const std::vector<GenerationRequest> requests = {{"Q: Add 2 and 3.\nA:", greedy(20)},
                                                   {"hello", seeded(6, 2, 3)}};
  const auto together = requests_api->generate_requests(requests, nullptr);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const auto alone = model_->generate({requests[i].prompt}, requests[i].options)[0];
    ASSERT_EQ(together[i].size(), alone.size());
    for (std::size_t s = 0; s < alone.size(); ++s)
      EXPECT_EQ(together[i][s].token_ids, alone[s].token_ids) << i << " " << s;
  }
  auto too_long = requests;
  too_long[1].options.max_new_tokens = 200;
  try {
    requests_api->generate_requests(too_long, nullptr);
    ADD_FAILURE() << "a prompt too long for the model was generated";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("request 1: "), std::string::npos) << error.what();
  }
}

// TextGenerator::generate runs on the continuous batch: rows that stop early leave and the
// next prompts' samples take their slots, and every sample is what decoding its prompt alone
// (one row at a time) gives.
TEST_P(ContinuousBatchingTest, GenerateRefillsFreedRowsAndSamplesWhatOneAtATimeGives) {
  const std::vector<std::string> prompts = {"hi",  "Q: Add 2 and 3.\nA:", "a longer prompt here",
                                            "x",   "The cat sat on",      "Write one word:",
                                            "ok.", "Numbers: 1 2 3 4 5",  "?"};
  GenerationOptions options = seeded(14, 11);
  options.stop = {"a", "e", "i", "o", "u", " "};  // rows end at different steps
  GenerationOptions one_at_a_time = options;
  one_at_a_time.batch_size = 1;
  const auto reference = model_->generate(prompts, one_at_a_time);
  std::set<std::size_t> lengths;
  for (const auto& samples : reference) lengths.insert(samples.at(0).token_ids.size());
  ASSERT_GE(lengths.size(), 3u) << "the rows should finish at different steps";

  for (const std::int64_t samples : {1, 3}) {
    options.samples_per_prompt = one_at_a_time.samples_per_prompt = samples;
    options.batch_size = 4;
    const auto expected = model_->generate(prompts, one_at_a_time);
    const auto together = model_->generate(prompts, options);
    ASSERT_EQ(together.size(), prompts.size());
    for (std::size_t p = 0; p < prompts.size(); ++p) {
      ASSERT_EQ(together[p].size(), static_cast<std::size_t>(samples));
      for (std::int64_t s = 0; s < samples; ++s) {
        const Generation& got = together[p][s];
        const Generation& want = expected[p][s];
        EXPECT_EQ(got.token_ids, want.token_ids) << "prompt " << p << " sample " << s;
        EXPECT_EQ(got.text, want.text) << "prompt " << p << " sample " << s;
        EXPECT_EQ(got.finish_reason, want.finish_reason) << "prompt " << p << " sample " << s;
        ASSERT_EQ(got.token_logprobs.size(), want.token_logprobs.size());
        for (std::size_t t = 0; t < want.token_logprobs.size(); ++t)
          EXPECT_NEAR(got.token_logprobs[t], want.token_logprobs[t], 1e-4) << p << " " << s;
      }
    }
  }
}

// With 32 or more rows on the CPU, generate decodes two lanes of half the rows side by side
// (one thread each when there are two): every sample is still what decoding its prompt
// alone gives, with one intra-op thread or two.
TEST_P(ContinuousBatchingTest, GenerateInTwoLanesSamplesWhatOneAtATimeGives) {
  std::vector<std::string> prompts = {"hi", "Q: Add 2 and 3.\nA:", "a longer prompt here",
                                      "x",  "The cat sat on",      "Write one word:",
                                      "ok."};
  GenerationOptions options = seeded(10, 5, 8);
  options.stop = {"e", " "};
  GenerationOptions one_at_a_time = options;
  one_at_a_time.batch_size = 1;
  const auto expected = model_->generate(prompts, one_at_a_time);
  options.batch_size = 32;  // two lanes of 16 rows: two prompts' samples each
  for (const int threads : {1, 2}) {
    torch::set_num_threads(threads);
    const auto lanes = model_->generate(prompts, options);
    torch::set_num_threads(1);
    EXPECT_EQ(at::get_num_threads(), 1);
    ASSERT_EQ(lanes.size(), prompts.size());
    for (std::size_t p = 0; p < prompts.size(); ++p) {
      ASSERT_EQ(lanes[p].size(), 8u);
      for (std::size_t s = 0; s < 8; ++s) {
        EXPECT_EQ(lanes[p][s].token_ids, expected[p][s].token_ids)
            << threads << " threads, prompt " << p << " sample " << s;
        EXPECT_EQ(lanes[p][s].finish_reason, expected[p][s].finish_reason);
      }
    }
  }
}

// logit_bias changes which tokens are chosen, never the reported log-probabilities, and only
// for its own request; an id outside the vocabulary fails that request alone.
TEST_P(ContinuousBatchingTest, LogitBiasSteersItsOwnRequestOnly) {
  auto* requests_api = static_cast<RequestGenerator*>(model_.get());
  const std::string prompt = "Q: Add 2 and 3.\nA:";
  const Generation plain = model_->generate({prompt}, greedy(6))[0][0];
  ASSERT_FALSE(plain.token_ids.empty());
  const std::int64_t forced = plain.token_ids[0] == 40 ? 41 : 40;  // an ordinary byte token
  const std::vector<GenerationRequest> requests = {
      {prompt, greedy(6), {{plain.token_ids[0], -100.0F}}},
      {prompt, greedy(6), {{forced, 100.0F}}},
      {prompt, greedy(6)},
      {prompt, greedy(6), {{static_cast<std::int64_t>(1) << 40, 1.0F}}},
  };
  ScriptedFeed feed({{0, requests[0]}, {0, requests[1]}, {0, requests[2]}, {0, requests[3]}});
  model_->generate_continuously(feed, &feed);
  ASSERT_EQ(feed.outcomes.size(), requests.size());

  const Generation& banned = feed.outcomes[0].generations.at(0);
  ASSERT_FALSE(banned.token_ids.empty());
  EXPECT_NE(banned.token_ids[0], plain.token_ids[0]);

  const Generation& steered = feed.outcomes[1].generations.at(0);
  EXPECT_EQ(steered.token_ids, std::vector<std::int64_t>(6, forced));
  // The model's own log-probability of the forced token, not the biased one (about 0).
  EXPECT_LT(steered.token_logprobs.at(0), -1.0F);

  EXPECT_EQ(feed.outcomes[2].generations.at(0).token_ids, plain.token_ids);
  EXPECT_NE(feed.outcomes[3].error.find("outside the vocabulary"), std::string::npos)
      << feed.outcomes[3].error;
  EXPECT_NO_THROW(requests_api->generate_requests({requests[1]}, nullptr));
}

INSTANTIATE_TEST_SUITE_P(Families, ContinuousBatchingTest,
                         ::testing::Values(ModelFamily::gpt2, ModelFamily::llama),
                         [](const auto& info) {
                           return info.param == ModelFamily::gpt2 ? "Gpt2" : "Llama";
                         });

}  // namespace
}  // namespace paddock::transformer
