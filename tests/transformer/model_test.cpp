// TransformerModel: generation (greedy, seeded sampling, several samples, stop strings,
// independence from batch companions), scoring, growing the vocabulary, save and load, and
// a tiny model that learns to reproduce a memorised answer.
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include "paddock/core/compute_environment.hpp"
#include "paddock/error.hpp"
#include "paddock/transformer/transformer_model.hpp"
#include "test_support.hpp"
#include "tiny_transformer.hpp"

namespace paddock::transformer {
namespace {

using testing::TempDir;

// Width 48 with a BOS token; LLaMA with grouped-query attention.
std::shared_ptr<TransformerModel> tiny_model(ModelFamily family = ModelFamily::gpt2,
                                             std::uint64_t seed = 5,
                                             torch::Device device = torch::kCPU,
                                             std::int64_t max_positions = 256) {
  testing::TinyTransformerSpec spec;
  spec.family = family;
  spec.bos = true;
  spec.hidden_size = 48;
  spec.kv_heads = family == ModelFamily::llama ? 2 : 4;
  spec.intermediate_size = 96;
  spec.max_positions = max_positions;
  spec.seed = seed;
  spec.device = device;
  return testing::tiny_transformer(spec);
}

// Reward scoring runs on the model's device.
void model_reward_on(TransformerModel& model) {
  model.add_reward_head();
  const std::vector<InstructionPrompt> prompts = {{"Add 2 and 3.", ""}};
  const std::vector<std::string> responses = {"5"};
  EXPECT_EQ(model.score(prompts, responses).size(), 1u);
}

GenerationOptions sampling(std::uint64_t seed, std::int64_t samples = 1) {
  GenerationOptions options;
  options.temperature = 1.0;
  options.top_p = 0.9;
  options.max_new_tokens = 12;
  options.samples_per_prompt = samples;
  options.seed = seed;
  return options;
}

TEST(TransformerModel, GreedyGenerationIsDeterministic) {
  auto model = tiny_model();
  GenerationOptions greedy;
  greedy.temperature = 0;
  greedy.max_new_tokens = 10;
  const auto first = model->generate({"Q: Add 2 and 3.\nA:"}, greedy);
  const auto second = model->generate({"Q: Add 2 and 3.\nA:"}, greedy);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0][0].token_ids, second[0][0].token_ids);
  EXPECT_EQ(first[0][0].token_ids.size(), first[0][0].token_logprobs.size());
  for (float logprob : first[0][0].token_logprobs) EXPECT_LE(logprob, 0.0f);
}

TEST(TransformerModel, SamplingIsSeededAndIndependentOfBatchCompanions) {
  for (ModelFamily family : {ModelFamily::gpt2, ModelFamily::llama}) {
    auto model = tiny_model(family);
    const auto alone = model->generate({"Q: Name a colour.\nA:"}, sampling(11, 3));
    const auto together = model->generate(
        {"hello", "Q: Name a colour.\nA:", "Reverse the word cat."}, sampling(11, 3));
    ASSERT_EQ(alone[0].size(), 3u);
    // Sample s of a prompt depends on (seed, prompt index, s): compare prompt 0 with prompt 0.
    const auto first_alone = model->generate({"hello"}, sampling(11, 3));
    for (int s = 0; s < 3; ++s) EXPECT_EQ(first_alone[0][s].token_ids, together[0][s].token_ids);
    EXPECT_NE(alone[0][0].token_ids, alone[0][1].token_ids);  // different samples differ
    const auto reseeded = model->generate({"Q: Name a colour.\nA:"}, sampling(12, 3));
    EXPECT_NE(alone[0][0].token_ids, reseeded[0][0].token_ids);
  }
}

