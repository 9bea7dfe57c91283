// `reward_model`: a Bradley-Terry reward model on pairwise preferences. The trunk starts
// from `model` (usually the SFT model) with a zero-initialised linear head on the last
// token's hidden state; the loss is BCE-with-logits on r(output_2) - r(output_1) with label
// (preference == 2), as AlpacaFarm trains it. Held-out pairs give accuracy, the label
// positive rate, TPR and FPR.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>

#include "paddock/dataset.hpp"
#include "paddock/error.hpp"
#include "paddock/learning/learner_nodes.hpp"
#include "paddock/learning/pair_batches.hpp"
#include "paddock/learning/preference_pairs.hpp"
#include "paddock/learning/token_sequences.hpp"
#include "paddock/learning/trainer.hpp"
#include "paddock/random.hpp"
#include "paddock/report.hpp"
#include "paddock/seed.hpp"
#include "paddock/simple_node.hpp"
#include "paddock/torch/shared_prompt_rows.hpp"
#include "paddock/torch/side_by_side.hpp"

namespace paddock::learning {
namespace {

struct HeldOutMetrics {
  std::size_t pairs = 0;
  double loss = 0.0;
  double accuracy = 0.0;
  double label_positive_rate = 0.0;
  double true_positive_rate = 0.0;
  double false_positive_rate = 0.0;
};

std::optional<TokenSequence> keep_end(TokenSequence sequence, std::int64_t limit, bool drop) {
  const auto length = static_cast<std::int64_t>(sequence.ids.size());
  if (length <= limit) return sequence;
  if (drop) return std::nullopt;
  sequence.ids.erase(sequence.ids.begin(), sequence.ids.end() - limit);
  sequence.prompt_length = 0;
  return sequence;
}

// r(second) - r(first) for each pair of `sides`: [B]. A response in several pairs is scored
// once, and the responses to one prompt share one pass over it; `tokens`, when given, gets
// the tokens that pass reads.
torch::Tensor preference_logits(CausalLanguageModel& model, const DistinctSides& sides,
                                std::int64_t* tokens = nullptr) {
  std::vector<PromptedSequence> sequences;
  for (const TokenSequence* sequence : sides.sequences)
    sequences.push_back({&sequence->ids, sequence->prompt_length});
  const SharedPromptRows rows =
      pack_shared_prompts(sequences, model.pad_token_id(), model.device());
  if (tokens) *tokens = rows.tokens;
  const auto rewards = shared_prompt_rewards(model, rows);
  const auto index = [&](const std::vector<std::int64_t>& positions) {
    return torch::tensor(positions, torch::kLong).to(model.device());
  };
  return rewards.index_select(0, index(sides.second)) - rewards.index_select(0, index(sides.first));
}

torch::Tensor labels_of(const std::vector<SequencePair>& pairs,
                        const std::vector<std::size_t>& rows, torch::Device device) {
  std::vector<float> labels;
  for (std::size_t row : rows) labels.push_back(pairs[row].label);
  return torch::tensor(labels, torch::kFloat32).to(device);
}

// AlpacaFarm's compute_reward_modeling_metrics: predicted positive when the logit is >= 0.
// The batches run side by side on the CPU, one intra-op thread each.
HeldOutMetrics evaluate(CausalLanguageModel& model, const std::vector<SequencePair>& pairs,
                        std::int64_t batch_size) {
  HeldOutMetrics metrics;
  metrics.pairs = pairs.size();
  if (pairs.empty()) return metrics;
  const auto step = static_cast<std::size_t>(batch_size);
  std::vector<float> logits(pairs.size());
  const auto run_batch = [&](std::size_t b) {
    torch::NoGradGuard no_grad;
    std::vector<std::size_t> rows;
    for (std::size_t i = b * step; i < std::min(pairs.size(), (b + 1) * step); ++i)
      rows.push_back(i);
    const auto values = preference_logits(model, distinct_sides(pairs, rows))
                            .to(torch::kCPU, torch::kFloat32)
                            .contiguous();
    std::copy_n(values.data_ptr<float>(), rows.size(), logits.begin() + rows.front());
  };
  run_pieces((pairs.size() + step - 1) / step, run_batch, model.device().is_cpu());
  double loss = 0, correct = 0, positives = 0, true_positives = 0, false_positives = 0;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const double logit = logits[i], label = pairs[i].label;
    // BCE-with-logits, in its stable form.
    loss += std::max(logit, 0.0) - logit * label + std::log1p(std::exp(-std::abs(logit)));
    const double predicted = logit >= 0 ? 1.0 : 0.0;
    correct += predicted == label ? 1.0 : 0.0;
    positives += label;
    true_positives += predicted * label;
    false_positives += predicted * (1 - label);
  }
  const double n = static_cast<double>(pairs.size());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  metrics.loss = loss / n;
  metrics.accuracy = correct / n;
  metrics.label_positive_rate = positives / n;
  metrics.true_positive_rate = positives > 0 ? true_positives / positives : nan;
  metrics.false_positive_rate = n - positives > 0 ? false_positives / (n - positives) : nan;
  return metrics;
}

nlohmann::ordered_json finite_or_null(double value) {
  return std::isfinite(value) ? nlohmann::ordered_json(value) : nlohmann::ordered_json(nullptr);
}

struct RewardModelSettings {
  TrainingSettings training = [] {
    TrainingSettings defaults;
    defaults.epochs = 2;
    defaults.batch_size = 16;
    defaults.learning_rate = 5e-5;
    defaults.max_length = 256;
    defaults.checkpoint_every = 100;
    return defaults;
  }();
  std::int64_t eval_pairs = 100;
  Truncation truncation = Truncation::cut;
  bool batch_by_prompt = false;
};

SettingsSchema<RewardModelSettings> reward_model_schema() {
  using S = RewardModelSettings;
  SettingsSchema<S> schema;
  schema.group(&S::training, training_schema())
      .integer("eval_pairs", &S::eval_pairs,
               "pairs held out for evaluation (at most half of the usable ones)", 0.0)
      .choice("truncation", &S::truncation,
              "a pair with a response longer than max_length keeps its last tokens (cut) or is "
              "left out (drop)",
              {{"cut", Truncation::cut}, {"drop", Truncation::drop}})
      .boolean("batch_by_prompt", &S::batch_by_prompt,
               "keep every training pair of a prompt in one micro-batch, so a response shared "
               "by several pairs is scored once; a micro-batch then takes the prompts that hold "
               "about batch_size pairs");
  return schema;
}

void run_reward_model(NodeContext& context) {
  configure_torch_threads();
  const RewardModelSettings reward_settings = reward_model_schema().read(context.params());
  const TrainingSettings& settings = reward_settings.training;
  const bool drop_long = reward_settings.truncation == Truncation::drop;
  const LanguageModel student = clone_for_training(context, "model");
  student.tensors->add_reward_head();

  const auto data = context.input<Dataset>("pairs");
  const PreferencePairs read = read_preference_pairs(*data, {context.node_name(), "pairs"});
  const std::int64_t limit = std::min(settings.max_length, student.tensors->max_sequence_length());
  std::vector<SequencePair> usable;
  std::size_t too_long = 0;
  std::map<std::pair<std::string, std::string>, std::size_t> prompt_numbers;
  for (const PreferencePair& pair : read.pairs) {
    auto first = keep_end(instruction_sequence(student, pair.prompt, pair.output_1, false), limit,
                          drop_long);
    auto second = keep_end(instruction_sequence(student, pair.prompt, pair.output_2, false), limit,
                           drop_long);
    if (!first || !second) {
      ++too_long;
      continue;
    }
    const std::size_t prompt =
        prompt_numbers
            .emplace(std::pair(pair.prompt.instruction, pair.prompt.input), prompt_numbers.size())
            .first->second;
    usable.push_back({std::move(*first), std::move(*second), pair.preference == 2 ? 1.0f : 0.0f,
                      pair.row, prompt});
  }
  if (read.ties + read.unannotated + too_long > 0) {
    context.log().info(
        "reward_model: {} of {} rows used; skipped {} ties, {} unannotated, {} too long",
        usable.size(), data->size(), read.ties, read.unannotated, too_long);
  }
  if (usable.size() < 2) {
    throw Error("node '" + context.node_name() + "': input 'pairs' has " +
                std::to_string(usable.size()) +
                " usable pairs (preference 1 or 2); at least 2 are needed");
  }

  // A seeded held-out split, at most half of the pairs.
  std::vector<std::size_t> order(usable.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::mt19937_64 split_rng(derive_seed(context.seed(), "held-out pairs"));
  shuffle(order, split_rng);
  auto held_out_count = static_cast<std::size_t>(reward_settings.eval_pairs);
  if (held_out_count > usable.size() / 2) {
    context.log().warn("reward_model: eval_pairs = {} but only {} usable pairs; holding out {}",
                       held_out_count, usable.size(), usable.size() / 2);
    held_out_count = usable.size() / 2;
  }
  std::vector<SequencePair> held_out, train;
  for (std::size_t i = 0; i < order.size(); ++i)
    (i < held_out_count ? held_out : train).push_back(usable[order[i]]);

  // The trainer's examples: single pairs, or with batch_by_prompt each prompt's pairs.
  std::vector<std::vector<std::size_t>> units;
  if (reward_settings.batch_by_prompt) {
    units = pairs_by_prompt(train);
  } else {
    for (std::size_t i = 0; i < train.size(); ++i) units.push_back({i});
  }
  TrainingSettings unit_settings = settings;
  if (reward_settings.batch_by_prompt)
    unit_settings.batch_size = prompts_per_batch(settings.batch_size, train.size(), units.size());

  CausalLanguageModel& tensors = *student.tensors;
  HeldOutMetrics last;
  std::int64_t evaluated_at_step = -1;
  TrainingTask task;
  task.label = "reward_model";
  task.example_count = units.size();
  for (const auto& unit : units) {
    std::size_t longest = 0;
    for (std::size_t i : unit)
      longest = std::max({longest, train[i].first.ids.size(), train[i].second.ids.size()});
    task.example_lengths.push_back(longest);
  }
  task.data_seed = context.seed();
  task.checkpoint_root = context.work_dir() / "checkpoints";
  task.metric_keys = {"accuracy"};
  task.micro_batch_loss = [&](const std::vector<std::size_t>& unit_rows) {
    std::vector<std::size_t> rows;
    for (std::size_t unit : unit_rows)
      rows.insert(rows.end(), units[unit].begin(), units[unit].end());
    const DistinctSides sides = distinct_sides(train, rows);
    MicroBatchLoss result;
    const auto logits = preference_logits(tensors, sides, &result.tokens);
    const auto labels = labels_of(train, rows, tensors.device());
    result.loss = torch::binary_cross_entropy_with_logits(logits, labels);
    result.normalizer = static_cast<double>(rows.size());  // a mean over pairs
    result.metrics["accuracy"] =
        ((logits >= 0).to(torch::kFloat32) == labels).to(torch::kFloat32).mean().item<double>();
    return result;
  };
  task.end_of_epoch = [&](std::int64_t epoch, std::int64_t step) {
    if (held_out.empty()) return;
    last = evaluate(tensors, held_out, settings.batch_size);
    evaluated_at_step = step;
    context.metric(step, "eval/loss", last.loss);
    context.metric(step, "eval/accuracy", last.accuracy);
    context.metric(step, "eval/label_positive_rate", last.label_positive_rate);
    context.metric(step, "eval/true_positive_rate", last.true_positive_rate);
    context.metric(step, "eval/false_positive_rate", last.false_positive_rate);
    context.log().info("reward_model: epoch {} held-out accuracy {:.3f} on {} pairs", epoch + 1,
                       last.accuracy, held_out.size());
  };
  const std::int64_t total_steps = total_optimizer_steps(unit_settings, units.size());
  if (reward_settings.batch_by_prompt) {
    context.log().info(
        "reward_model: {} training pairs of {} prompts, {} held out; {} prompts (about {:.1f} "
        "pairs) per micro-batch, {} optimizer steps",
        train.size(), units.size(), held_out.size(), unit_settings.batch_size,
        static_cast<double>(unit_settings.batch_size * static_cast<std::int64_t>(train.size())) /
            static_cast<double>(units.size()),
        total_steps);
  } else {
    context.log().info("reward_model: {} training pairs, {} held out; {} optimizer steps",
                       train.size(), held_out.size(), total_steps);
  }
  run_training(context, *student.model, tensors, unit_settings, task);
  // A resumed run that skipped the last epoch's hook evaluates now; otherwise the hook's
  // figures are the final model's.
  if (evaluated_at_step != total_steps) last = evaluate(tensors, held_out, settings.batch_size);

  nlohmann::ordered_json report;
  report["held_out_pairs"] = held_out.size();
  report["train_pairs"] = train.size();
  report["accuracy"] = finite_or_null(last.accuracy);
  report["label_positive_rate"] = finite_or_null(last.label_positive_rate);
  report["true_positive_rate"] = finite_or_null(last.true_positive_rate);
  report["false_positive_rate"] = finite_or_null(last.false_positive_rate);
  report["loss"] = finite_or_null(last.loss);
  report["skipped"] = {
      {"ties", read.ties}, {"unannotated", read.unannotated}, {"too_long", too_long}};
  // The held-out rows as they came in (all columns), for reward_eval's fuller measures.
  auto held_out_rows = std::make_shared<Dataset>();
  for (const SequencePair& pair : held_out) held_out_rows->add((*data)[pair.row]);
  context.set_output("model", student.model);
  context.set_output("report", std::make_shared<Report>(std::move(report)));
  context.set_output("held_out", std::move(held_out_rows));
}

}  // namespace

NodeTypeDeclaration reward_model_node_type() {
  NodeTypeSpec spec;
  spec.name = "reward_model";
  spec.kind = NodeKind::learner;
  spec.summary = "A Bradley-Terry reward model trained on pairwise preferences.";
  spec.doc =
      "Copies `model`, adds a zero-initialised reward head on the last token's hidden state and "
      "trains it and the trunk with BCE-with-logits on r(output_2) - r(output_1), label = "
      "(preference == 2). Ties (0) and unannotated rows (null) are skipped and counted. "
      "eval_pairs seeded pairs are held out; their accuracy, label positive rate, true and false "
      "positive rates go to the report and to eval/* metrics after each epoch.";
  spec.inputs = {
      {"model", "Model", "the trunk to start from, usually the SFT model (copied)"},
      {"pairs", "Dataset", "instruction, input, output_1, output_2, preference in {1, 2}"},
  };
  spec.outputs = {
      {"model", "Model", "the model with its reward head"},
      {"report", "Report", "held-out metrics and skipped-row counts"},
      {"held_out", "Dataset", "the held-out pair rows, unchanged, e.g. for reward_eval"},
  };
  const auto schema = reward_model_schema();
  spec.params = schema.specs();
  NodeTypeDeclaration declaration;
  declaration.spec = make_node_type(std::move(spec), run_reward_model);
  declaration.rules = schema.param_rules();
  declaration.required = {{"model", {capability::kLogprobs, capability::kTrain}}};
  declaration.promised = {
      {"model",
       {capability::kGenerate, capability::kLogprobs, capability::kTrain, capability::kReward}}};
  declaration.data_parallel = true;  // trains on every rank (docs/distributed.md)
  return declaration;
}

}  // namespace paddock::learning
