// `expert_iteration`: best-of-n on unlabeled prompts, then supervised fine-tuning of a copy
// of `start` on the winners, for one or more rounds (AlpacaFarm ran one: best-of-16 from the
// SFT model, then SFT from SFT10k). Round k > 1 samples from round k-1's model.
//
// Work directory: round-K/winners.jsonl (the round's best-of-n outputs), round-K/checkpoints/
// (the fine-tuning's checkpoints) and round-K/final/parameters.pt once the round is done, so
// an interrupted run skips finished rounds and resumes the unfinished one.
#include <torch/torch.h>

#include "paddock/dataset.hpp"
#include "paddock/error.hpp"
#include "paddock/learning/best_of_n_selection.hpp"
#include "paddock/learning/checkpoint_store.hpp"
#include "paddock/learning/generation.hpp"
#include "paddock/learning/learner_nodes.hpp"
#include "paddock/learning/supervised_training.hpp"
#include "paddock/seed.hpp"
#include "paddock/simple_node.hpp"

namespace paddock::learning {
namespace fs = std::filesystem;
namespace {

void save_parameters(CausalLanguageModel& model, const fs::path& directory) {
  const fs::path partial = directory.string() + ".partial";
  fs::remove_all(partial);
  fs::create_directories(partial);
  std::vector<torch::Tensor> weights;
  for (const torch::Tensor& parameter : model.parameters()) weights.push_back(parameter.detach());
  torch::save(weights, (partial / "parameters.pt").string());
  fs::remove_all(directory);
  fs::rename(partial, directory);
}

void load_parameters(CausalLanguageModel& model, const fs::path& directory) {
  std::vector<torch::Tensor> weights;
  torch::load(weights, (directory / "parameters.pt").string());
  auto parameters = model.parameters();
  if (weights.size() != parameters.size())
    throw Error("the saved round in " + directory.string() + " does not fit the start model");
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < weights.size(); ++i) parameters[i].copy_(weights[i]);
}

struct ExpertIterationSettings {
  SftSettings sft;
  GenerationOptions sampling = sampling_defaults(/*temperature=*/1.0);
  std::int64_t n = 16;
  std::int64_t rounds = 1;
};

SettingsSchema<ExpertIterationSettings> expert_iteration_schema() {
  using S = ExpertIterationSettings;
  SettingsSchema<S> schema;
  schema.group(&S::sft, sft_schema(/*with_objective=*/false))
      .group(&S::sampling, generation_schema("generation_batch_size", false))
      .integer("n", &S::n, "samples per prompt", 1.0)
      .integer("rounds", &S::rounds, "sample-then-fine-tune rounds", 1.0);
  return schema;
}

void run_expert_iteration(NodeContext& context) {
  configure_torch_threads();
  const ExpertIterationSettings all = expert_iteration_schema().read(context.params());
  const TrainingSettings& settings = all.sft.training;
  const SftDataOptions data_options = all.sft.data_options();
  const auto prompts = context.input<Dataset>("prompts");
  const auto reward = context.input<Model>("reward");
  RewardScorer& scorer = require_reward_scorer(*reward, context, "reward");
  std::shared_ptr<Model> sampler = context.input<Model>("model");
  GenerationOptions options = all.sampling;
  options.samples_per_prompt = all.n;
  const std::int64_t rounds = all.rounds;

  LanguageModel student;
  std::shared_ptr<Dataset> winners;
  for (std::int64_t round = 1; round <= rounds; ++round) {
    context.throw_if_cancelled();
    const std::string name = "round-" + std::to_string(round);
    const fs::path directory = context.work_dir() / name;
    fs::create_directories(directory);
    const std::uint64_t round_seed = derive_seed(context.seed(), name);

    // Best-of-n, cached so a resumed run does not sample again.
    const fs::path winners_file = directory / "winners.jsonl";
    if (fs::exists(winners_file)) {
      winners = std::make_shared<Dataset>(Dataset::load(winners_file));
    } else {
      TextGenerator& generator = require_text_generator(*sampler, context, "model");
      BestOfNStatistics statistics;
      winners = std::make_shared<Dataset>(
          best_of_n(context, generator, scorer, *prompts, {context.node_name(), "prompts"}, options,
                    round_seed, context.node_name(), name + " best_of_n", &statistics));
      winners->save_jsonl(winners_file);
      context.metric(round, "expert_iteration/mean_best_reward", statistics.mean_best_reward);
      context.metric(round, "expert_iteration/mean_sample_reward", statistics.mean_sample_reward);
      context.log().info("{}: best of {} mean reward {:.4f} (all samples {:.4f})", name,
                         options.samples_per_prompt, statistics.mean_best_reward,
                         statistics.mean_sample_reward);
    }

    // SFT from a fresh copy of `start` on the winners.
    student = clone_for_training(context, "start");
    const fs::path finished = directory / "final";
    if (fs::exists(finished / "parameters.pt")) {
      load_parameters(*student.tensors, finished);
      context.log().info("{}: already trained, loaded from {}", name, finished.string());
    } else {
      const auto train = sft_sequences(student, *winners, data_options,
                                       {context.node_name(), name + " winners"}, context.log());
      TrainingTask task;
      task.label = name + " sft";
      task.metric_prefix = name + "/";
      task.data_seed = round_seed;
      task.checkpoint_root = directory / "checkpoints";
      run_supervised_training(context, student, train, {}, settings, task);
      save_parameters(*student.tensors, finished);
    }
    student.tensors->set_training(false);
    sampler = student.model;
  }
  context.set_output("model", student.model);
  context.set_output("winners", winners);
}

}  // namespace

NodeTypeDeclaration expert_iteration_node_type() {
  NodeTypeSpec spec;
  spec.name = "expert_iteration";
  spec.kind = NodeKind::learner;
  spec.summary = "Best-of-n on unlabeled prompts, then SFT on the winners, for some rounds.";
  spec.doc =
      "Round 1 samples n outputs per prompt from `model`, keeps the one `reward` scores highest, "
      "and fine-tunes a copy of `start` on those winners with the SFT parameters. Each later "
      "round samples from the previous round's model and fine-tunes `start` again. Outputs the "
      "last round's model and winners. Metrics expert_iteration/mean_best_reward per round and "
      "round-K/train/* for each round's fine-tuning.";
  spec.inputs = {
      {"model", "Model", "the policy to sample from in round 1"},
      {"reward", "Model", "a model with a reward head"},
      {"prompts", "Dataset", "unlabeled prompts: instruction and (optional) input"},
      {"start", "Model", "the model each round fine-tunes from (copied), usually the SFT model"},
  };
  spec.outputs = {
      {"model", "Model", "the last round's fine-tuned model"},
      {"winners", "Dataset", "the last round's best-of-n outputs, with their rewards"},
  };
  const auto schema = expert_iteration_schema();
  spec.params = schema.specs();
  NodeTypeDeclaration declaration;
  declaration.spec = make_node_type(std::move(spec), run_expert_iteration);
  declaration.rules = schema.param_rules();
  const std::vector<std::string> causal_lm = causal_lm_capabilities();
  declaration.required = {
      {"model", {capability::kGenerate}}, {"reward", {capability::kReward}}, {"start", causal_lm}};
  declaration.promised = {{"model", causal_lm}};
  return declaration;
}

}  // namespace paddock::learning