TEST(TransformerModel, CudaGeneratesWhatTheCpuGenerates) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  for (ModelFamily family : {ModelFamily::gpt2, ModelFamily::llama}) {
    auto cpu = tiny_model(family, 5, torch::kCPU);
    auto gpu = tiny_model(family, 5, torch::kCUDA);
    GenerationOptions greedy;
    greedy.temperature = 0;
    greedy.max_new_tokens = 12;
    const std::vector<std::string> prompts = {"Q: Add 2 and 3.\nA:", "hello"};
    const auto on_cpu = cpu->generate(prompts, greedy), on_gpu = gpu->generate(prompts, greedy);
    for (std::size_t p = 0; p < prompts.size(); ++p)
      EXPECT_EQ(on_cpu[p][0].token_ids, on_gpu[p][0].token_ids);
    model_reward_on(*gpu);
  }
}

TEST(TransformerModel, StopStringsCutTheText) {
  auto model = tiny_model();
  GenerationOptions options = sampling(3);
  options.max_new_tokens = 30;
  const auto free_run = model->generate({"hello"}, options)[0][0];
  ASSERT_GE(free_run.text.size(), 3u);
  options.stop = {free_run.text.substr(1, 2)};
  const auto stopped = model->generate({"hello"}, options)[0][0];
  EXPECT_EQ(stopped.finish_reason, "stop");
  EXPECT_EQ(stopped.text, free_run.text.substr(0, free_run.text.find(options.stop[0])));
}

TEST(TransformerModel, TooLongPromptIsAClearError) {
  auto model = tiny_model();
  GenerationOptions options = sampling(1);
  options.max_new_tokens = 250;
  EXPECT_THROW(model->generate({"hello world, hello paddock hello world"}, options), Error);
}

TEST(TransformerModel, RewardHeadStartsAtZeroAndScoresEveryPair) {
  auto model = tiny_model();
  const std::vector<InstructionPrompt> prompts = {{"Add 2 and 3.", ""}, {"Reverse", "cat"}};
  const std::vector<std::string> responses = {"5", "tac tac"};
  EXPECT_THROW(model->score(prompts, responses), Error);
  model->add_reward_head();
  const auto rewards = model->score(prompts, responses);
  ASSERT_EQ(rewards.size(), 2u);
  EXPECT_EQ(rewards[0], 0.0);
  EXPECT_NE(std::find(model->capabilities().begin(), model->capabilities().end(), "reward"),
            model->capabilities().end());
}

// A tiny model with a random reward head, and 37 pairs of many lengths: three batches.
struct ScoringCase {
  std::shared_ptr<transformer::TransformerModel> model;
  std::vector<InstructionPrompt> prompts;
  std::vector<std::string> responses;
};

ScoringCase scoring_case() {
  ScoringCase scoring{tiny_model(), {}, {}};
  scoring.model->add_reward_head();
  {
    torch::NoGradGuard no_grad;
    torch::manual_seed(4);
    for (torch::Tensor& parameter : scoring.model->parameters())
      if (parameter.dim() == 2 && parameter.size(0) == 1) parameter.normal_(0, 0.5);  // the head
  }
  for (int i = 0; i < 37; ++i) {
    scoring.prompts.push_back(
        {"Task " + std::string(static_cast<std::size_t>(1 + i * 7 % 23), 'x'), ""});
    scoring.responses.push_back(
        std::string(static_cast<std::size_t>(1 + i * 11 % 31), static_cast<char>('a' + i % 26)));
  }
  return scoring;
}

// Scoring batches pairs by length; each pair's reward is what scoring it alone gives.
TEST(TransformerModel, ScoresInLengthSortedBatchesEqualScoresAlone) {
  ScoringCase scoring = scoring_case();
  auto& model = scoring.model;
  const auto together = model->score(scoring.prompts, scoring.responses);
  ASSERT_EQ(together.size(), scoring.prompts.size());
  bool any_nonzero = false;
  for (std::size_t i = 0; i < scoring.prompts.size(); ++i) {
    const auto alone = model->score({&scoring.prompts[i], 1}, {&scoring.responses[i], 1});
    EXPECT_NEAR(together[i], alone.at(0), 1e-5) << "pair " << i;
    any_nonzero = any_nonzero || together[i] != 0.0;
  }
  EXPECT_TRUE(any_nonzero) << "the head should score";
}

