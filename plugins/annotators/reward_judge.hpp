// The `reward_judge` annotator: prefers the output a reward model scores higher; scores
// within `tie_tolerance` of each other are a tie. P(output_2) = sigmoid(r_2 - r_1).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "paddock/annotator.hpp"
#include "paddock/annotator_usage.hpp"
#include "paddock/capabilities.hpp"
#include "paddock/model.hpp"

namespace paddock::annotators {

class RewardJudgeAnnotator final : public Annotator, public UsageReporter {
 public:
  // Throws paddock::Error when the model has no RewardScorer capability.
  RewardJudgeAnnotator(std::shared_ptr<Model> model, double tie_tolerance, std::string name);

  std::string name() const override { return name_; }
  std::vector<Annotation> annotate(std::span<const PreferencePair> pairs) override;
  // The pairs it labelled and the wall time spent scoring them; no requests and no dollars.
  AnnotatorUsage usage() const override;

 private:
  std::shared_ptr<Model> model_;
  RewardScorer* scorer_;
  double tie_tolerance_;
  std::string name_;
  mutable std::mutex mutex_;
  std::int64_t annotations_ = 0;
  double seconds_ = 0.0;
};

}  // namespace paddock::annotators
