// The Quark loop: sample, score, pool, quantise, train; checkpoints and resume.
//
// Every random choice is a function of (node seed, round): the prompts of round r come from
// seeded permutations of the prompt list, the samples from derive_seed(seed, "rollouts r"),
// the training order from derive_seed(seed, "round r"). A checkpoint therefore holds the
// weights, the optimizer, the pool and the round cursor, and a resumed run on the CPU ends
// with the same weights as an uninterrupted one.
#include "paddock/quark/quark_learner.hpp"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "paddock/error.hpp"
#include "paddock/instruction_template.hpp"
#include "paddock/learning/checkpoint_store.hpp"
#include "paddock/learning/data_order.hpp"
#include "paddock/learning/gradient_shards.hpp"
#include "paddock/learning/model_access.hpp"
#include "paddock/learning/optimization.hpp"
#include "paddock/learning/resumable_loop.hpp"
#include "paddock/quark/quark_batch.hpp"
#include "paddock/quark/quark_pool.hpp"
#include "paddock/quark/quark_settings.hpp"
#include "paddock/quark/quark_step.hpp"
#include "paddock/report.hpp"
#include "paddock/seed.hpp"
#include "paddock/simple_node.hpp"

namespace paddock::quark {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kCheckpointFormat = 1;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

class QuarkRun {
 public:
  explicit QuarkRun(NodeContext& context)
      : context_(context),
        settings_(quark_schema().read(context.params())),
        store_(context.work_dir() / "checkpoints") {}

  void run();

 private:
  std::string where() const { return "node '" + context_.node_name() + "'"; }
  void prepare_models();
  std::vector<std::size_t> take_prompts(std::int64_t round);
  void sample(std::int64_t round);
  std::vector<QuarkExample> training_set(std::int64_t round);
  void train(std::int64_t round, const std::vector<QuarkExample>& examples, Progress& progress);
  void log_pool(std::int64_t round);
  void save(std::int64_t round);
  std::int64_t restore(const fs::path& directory);
  void finish_model();

