// `reward_eval`: a reward model's agreement with held-out preference pairs, with
// AlpacaFarm's reward-model metrics (accuracy, label positive rate, TPR, FPR).
#include <algorithm>
#include <cmath>

#include "evaluator_nodes.hpp"
#include "paddock/annotator.hpp"
#include "paddock/capabilities.hpp"
#include "paddock/dataset.hpp"
#include "paddock/model.hpp"
#include "paddock/report.hpp"
#include "paddock/settings_schema.hpp"
#include "paddock/simple_node.hpp"
#include "reward_metrics.hpp"

namespace paddock::evaluators {

namespace {

struct RewardEvalSettings {
  std::int64_t batch_size = 64;
  double label_flip = 0.0;
};

SettingsSchema<RewardEvalSettings> reward_eval_schema() {
  using S = RewardEvalSettings;
  SettingsSchema<S> schema;
  schema.integer("batch_size", &S::batch_size, "pairs scored per call", /*minimum=*/1.0)
      .number("label_flip", &S::label_flip,
              "the p_label_flip the labels were made with (for label_ceiling)", 0.0, 0.5);
  return schema;
}

// 1 or 2 for a usable preference (AlpacaFarm writes them as integers or as 1.0 / 2.0);
// 0 for anything else (a tie, missing, a soft label), which the evaluation skips.
int hard_preference(const Record& record) {
  auto found = record.find("preference");
  if (found == record.end() || !found->is_number()) return 0;
  const double value = found->get<double>();
  if (value == 1.0) return 1;
  if (value == 2.0) return 2;
  return 0;
}

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
  return text.empty() ? "none" : text;
}

// The reward model's agreement with each judge on `pairs`: the share of the pairs a judge
// decides (ties left out) where the reward model prefers the same output.
nlohmann::ordered_json agreement_with_judges(const NodeContext& context,
                                             const std::vector<PreferencePair>& pairs,
                                             const std::vector<double>& logits) {
  nlohmann::ordered_json against = nlohmann::ordered_json::object();
  for (const auto& artifact : context.inputs("judges")) {
    auto judge = std::dynamic_pointer_cast<Annotator>(artifact);
    if (!judge) throw Error("input 'judges' holds an artifact that is not an Annotator");
    const std::vector<Annotation> labels = judge->annotate(pairs);
    if (labels.size() != pairs.size())
      throw Error("judge '" + judge->name() + "' returned " + std::to_string(labels.size()) +
                  " labels for " + std::to_string(pairs.size()) + " pairs");
    std::int64_t decided = 0, agreed = 0;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      if (!labels[i].preference || *labels[i].preference == 0) continue;
      ++decided;
      agreed += (*labels[i].preference == 2) == (logits[i] >= 0.0) ? 1 : 0;
    }
    against[judge->name()] = {
        {"accuracy", decided > 0 ? nlohmann::ordered_json(static_cast<double>(agreed) /
                                                          static_cast<double>(decided))
                                 : nlohmann::ordered_json(nullptr)},
        {"n", decided}};
  }
  return against;
}

// The best accuracy any model can expect against labels that `judge` drew and that were then
// replaced by a coin flip with probability 2 * label_flip (AlpacaFarm's label noise): per
// pair, (1 - 2p) max(P, 1 - P) + p, with P the judge's probability of output_2.
nlohmann::ordered_json label_ceiling(Annotator& judge, const std::vector<PreferencePair>& pairs,
                                     double label_flip) {
  const std::vector<Annotation> labels = judge.annotate(pairs);
  double total = 0.0;
  std::int64_t counted = 0;
  for (const Annotation& label : labels) {
    if (!label.probability_output_2) continue;
    const double p = *label.probability_output_2;
    total += (1.0 - 2.0 * label_flip) * std::max(p, 1.0 - p) + label_flip;
    ++counted;
  }
  return counted > 0 ? nlohmann::ordered_json(total / static_cast<double>(counted))
                     : nlohmann::ordered_json(nullptr);
}

