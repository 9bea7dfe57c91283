// The `reward_judge` annotator: prefers the output a reward model scores higher; scores
// within `tie_tolerance` of each other are a tie. P(output_2) = sigmoid(r_2 - r_1).
#pragma once

#include <memory>
#include <string>

#include "paddock/annotator.hpp"
#include "paddock/capabilities.hpp"
#include "paddock/model.hpp"

namespace paddock::annotators {

class RewardJudgeAnnotator final : public Annotator {
 public:
  // Throws paddock::Error when the model has no RewardScorer capability.
  RewardJudgeAnnotator(std::shared_ptr<Model> model, double tie_tolerance, std::string name);

  std::string name() const override { return name_; }
  std::vector<Annotation> annotate(std::span<const PreferencePair> pairs) override;

 private:
  std::shared_ptr<Model> model_;
  RewardScorer* scorer_;
  double tie_tolerance_;
  std::string name_;
};

}  // namespace paddock::annotators