// Several responses to each prompt are scored behind one pass over it (rows of at most four),
// a response too long for the context keeps its end alone: each reward is what scoring the
// pair alone gives.
TEST(TransformerModel, ResponsesScoredBehindTheirSharedPromptEqualScoresAlone) {
  ScoringCase scoring = scoring_case();
  std::vector<InstructionPrompt> prompts;
  std::vector<std::string> responses;
  for (int i = 0; i < 19; ++i) {
    prompts.push_back({"Task " + std::string(static_cast<std::size_t>(2 + i % 3), 'y'), ""});
    responses.push_back(std::string(static_cast<std::size_t>(1 + i * 5 % 13), 'a' + i % 5));
  }
  std::string long_response;
  for (int i = 0; i < 300; ++i) long_response += static_cast<char>('a' + i * 7 % 26);
  prompts.push_back(prompts.front());
  responses.push_back(long_response);
  const auto together = scoring.model->score(prompts, responses);
  ASSERT_EQ(together.size(), prompts.size());
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    const auto alone = scoring.model->score({&prompts[i], 1}, {&responses[i], 1});
    EXPECT_NEAR(together[i], alone.at(0), 1e-5) << "response " << i;
  }
  EXPECT_TRUE(scoring.model->score({}, {}).empty());
}

// With two threads the batches are scored side by side, one intra-op thread each: the bits
// are those of scoring them in turn on one thread.
TEST(TransformerModel, ScoresSideBySideAreTheScoresInTurn) {
  ScoringCase scoring = scoring_case();
  const int threads = at::get_num_threads();
  torch::set_num_threads(2);
  const auto side_by_side = scoring.model->score(scoring.prompts, scoring.responses);
  EXPECT_EQ(at::get_num_threads(), 2);
  torch::set_num_threads(1);
  const auto in_turn = scoring.model->score(scoring.prompts, scoring.responses);
  torch::set_num_threads(threads);
  EXPECT_EQ(side_by_side, in_turn);
}

TEST(TransformerModel, AddedTokensGrowTheEmbeddingWithMeanRows) {
  auto model = tiny_model();
  const auto before = model->decoder().weights().at("wte.weight").clone();
  const auto ids = model->add_special_tokens({"<|reward_0|>", "<|reward_1|>"});
  const auto& after = model->decoder().weights().at("wte.weight");
  ASSERT_EQ(after.size(0), before.size(0) + 2);
  EXPECT_EQ(ids[0], before.size(0));
  EXPECT_TRUE(torch::allclose(after[ids[1]], before.mean(0)));
  EXPECT_EQ(model->tokenize("x<|reward_1|>").back(), ids[1]);
}

TEST(TransformerModel, SaveThenLoadGivesTheSameModel) {
  TempDir dir;
  for (ModelFamily family : {ModelFamily::gpt2, ModelFamily::llama}) {
    auto model = tiny_model(family);
    model->add_value_head();
    const auto path = dir / (family == ModelFamily::gpt2 ? "gpt2" : "llama");
    model->save(path);
    auto loaded = TransformerModel::load(path, torch::kCPU);
    for (const auto& [name, tensor] : model->decoder().weights()) {
      EXPECT_TRUE(torch::equal(loaded->decoder().weights().at(name), tensor)) << name;
    }
    EXPECT_TRUE(loaded->has_value_head());
    EXPECT_EQ(loaded->format_prompt({"x", ""}), "Q: x\nA:");
    EXPECT_EQ(loaded->generate({"hello"}, sampling(4))[0][0].token_ids,
              model->generate({"hello"}, sampling(4))[0][0].token_ids);
  }
}

TEST(TransformerModel, CheckpointTokenizerProblemsAreNamed) {
  TempDir dir;
  try {
    load_checkpoint_tokenizer(dir.path());
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("no tokenizer (tokenizer.json"), std::string::npos);
  }
  testing::write_text(dir / "tokenizer.model", "not read");
  try {
    load_checkpoint_tokenizer(dir.path());
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("not a valid SentencePiece model"), std::string::npos)
        << error.what();
  }
}