  NodeContext& context_;
  QuarkSettings settings_;
  learning::CheckpointStore store_;
  learning::LanguageModel policy_, reference_;
  std::shared_ptr<Model> reward_model_;
  RewardScorer* scorer_ = nullptr;
  rl::PromptPool prompts_;
  std::size_t prefix_length_ = 0;
  std::int64_t original_vocabulary_ = 0;    // the policy's before the reward tokens
  std::vector<std::string> reward_tokens_;  // all_quantiles only
  std::vector<std::int64_t> reward_token_ids_;
  std::vector<PoolEntry> pool_;
  std::vector<torch::Tensor> parameters_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  std::int64_t optimizer_steps_ = 0;
  std::int64_t skipped_steps_ = 0;
  std::optional<learning::EpochBatches> prompt_batches_;
  std::string last_checkpoint_;
  std::int64_t saved_round_ = -1;
  nlohmann::ordered_json summary_ = nlohmann::ordered_json::object();
};

void QuarkRun::prepare_models() {
  policy_ = learning::clone_for_training(context_, "policy");
  reference_ = context_.has_input("reference")
                   ? learning::shared_language_model(context_, "reference")
                   : learning::shared_language_model(context_, "policy");
  reward_model_ = context_.input<Model>("reward");
  scorer_ = &learning::require_reward_scorer(*reward_model_, context_, "reward");
  original_vocabulary_ = policy_.tensors->vocab_size();
  if (reference_.tensors->vocab_size() != policy_.tensors->vocab_size() ||
      reference_.tensors->eos_token_id() != policy_.tensors->eos_token_id()) {
    throw Error(where() + ": the reference model's vocabulary (" +
                std::to_string(reference_.tensors->vocab_size()) +
                " tokens) is not the policy's (" + std::to_string(policy_.tensors->vocab_size()) +
                "); the reference must share the policy's tokenizer");
  }
  if (settings_.mode == QuarkMode::all_quantiles) {
    if (!policy_.model->as<InstructionTemplateEditor>()) {
      throw Error(where() +
                  ": mode \"all_quantiles\" must store the best reward token in the "
                  "saved model's prompt template, but the model on input 'policy' (backend '" +
                  policy_.model->backend() +
                  "') has no InstructionTemplateEditor capability; use mode \"top_quantile\"");
    }
    reward_tokens_ = reward_token_strings(settings_.quantiles);
    reward_token_ids_ = policy_.tensors->add_special_tokens(reward_tokens_);
    // The policy may sample a reward token inside a response; the reference must be able to
    // read it, so it gets the same tokens (a private copy: the input stays as it is). Its
    // distribution is compared over the original vocabulary only.
    const std::string port = context_.has_input("reference") ? "reference" : "policy";
    reference_ = learning::clone_for_training(context_, port);
    reference_.tensors->set_training(false);
    if (reference_.tensors->add_special_tokens(reward_tokens_) != reward_token_ids_) {
      throw Error(where() +
                  ": the reward tokens got other ids in the reference than in the "
                  "policy; the reference must share the policy's tokenizer");
    }
    context_.log().info(
        "added reward tokens {} .. {} (ids {} .. {}); the policy's vocabulary "
        "is now {} tokens",
        reward_tokens_.front(), reward_tokens_.back(), reward_token_ids_.front(),
        reward_token_ids_.back(), policy_.tensors->vocab_size());
  }
}

std::vector<std::size_t> QuarkRun::take_prompts(std::int64_t round) {
  // Round r takes the next rollout_batch_size prompts of seeded per-epoch permutations.
  if (!prompt_batches_) {
    prompt_batches_.emplace(derive_seed(context_.seed(), "prompts"), prompts_.prompts.size(),
                            static_cast<std::size_t>(settings_.rollout_batch_size));
  }
  return prompt_batches_->batch(round);
}

void QuarkRun::sample(std::int64_t round) {
  const auto chosen = take_prompts(round);
  // The first round samples the unconditioned policy (AlpacaFarm ignored the reward token
  // then); later rounds in all_quantiles mode are conditioned on the best token.
  const bool conditioned = settings_.mode == QuarkMode::all_quantiles && round > 0;
  std::vector<std::string> texts;
  std::vector<InstructionPrompt> instructions;
  for (std::size_t index : chosen) {
    texts.push_back(conditioned ? reward_tokens_.front() + prompts_.texts[index]
                                : prompts_.texts[index]);
    instructions.push_back(prompts_.prompts[index]);
  }
  GenerationOptions options;
  options.temperature = settings_.temperature;
  options.top_p = settings_.top_p;
  options.max_new_tokens = settings_.max_new_tokens;
  options.batch_size = settings_.generation_batch_size;
  options.seed = derive_seed(context_.seed(), "rollouts " + std::to_string(round));
  const auto started = Clock::now();
  policy_.tensors->set_training(false);
  const auto generated = policy_.generator->generate(texts, options);
  const double generation_seconds = seconds_since(started);
  std::vector<std::string> responses;
  for (const auto& samples : generated) responses.push_back(samples.front().text);
  const auto rewards = scorer_->score(instructions, responses);

  if (settings_.clear_pool_each_round) pool_.clear();
  double reward_sum = 0, length_sum = 0;
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    const Generation& generation = generated[i].front();
    if (!std::isfinite(rewards[i])) {
      throw Error(where() +
                  ": the reward model gave a non-finite score to the response to "
                  "prompt row " +
                  std::to_string(prompts_.rows[chosen[i]]) + " in round " +
                  std::to_string(round + 1));
    }
    if (generation.token_ids.empty()) continue;  // nothing to learn from
    pool_.push_back({chosen[i], generation.token_ids, generation.text, rewards[i], round + 1});
    reward_sum += rewards[i];
    length_sum += static_cast<double>(generation.token_ids.size());
  }
  const double count = static_cast<double>(chosen.size());
  context_.metric(round + 1, "reward/proxy", reward_sum / count);
  context_.metric(round + 1, "rollout/response_length", length_sum / count);
  context_.metric(round + 1, "time/generation_seconds", generation_seconds);
  summary_["rounds"].push_back({{"round", round + 1}, {"mean_reward", reward_sum / count}});
  summary_["final_proxy_reward"] = reward_sum / count;
}

std::vector<QuarkExample> QuarkRun::training_set(std::int64_t round) {
  std::vector<double> rewards;
  for (const PoolEntry& entry : pool_) rewards.push_back(entry.reward);
  const auto quantile_of = assign_quantiles(rewards, settings_.quantiles);
  const auto means = quantile_reward_means(rewards, quantile_of, settings_.quantiles);
  context_.metric(round + 1, "pool/size", static_cast<double>(pool_.size()));
  for (std::size_t q = 0; q < means.size(); ++q)
    context_.metric(round + 1, "pool/reward_mean/q" + std::to_string(q), means[q]);
  summary_["pool_size"] = pool_.size();
  summary_["pool_reward_mean_by_quantile"] = means;

  std::vector<QuarkExample> examples;
  for (std::size_t i = 0; i < pool_.size(); ++i) {
    const std::int64_t quantile = quantile_of[i];
    if (settings_.mode == QuarkMode::top_quantile) {
      if (quantile == 0) examples.push_back({&pool_[i], std::nullopt});
    } else {
      examples.push_back({&pool_[i], reward_token_ids_[static_cast<std::size_t>(quantile)]});
    }
  }
  return examples;
}