void run_reward_eval(NodeContext& context) {
  const RewardEvalSettings settings = reward_eval_schema().read(context.params());
  const auto model = context.input<Model>("model");
  const auto pairs = context.input<Dataset>("pairs");
  RewardScorer* scorer = model->as<RewardScorer>();
  if (!scorer) {
    throw Error("the model (backend '" + model->backend() +
                "', capabilities: " + join(model->capabilities()) +
                ") cannot score rewards: connect a reward model, such as a reward-model "
                "learner's output");
  }

  std::vector<InstructionPrompt> prompts;
  std::vector<std::string> first, second;
  std::vector<int> labels;
  std::vector<PreferencePair> judged;  // the scored pairs as judges see them
  std::int64_t skipped = 0;
  for (std::size_t row = 0; row < pairs->size(); ++row) {
    const Record& record = (*pairs)[row];
    const int preference = hard_preference(record);
    if (preference == 0) {
      ++skipped;
      continue;
    }
    std::string input;
    if (auto found = record.find("input"); found != record.end() && found->is_string()) {
      input = found->get<std::string>();
    }
    prompts.push_back({text_column(record, "instruction", row), std::move(input)});
    first.push_back(text_column(record, "output_1", row));
    second.push_back(text_column(record, "output_2", row));
    labels.push_back(preference == 2 ? 1 : 0);
    PreferencePair pair{prompts.back().instruction, prompts.back().input, first.back(),
                        second.back()};
    for (const auto& [key, value] : record.items()) {
      if (key != "instruction" && key != "input" && key != "output_1" && key != "output_2" &&
          key != "preference")
        pair.metadata[key] = value;
    }
    judged.push_back(std::move(pair));
  }
  if (skipped > 0) {
    context.log().warn("{} of {} rows have no preference of 1 or 2 and are skipped", skipped,
                       pairs->size());
  }
  if (labels.empty()) {
    throw Error("no pair in 'pairs' has a preference of 1 or 2 (" + std::to_string(pairs->size()) +
                " rows)");
  }

  // Both outputs of a batch of pairs go to the model in one call: prompts twice, then the
  // first outputs followed by the second outputs.
  const std::size_t batch_size = static_cast<std::size_t>(settings.batch_size);
  std::vector<double> logits;
  logits.reserve(labels.size());
  auto progress = context.progress("pairs scored", labels.size());
  for (std::size_t start = 0; start < labels.size(); start += batch_size) {
    context.throw_if_cancelled();
    const std::size_t count = std::min(batch_size, labels.size() - start);
    std::vector<InstructionPrompt> batch_prompts;
    std::vector<std::string> responses;
    for (int side = 0; side < 2; ++side) {
      for (std::size_t i = start; i < start + count; ++i) {
        batch_prompts.push_back(prompts[i]);
        responses.push_back(side == 0 ? first[i] : second[i]);
      }
    }
    const std::vector<double> rewards = scorer->score(batch_prompts, responses);
    if (rewards.size() != 2 * count) {
      throw Error("the reward model returned " + std::to_string(rewards.size()) + " scores for " +
                  std::to_string(2 * count) + " responses");
    }
    for (std::size_t i = 0; i < count; ++i) {
      const double logit = rewards[count + i] - rewards[i];  // r(output_2) - r(output_1)
      if (!std::isfinite(logit)) {
        throw Error("the reward model gave a non-finite score for pair " +
                    std::to_string(start + i + 1));
      }
      logits.push_back(logit);
    }
    progress->advance(count);
  }
  progress->finish();

  const RewardModelMetrics metrics = compute_reward_model_metrics(logits, labels);
  auto optional = [](const std::optional<double>& value) {
    return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
  };
  nlohmann::ordered_json report = {
      {"model_backend", model->backend()},
      {"accuracy", metrics.accuracy},
      {"label_positive_rate", metrics.label_positive_rate},
      {"positive_rate", metrics.positive_rate},
      {"true_positive_rate", optional(metrics.true_positive_rate)},
      {"false_positive_rate", optional(metrics.false_positive_rate)},
      {"n", metrics.n},
      {"n_skipped", skipped},
  };
  report["against"] = agreement_with_judges(context, judged, logits);
  if (context.has_input("label_judge")) {
    report["label_ceiling"] =
        label_ceiling(*context.input<Annotator>("label_judge"), judged, settings.label_flip);
    report["label_flip"] = settings.label_flip;
  }
  context.metric(/*step=*/0, "accuracy", metrics.accuracy);
  context.log().info("reward model accuracy {:.3f} on {} pairs", metrics.accuracy, metrics.n);
  context.set_output("report", std::make_shared<Report>(std::move(report)));
}

}  // namespace

NodeTypeSpec reward_eval_node_type() {
  NodeTypeSpec spec;
  spec.name = "reward_eval";
  spec.kind = NodeKind::evaluator;
  spec.summary = "A reward model's accuracy on held-out preference pairs.";
  spec.doc =
      "Scores output_1 and output_2 of each pair with the model's RewardScorer capability; the "
      "prediction is 'output_2 better' when r(output_2) - r(output_1) >= 0 and the label is "
      "preference == 2. Reports accuracy, label_positive_rate, positive_rate, "
      "true_positive_rate, false_positive_rate and n as AlpacaFarm does; rows whose preference "
      "is not 1 or 2 are skipped and counted (n_skipped). `against` gives the accuracy against "
      "each of `judges` on the pairs it decides; with `label_judge`, label_ceiling is the "
      "accuracy a perfect model of that judge could expect under label_flip.";
  spec.inputs = {
      {"model", "Model", "a model with the RewardScorer capability"},
      {"pairs", "Dataset", "pairs: instruction, input, output_1, output_2, preference (1 or 2)"},
      {"judges", "Annotator",
       "judges to measure the reward model against on the same pairs (ties left out), e.g. "
       "the gold humans' panel, longest_judge, world_correctness",
       /*optional=*/true, /*multiple=*/true},
      {"label_judge", "Annotator",
       "the noiseless judge behind the labels, for the accuracy ceiling under label_flip",
       /*optional=*/true},
  };
  spec.outputs = {{"report", "Report", "accuracy, label positive rate, TPR, FPR, n"}};
  spec.params = reward_eval_schema().specs();
  return make_node_type(std::move(spec), run_reward_eval);
}

}  // namespace paddock::evaluators