// A LLaMA checkpoint whose tokenizer is a SentencePiece tokenizer.model (the tiny one of
// tests/transformer_io/data, trained with LLaMA's settings) loads, grows a reward token,
// generates and saves in the same process as LibTorch: no libsentencepiece, so no protobuf
// clash.
TEST(TransformerModel, LlamaCheckpointWithTokenizerModelLoadsAndSaves) {
  TempDir source;
  std::filesystem::copy_file(PADDOCK_TINY_LLAMA_TOKENIZER, source / "tokenizer.model");
  testing::write_text(source / "tokenizer_config.json",
                      R"({"bos_token": "<s>", "eos_token": "</s>", "pad_token": null})");
  ModelConfig config;
  config.family = ModelFamily::llama;
  config.vocab_size = 320;
  config.hidden_size = 32;
  config.layers = 1;
  config.heads = 4;
  config.kv_heads = 2;
  config.intermediate_size = 64;
  config.max_positions = 128;
  PromptTemplate prompts;
  prompts.without_input = "Q: {instruction}\nA:";
  prompts.with_input = "Q: {instruction}\n{input}\nA:";
  TransformerModel model(Decoder::initialise(config, /*seed=*/3, torch::kCPU), Decoder::WeightMap{},
                         load_checkpoint_tokenizer(source.path()), prompts);
  EXPECT_EQ(model.eos_token_id(), 2);
  EXPECT_EQ(model.pad_token_id(), 2);  // no pad: EOS stands in
  EXPECT_EQ(model.sequence_prefix(), std::vector<std::int64_t>{1});
  const std::string text = "Reverse the word cat.\n東京 🙂";
  EXPECT_EQ(model.detokenize(model.tokenize(text)), text);
  // serve's per-token log-probabilities: each token's bytes, its word-initial space kept.
  std::string token_bytes;
  for (const std::int64_t id : model.tokenize(text)) token_bytes += model.token_bytes(id);
  EXPECT_EQ(token_bytes, " " + text);
  // Quark's reward token: an id past the pieces and a row of its own, kept by a save.
  const auto reward = model.add_special_tokens({"<|reward_0|>"});
  ASSERT_EQ(reward.size(), 1u);
  EXPECT_EQ(reward[0], 320);
  EXPECT_EQ(model.decoder().weights().at("model.embed_tokens.weight").size(0), 321);
  const std::string rewarded = "<|reward_0|>" + text;
  EXPECT_EQ(model.tokenize(rewarded).front(), 320);

  TempDir saved;
  model.save(saved.path());
  EXPECT_TRUE(std::filesystem::exists(saved / "tokenizer.model"));
  EXPECT_FALSE(std::filesystem::exists(saved / "tokenizer.json"));
  auto loaded = TransformerModel::load(saved.path(), torch::kCPU);
  EXPECT_EQ(loaded->tokenize(text), model.tokenize(text));
  EXPECT_EQ(loaded->tokenize(rewarded), model.tokenize(rewarded));
  GenerationOptions greedy;
  greedy.temperature = 0;
  greedy.max_new_tokens = 6;
  EXPECT_EQ(loaded->generate({"Q: hello\nA:"}, greedy)[0][0].token_ids,
            model.generate({"Q: hello\nA:"}, greedy)[0][0].token_ids);
}

