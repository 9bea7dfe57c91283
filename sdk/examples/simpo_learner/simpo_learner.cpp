// simpo: Simple Preference Optimization (Meng, Xia and Chen, 2024, arXiv:2405.14734), a
// preference learner without a reference model, written against the installed SDK and its
// `learning` component. For a pair with preferred response y_w and the other y_l, the reward
// of a response is its length-normalised log-probability, and the loss is
//   -log sigmoid(beta / |y_w| * log pi(y_w | x) - beta / |y_l| * log pi(y_l | x) - gamma).
// The loop (batches, accumulation, AdamW schedule, clipping, NaN guard, checkpoints and
// resume, cancellation, data parallelism, metrics) is the SDK's run_training.
#include <torch/torch.h>

#include "paddock/learning/model_access.hpp"
#include "paddock/learning/preference_sequences.hpp"
#include "paddock/learning/trainer.hpp"
#include "paddock/paddock.hpp"

namespace {

using namespace paddock;
using namespace paddock::learning;

struct SimpoSettings {
  TrainingSettings training = [] {
    TrainingSettings defaults;
    defaults.epochs = 2;
    defaults.learning_rate = 5e-5;
    defaults.warmup_ratio = 0.1;
    defaults.max_length = 256;
    defaults.checkpoint_every = 100;
    return defaults;
  }();
  double beta = 2.0;   // scale of the reward difference
  double gamma = 0.5;  // target reward margin
};

SettingsSchema<SimpoSettings> simpo_schema() {
  SettingsSchema<SimpoSettings> schema;
  schema.group(&SimpoSettings::training, training_schema())
      .number("beta", &SimpoSettings::beta, "scale of the length-normalised reward", 0.0)
      .number("gamma", &SimpoSettings::gamma, "target reward margin", 0.0)
      .rule({"beta"}, "beta is positive",
            [](const SimpoSettings& s) { return s.beta > 0 ? "" : "beta must be above 0"; });
  return schema;
}

struct PairStatistics {
  double margin = 0;          // mean beta * (avg log p(y_w) - avg log p(y_l))
  double accuracy = 0;        // share of pairs whose margin is positive
  double chosen_logprob = 0;  // mean per-token log-probability of the preferred responses
};

PairStatistics statistics(CausalLanguageModel& model, const std::vector<TokenPair>& pairs,
                          double beta) {
  torch::NoGradGuard no_grad;
  PairStatistics sums;
  for (std::size_t first = 0; first < pairs.size(); first += 16) {
    std::vector<std::size_t> rows;
    for (std::size_t row = first; row < std::min(pairs.size(), first + 16); ++row)
      rows.push_back(row);
    auto [chosen, rejected] = pair_logprobs(model, pairs, rows, /*per_token_mean=*/true);
    const auto margin = beta * (chosen - rejected);
    sums.margin += margin.sum().item<double>();
    sums.accuracy += (margin > 0).sum().item<double>();
    sums.chosen_logprob += chosen.sum().item<double>();
  }
  const auto count = static_cast<double>(pairs.size());
  return {sums.margin / count, sums.accuracy / count, sums.chosen_logprob / count};
}

void run_simpo(NodeContext& context) {
  configure_torch_threads();
  const SimpoSettings s = simpo_schema().read(context.params());
  const LanguageModel policy = clone_for_training(context, "model");
  const TokenPairs data = tokenize_preference_pairs(policy, *context.input<Dataset>("pairs"),
                                                    {context.node_name(), "pairs"},
                                                    s.training.max_length, Truncation::cut);
  const PairStatistics before = statistics(*policy.tensors, data.pairs, s.beta);

  TrainingTask task;
  task.label = "simpo";
  task.example_count = data.pairs.size();
  task.example_lengths = pair_lengths(data.pairs);
  task.data_seed = context.seed();
  task.checkpoint_root = context.work_dir() / "checkpoints";
  task.metric_keys = {"reward_margin"};
  task.micro_batch_loss = [&](const std::vector<std::size_t>& rows) {
    auto [chosen, rejected] = pair_logprobs(*policy.tensors, data.pairs, rows, true);
    const auto margin = s.beta * (chosen - rejected);
    MicroBatchLoss result;
    result.loss = -torch::nn::functional::logsigmoid(margin - s.gamma).mean();
    for (std::size_t row : rows)
      result.tokens += static_cast<std::int64_t>(data.pairs[row].chosen.ids.size() +
                                                 data.pairs[row].rejected.ids.size());
    result.metrics["reward_margin"] = margin.mean().item<double>();
    return result;
  };
  const TrainingSummary summary =
      run_training(context, *policy.model, *policy.tensors, s.training, task);

  const PairStatistics after = statistics(*policy.tensors, data.pairs, s.beta);
  context.set_output("model", policy.model);
  context.set_output("report", std::make_shared<Report>(nlohmann::ordered_json{
                                   {"pairs", data.pairs.size()},
                                   {"optimizer_steps", summary.total_steps},
                                   {"last_loss", summary.last_loss},
                                   {"reward_margin_before", before.margin},
                                   {"reward_margin_after", after.margin},
                                   {"accuracy_before", before.accuracy},
                                   {"accuracy_after", after.accuracy},
                                   {"chosen_logprob_before", before.chosen_logprob},
                                   {"chosen_logprob_after", after.chosen_logprob}}));
}

void register_simpo(Registrar& registrar) {
  const auto schema = simpo_schema();
  NodeTypeSpec spec{
      "simpo",
      NodeKind::learner,
      "SimPO: preference optimisation with a length-normalised, reference-free reward.",
      "",
      {{"model", "Model", "the policy to start from (copied)"},
       {"pairs", "Dataset", "instruction, input, output_1, output_2, preference"}},
      {{"model", "Model", "the trained policy"},
       {"report", "Report", "reward margin and accuracy before and after"}},
      schema.specs()};
  const std::vector<std::string> causal_lm = {capability::kGenerate, capability::kLogprobs,
                                              capability::kTrain};
  add_node_type(registrar, {make_node_type(std::move(spec), run_simpo),
                            schema.param_rules(),
                            {{"model", causal_lm}},
                            {{"model", causal_lm}},
                            /*data_parallel=*/true});
}

}  // namespace

PADDOCK_PLUGIN("simpo", "0.1.0", "SimPO, a reference-free preference learner (an SDK example).",
               register_simpo)