void QuarkRun::train(std::int64_t round, const std::vector<QuarkExample>& examples,
                     Progress& progress) {
  // The round's samples: passes over seeded permutations of the training set, cut into
  // steps of step_batch_size.
  const std::uint64_t order_seed = derive_seed(context_.seed(), "round " + std::to_string(round));
  std::vector<std::size_t> stream;
  const auto needed =
      static_cast<std::size_t>(settings_.steps_per_round * settings_.step_batch_size);
  for (std::int64_t pass = 0; stream.size() < needed; ++pass) {
    for (std::size_t index : learning::epoch_permutation(order_seed, pass, examples.size()))
      stream.push_back(index);
  }
  const auto started = Clock::now();
  const torch::Device device = policy_.tensors->device();
  QuarkStepInputs step_inputs;
  step_inputs.policy = policy_.tensors;
  step_inputs.reference = reference_.tensors;
  step_inputs.prompt_ids = &prompts_.ids;
  step_inputs.prefix_length = prefix_length_;
  step_inputs.reference_vocabulary = original_vocabulary_;
  step_inputs.kl_coefficient = settings_.kl_coefficient;
  step_inputs.entropy_coefficient = settings_.entropy_coefficient;
  policy_.tensors->set_training(true);
  for (std::int64_t step = 0; step < settings_.steps_per_round; ++step) {
    const auto step_started = Clock::now();
    std::vector<QuarkExample> chosen;
    for (std::int64_t i = 0; i < settings_.step_batch_size; ++i)
      chosen.push_back(
          examples[stream[static_cast<std::size_t>(step * settings_.step_batch_size + i)]]);
    const std::int64_t number = optimizer_steps_ + 1;
    const double learning_rate = optimizer_steps_ < settings_.warmup_steps
                                     ? settings_.learning_rate *
                                           static_cast<double>(optimizer_steps_ + 1) /
                                           static_cast<double>(settings_.warmup_steps)
                                     : settings_.learning_rate;
    optimizer_->zero_grad();
    // Gradient shards on the CPU: their count depends on the rows alone, so the weights do
    // not depend on the thread count.
    const std::size_t shards = device.is_cpu() ? learning::gradient_shard_count(chosen.size()) : 1;
    const QuarkStepFigures figures = quark_step_gradients(step_inputs, chosen, parameters_, shards);
    const double loss_value = figures.loss;
    const learning::GuardedStep guarded = learning::guarded_step(
        *optimizer_, parameters_, loss_value, learning_rate, settings_.max_grad_norm);
    const double norm = guarded.norm;
    if (!guarded.taken()) {
      const std::string& what = guarded.non_finite;
      if (settings_.on_nan == learning::NanPolicy::fail) {
        throw Error(where() + ": the " + what + " is not finite at optimizer step " +
                    std::to_string(number) + " (round " + std::to_string(round + 1) + " of " +
                    std::to_string(settings_.rounds) + "); " +
                    (last_checkpoint_.empty() ? "no checkpoint has been written yet"
                                              : "the last good checkpoint is " + last_checkpoint_ +
                                                    " (running again resumes from it)") +
                    ". Lower learning_rate, or set on_nan = \"skip\" to drop such steps");
      }
      ++skipped_steps_;
      context_.log().warn("skipped optimizer step {}: the {} is not finite (on_nan = \"skip\")",
                          number, what);
      context_.metric(number, "train/skipped_steps", static_cast<double>(skipped_steps_));
    } else {
      const double seconds = seconds_since(step_started);
      const double tokens = figures.positions;
      context_.metric(number, "train/loss", loss_value);
      context_.metric(number, "train/nll", figures.nll);
      context_.metric(number, "train/kl", figures.kl);
      context_.metric(number, "train/entropy", figures.entropy);
      context_.metric(number, "train/grad_norm", norm);
      context_.metric(number, "train/lr", learning_rate);
      if (seconds > 0) context_.metric(number, "train/tokens_per_second", tokens / seconds);
      progress.add_tokens(static_cast<std::uint64_t>(tokens));
      std::ostringstream status;
      status.precision(3);
      status << "reward " << summary_["final_proxy_reward"].get<double>() << ", nll " << figures.nll
             << ", kl " << figures.kl;
      progress.set_status(status.str());
      summary_["final_kl"] = figures.kl;
      summary_["final_nll"] = figures.nll;
    }
    optimizer_->zero_grad();
    optimizer_steps_ = number;
  }
  policy_.tensors->set_training(false);
  context_.metric(round + 1, "time/training_seconds", seconds_since(started));
}