TEST(TransformerModel, PaddedVocabularyIdsAreNeverSampled) {
  // A checkpoint whose embedding has rows beyond the tokenizer, as many real ones do; here
  // the padding rows of the output layer are made to win every choice: they are +-1000 times
  // each unit vector, so the best of them scores 1000 times the largest coordinate of the
  // final hidden state, about 990 or more after the RMS norm (unit weights), whatever that
  // state is. (One random
  // direction was not enough: a state nearly orthogonal to it let a real token win.)
  auto plain = tiny_model(ModelFamily::llama);
  const std::int64_t tokens = static_cast<std::int64_t>(plain->tokenizer().vocab_size());
  Decoder decoder(plain->decoder().config(), plain->decoder().weights());
  const std::int64_t hidden = decoder.config().hidden_size;
  decoder.grow_vocabulary(tokens + 2 * hidden);
  {
    torch::NoGradGuard no_grad;
    auto& weights = decoder.weights();
    auto& output = weights.count("lm_head.weight") ? weights.at("lm_head.weight")
                                                   : weights.at("model.embed_tokens.weight");
    const auto unit = torch::eye(hidden) * 1000;
    output.narrow(0, tokens, hidden).copy_(unit);
    output.narrow(0, tokens + hidden, hidden).copy_(-unit);
  }
  TransformerModel padded(std::move(decoder), {}, plain->tokenizer().clone(),
                          plain->prompt_template());
  EXPECT_EQ(padded.padded_ids(), 2 * hidden);
  EXPECT_NE(
      padded.vocabulary_note().find("the last " + std::to_string(2 * hidden) + " ids are padding"),
      std::string::npos);
  EXPECT_EQ(plain->vocabulary_note(), "");
  EXPECT_EQ(padded.load_notes(), std::vector<std::string>{padded.vocabulary_note()});
  EXPECT_TRUE(plain->load_notes().empty());
  GenerationOptions greedy;
  greedy.temperature = 0;
  greedy.max_new_tokens = 8;
  for (const GenerationOptions& options : {greedy, sampling(3, 4)}) {
    const auto generated = padded.generate({"Q: Add 2 and 3.\nA:"}, options);
    for (const auto& generation : generated[0]) {
      for (std::int64_t id : generation.token_ids) EXPECT_LT(id, tokens);
      // The model's own distribution still counts the padding (as Hugging Face's does), so
      // the kept tokens are unlikely under it.
      for (float logprob : generation.token_logprobs) EXPECT_LT(logprob, -5.0f);
    }
  }
  GenerationRequest request;
  request.prompt = "Q: Add 2 and 3.\nA:";
  request.options = sampling(4, 2);
  const auto served = padded.generate_requests({request}, nullptr);
  for (const auto& generation : served[0])
    for (std::int64_t id : generation.token_ids) EXPECT_LT(id, tokens);
}

TEST(TransformerModel, AlternativeTokensAreTheLikeliestUnderTheModel) {
  auto model = tiny_model();
  GenerationRequest request;
  request.prompt = "Q: Add 2 and 3.\nA:";
  request.options.temperature = 0;
  request.options.max_new_tokens = 6;
  request.top_logprobs = 5;
  const auto generated = model->generate_requests({request}, nullptr);
  const Generation& greedy = generated[0][0];
  ASSERT_EQ(greedy.top_logprobs.size(), greedy.token_ids.size());
  // Recomputed from scratch: the whole sequence so far, no cache, log-softmax, top 5.
  std::vector<std::int64_t> sequence = model->sequence_prefix();
  for (std::int64_t id : model->tokenize(request.prompt)) sequence.push_back(id);
  torch::NoGradGuard no_grad;
  for (std::size_t t = 0; t < greedy.token_ids.size(); ++t) {
    const auto ids = torch::tensor(sequence, torch::kLong).unsqueeze(0);
    const auto logits = model->lm_logits(model->hidden_states(ids, torch::ones_like(ids)));
    const auto logprobs = torch::log_softmax(logits[0][-1].to(torch::kFloat32), -1);
    const auto [values, indices] = logprobs.topk(5);
    ASSERT_EQ(greedy.top_logprobs[t].size(), 5u);
    for (std::int64_t k = 0; k < 5; ++k) {
      EXPECT_EQ(greedy.top_logprobs[t][k].token_id, indices[k].item<std::int64_t>());
      EXPECT_NEAR(greedy.top_logprobs[t][k].logprob, values[k].item<float>(), 1e-4);
    }
    EXPECT_EQ(greedy.token_ids[t], greedy.top_logprobs[t][0].token_id);  // greedy: the likeliest
    EXPECT_FLOAT_EQ(greedy.token_logprobs[t], greedy.top_logprobs[t][0].logprob);
    sequence.push_back(greedy.token_ids[t]);
  }
  // Not asked, not given; more than the backend supports is refused.
  request.top_logprobs = 0;
  EXPECT_TRUE(model->generate_requests({request}, nullptr)[0][0].top_logprobs.empty());
  request.top_logprobs = 21;
  EXPECT_THROW(model->generate_requests({request}, nullptr), Error);
}

