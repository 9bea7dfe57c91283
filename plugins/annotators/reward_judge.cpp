// Judging pairs by a reward model's scores.
#include "reward_judge.hpp"

#include <chrono>
#include <cmath>

#include <spdlog/fmt/fmt.h>

#include "paddock/error.hpp"

namespace paddock::annotators {

RewardJudgeAnnotator::RewardJudgeAnnotator(std::shared_ptr<Model> model, double tie_tolerance,
                                           std::string name)
    : model_(std::move(model)),
      scorer_(model_ ? model_->as<RewardScorer>() : nullptr),
      tie_tolerance_(tie_tolerance),
      name_(std::move(name)) {
  if (!model_) throw Error("reward_judge: no model connected");
  if (!scorer_) {
    std::string capabilities;
    for (const auto& capability : model_->capabilities()) {
      capabilities += (capabilities.empty() ? "" : ", ") + capability;
    }
    throw Error("reward_judge: the model (backend '" + model_->backend() +
                "') cannot score rewards; its capabilities are [" + capabilities +
                "]. Connect a reward model (one with the RewardScorer capability), e.g. the "
                "output of a reward-model learner");
  }
}

std::vector<Annotation> RewardJudgeAnnotator::annotate(std::span<const PreferencePair> pairs) {
  std::vector<InstructionPrompt> prompts;
  std::vector<std::string> responses;
  prompts.reserve(2 * pairs.size());
  responses.reserve(2 * pairs.size());
  for (const PreferencePair& pair : pairs) {
    prompts.push_back({pair.instruction, pair.input});
    prompts.push_back({pair.instruction, pair.input});
    responses.push_back(pair.output_1);
    responses.push_back(pair.output_2);
  }
  const auto started = std::chrono::steady_clock::now();
  const std::vector<double> scores = scorer_->score(prompts, responses);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (scores.size() != responses.size()) {
    throw Error(fmt::format("{}: the reward model returned {} scores for {} responses", name_,
                            scores.size(), responses.size()));
  }
  std::vector<Annotation> annotations(pairs.size());
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const double first = scores[2 * i], second = scores[2 * i + 1];
    Annotation& annotation = annotations[i];
    annotation.annotator = name_;
    annotation.raw = fmt::format("rewards {:.6g} and {:.6g}", first, second);
    if (!std::isfinite(first) || !std::isfinite(second)) continue;  // unannotated
    const double margin = second - first;
    annotation.probability_output_2 = 1.0 / (1.0 + std::exp(-margin));
    annotation.preference = std::abs(margin) <= tie_tolerance_ ? 0 : (margin > 0 ? 2 : 1);
  }
  std::lock_guard lock(mutex_);
  for (const Annotation& annotation : annotations) annotations_ += annotation.preference ? 1 : 0;
  seconds_ += seconds;
  return annotations;
}

AnnotatorUsage RewardJudgeAnnotator::usage() const {
  std::lock_guard lock(mutex_);
  AnnotatorUsage usage;
  usage.annotations = annotations_;
  usage.seconds = seconds_;
  return usage;
}

}  // namespace paddock::annotators