void QuarkRun::save(std::int64_t round) {
  last_checkpoint_ =
      store_
          .save(round,
                [&](const fs::path& directory) {
                  std::vector<torch::Tensor> weights;
                  for (const auto& parameter : parameters_) weights.push_back(parameter.detach());
                  torch::save(weights, (directory / "parameters.pt").string());
                  torch::save(*optimizer_, (directory / "optimizer.pt").string());
                  save_pool(pool_, directory / "pool.jsonl");
                  const nlohmann::ordered_json state = {
                      {"format", kCheckpointFormat},         {"round", round},
                      {"optimizer_steps", optimizer_steps_}, {"skipped_steps", skipped_steps_},
                      {"prompts", prompts_.prompts.size()},  {"mode", to_string(settings_.mode)},
                      {"quantiles", settings_.quantiles},    {"summary", summary_}};
                  learning::write_file_atomically(directory / "state.json",
                                                  state.dump(2) + "\n");  // last: completes it
                })
          .string();
  saved_round_ = round;
  context_.log().info("checkpoint after round {} in {}", round, last_checkpoint_);
}

std::int64_t QuarkRun::restore(const fs::path& directory) {
  const auto state =
      nlohmann::ordered_json::parse(learning::read_whole_file(directory / "state.json"));
  if (state.at("prompts").get<std::size_t>() != prompts_.prompts.size() ||
      state.at("mode").get<std::string>() != to_string(settings_.mode) ||
      state.at("quantiles").get<std::int64_t>() != settings_.quantiles) {
    throw Error(where() + ": the checkpoint " + directory.string() +
                " was written for another prompt set, mode or number of quantiles; delete the "
                "node's work directory or re-run with --force");
  }
  std::vector<torch::Tensor> weights;
  torch::load(weights, (directory / "parameters.pt").string());
  if (weights.size() != parameters_.size())
    throw Error(where() + ": the checkpoint " + directory.string() + " does not fit this model");
  {
    torch::NoGradGuard no_grad;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (!weights[i].sizes().equals(parameters_[i].sizes()))
        throw Error(where() + ": tensor " + std::to_string(i) + " of the checkpoint " +
                    directory.string() + " has another shape than the model's");
      parameters_[i].copy_(weights[i]);
    }
  }
  torch::load(*optimizer_, (directory / "optimizer.pt").string(), policy_.tensors->device());
  pool_ = load_pool(directory / "pool.jsonl");
  for (const PoolEntry& entry : pool_) {
    if (entry.prompt >= prompts_.prompts.size())
      throw Error(where() + ": " + (directory / "pool.jsonl").string() +
                  " names a prompt this run does not have");
  }
  optimizer_steps_ = state.at("optimizer_steps").get<std::int64_t>();
  skipped_steps_ = state.at("skipped_steps").get<std::int64_t>();
  summary_ = state.at("summary");
  last_checkpoint_ = directory.string();
  const auto round = state.at("round").get<std::int64_t>();
  saved_round_ = round;
  context_.log().info("resuming from {} after round {} ({} samples in the pool)",
                      directory.string(), round, pool_.size());
  return round;
}

void QuarkRun::finish_model() {
  policy_.tensors->set_training(false);
  if (settings_.mode != QuarkMode::all_quantiles) return;
  // Every later user of the model (generate, best_of_n, evaluation) prompts it through its
  // template, so the best reward token goes there, before the prompt as in training.
  auto& editor = *policy_.model->as<InstructionTemplateEditor>();
  InstructionTemplate conditioned = editor.instruction_template();
  conditioned.with_input = reward_tokens_.front() + conditioned.with_input;
  conditioned.without_input = reward_tokens_.front() + conditioned.without_input;
  editor.set_instruction_template(conditioned);
}