TEST(TransformerModel, FitToContextGeneratesUpToTheRoomLeft) {
  auto model = tiny_model(ModelFamily::gpt2, 5, torch::kCPU, /*max_positions=*/24);
  GenerationRequest request;
  request.prompt = "Q: Add 2 and 3.\nA:";
  request.options.max_new_tokens = 100;
  request.logit_bias = {{model->eos_token_id(), -100.0f}};  // so it runs to the end
  const std::int64_t room = 24 - model->prompt_token_count(request.prompt);
  ASSERT_GT(room, 0);
  EXPECT_THROW(model->generate_requests({request}, nullptr), Error);  // 100 do not fit
  request.fit_to_context = true;
  const auto generated = model->generate_requests({request}, nullptr);
  EXPECT_EQ(static_cast<std::int64_t>(generated[0][0].token_ids.size()), room);
  EXPECT_EQ(generated[0][0].finish_reason, "length");
  request.options.max_new_tokens = 2;  // an upper bound, not a target
  EXPECT_EQ(model->generate_requests({request}, nullptr)[0][0].token_ids.size(), 2u);
}

// With LibTorch loaded, the BLAS it runs on is found and names its kernel (the host's compute
// log line reads the same).
TEST(TransformerModel, TheLoadedBlasNamesItsKernel) {
  const core::BlasDescription blas = core::loaded_blas();
  if (!blas.found) GTEST_SKIP() << "this LibTorch does not run on OpenBLAS";
  EXPECT_FALSE(blas.kernel.empty());
  EXPECT_NE(blas.config.find("OpenBLAS"), std::string::npos) << blas.config;
}

TEST(TransformerModel, CloneIsIndependent) {
  auto model = tiny_model();
  auto copy = std::dynamic_pointer_cast<TransformerModel>(model->clone());
  ASSERT_TRUE(copy);
  copy->decoder().weights().at("wte.weight").add_(1.0);
  EXPECT_FALSE(torch::equal(copy->decoder().weights().at("wte.weight"),
                            model->decoder().weights().at("wte.weight")));
}

TEST(TransformerModel, TinyModelLearnsToReproduceAMemorisedAnswer) {
  torch::manual_seed(0);
  auto model = tiny_model();
  model->set_training(true);
  const std::string prompt = model->format_prompt({"Reverse the word cat.", ""});
  std::vector<std::int64_t> ids = model->tokenize(prompt);
  const std::size_t prompt_length = ids.size();
  for (std::int64_t id : model->tokenize(" tac")) ids.push_back(id);
  ids.push_back(model->eos_token_id());
  const auto input = torch::tensor(ids, torch::kLong).unsqueeze(0);
  const auto mask = torch::ones_like(input);
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(3e-3));
  double first_loss = 0, loss_value = 0;
  for (int step = 0; step < 60; ++step) {
    const auto logits = model->lm_logits(model->hidden_states(input, mask));
    const std::int64_t n = input.size(1);
    // Loss on the response tokens only, as supervised fine-tuning does.
    const auto loss = torch::nn::functional::cross_entropy(
        logits[0].narrow(0, prompt_length - 1, n - prompt_length),
        input[0].narrow(0, prompt_length, n - prompt_length));
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    loss_value = loss.item<double>();
    if (step == 0) first_loss = loss_value;
  }
  EXPECT_LT(loss_value, first_loss / 10);
  model->set_training(false);
  GenerationOptions greedy;
  greedy.temperature = 0;
  greedy.max_new_tokens = 8;
  const auto answer = model->generate({prompt}, greedy)[0][0];
  EXPECT_EQ(answer.text, " tac");
  EXPECT_EQ(answer.finish_reason, "stop");
}

}  // namespace
}  // namespace paddock::transformer