void QuarkRun::run() {
  configure_torch_threads();
  prepare_models();
  prompts_ = rl::make_prompt_pool(*context_.input<Dataset>("prompts"), *policy_.tensors,
                                  *policy_.generator, settings_.max_prompt_tokens,
                                  where() + ": input 'prompts'");
  if (prompts_.dropped > 0)
    context_.log().info("dropped {} prompts longer than {} tokens", prompts_.dropped,
                        settings_.max_prompt_tokens);
  prefix_length_ = policy_.tensors->sequence_prefix().size();
  std::size_t longest = 0;
  for (const auto& ids : prompts_.ids) longest = std::max(longest, ids.size());
  const auto needed = static_cast<std::int64_t>(longest) + 1 + settings_.max_new_tokens;
  if (needed > policy_.tensors->max_sequence_length()) {
    throw Error(where() + ": the longest prompt (" + std::to_string(longest) +
                " tokens) + a reward token + max_new_tokens (" +
                std::to_string(settings_.max_new_tokens) + ") exceed the model's " +
                std::to_string(policy_.tensors->max_sequence_length()) +
                " positions; lower max_prompt_tokens or max_new_tokens");
  }

  parameters_ = policy_.tensors->parameters();
  optimizer_ = learning::make_adamw(parameters_, {settings_.learning_rate, /*weight_decay=*/0.0,
                                                  0.9, 0.999, settings_.adam_epsilon});
  summary_["mode"] = to_string(settings_.mode);
  summary_["quantiles"] = settings_.quantiles;
  summary_["reward_tokens"] = reward_tokens_;
  summary_["rounds"] = nlohmann::ordered_json::array();

  std::int64_t start = 0;
  if (const auto latest = store_.latest()) start = restore(*latest);
  auto progress = context_.progress("quark rounds", static_cast<std::uint64_t>(settings_.rounds));
  progress->advance(static_cast<std::uint64_t>(start));
  learning::ResumableLoop loop;
  loop.start = start;
  loop.total = settings_.rounds;
  loop.checkpoint_every = settings_.checkpoint_every;
  loop.stop_after = settings_.stop_after_rounds;
  loop.unit = "rounds";
  loop.stop_parameter = "stop_after_rounds";
  loop.where = where();
  loop.cancelled = [&] { return context_.cancelled(); };
  loop.saved = [&] { return saved_round_; };
  loop.save = [&](std::int64_t done) { save(done); };
  loop.iterate = [&](std::int64_t round) {
    sample(round);
    const auto examples = training_set(round);
    train(round, examples, *progress);
    progress->advance();
  };
  learning::run_resumable_loop(loop);
  progress->finish();
  finish_model();
  summary_["optimizer_steps"] = optimizer_steps_;
  summary_["skipped_steps"] = skipped_steps_;
  summary_["prompt_prefix"] =
      settings_.mode == QuarkMode::all_quantiles ? reward_tokens_.front() : std::string();
  context_.set_output("model", policy_.model);
  context_.set_output("report", std::make_shared<Report>(summary_));
}

}  // namespace

NodeTypeDeclaration quark_node_type() {
  NodeTypeSpec spec;
  spec.name = "quark";
  spec.kind = NodeKind::learner;
  spec.summary = "Quark: reward-quantised conditioning on a growing pool of the policy's samples.";
  spec.doc =
      "Each round samples one response per prompt from the current policy, scores it with the "
      "frozen reward model and adds it to a pool; the pool is sorted by reward and cut into "
      "`quantiles` quantiles. mode = \"top_quantile\" (default, AlpacaFarm's) trains on the best "
      "quantile; \"all_quantiles\" trains on every quantile after its reward token "
      "<|reward_K|> (0 = best) and saves the model prompting with <|reward_0|>. Loss per "
      "response token: NLL + kl_coefficient * KL(policy || reference) - entropy_coefficient * "
      "entropy.";
  spec.inputs = {
      {"policy", "Model",
       "the policy to train (usually the SFT model); left unchanged, a copy is trained"},
      {"reward", "Model", "the frozen reward model (RewardScorer)"},
      {"prompts", "Dataset", "instructions to sample for (the unlabeled split)"},
      {"reference", "Model", "the frozen reference of the KL term (default: the policy input)",
       /*optional=*/true},
  };
  spec.outputs = {{"model", "Model", "the trained policy"},
                  {"report", "Report", "mode, reward tokens, pool statistics, reward per round"}};
  const SettingsSchema<QuarkSettings> schema = quark_schema();
  spec.params = schema.specs();
  NodeTypeDeclaration declaration;
  declaration.spec =
      make_node_type(std::move(spec), [](NodeContext& context) { QuarkRun(context).run(); });
  declaration.rules = schema.param_rules();
  learning::declare_reward_learner_ports(declaration);
  return declaration;
}

}  // namespace paddock::quark
