// `longest_judge`: the "longest wins" rule as an Annotator. It needs no model and costs
// nothing, and it is the baseline any judge of length-biased data must be compared with: on
// AlpacaFarm's human annotations it agrees with the human majority 62% of the time, about as
// often as one human does (docs/annotators.md).
#include <memory>

#include "annotator_nodes.hpp"
#include "paddock/annotator.hpp"
#include "paddock/simple_node.hpp"
#include "text_features.hpp"

namespace paddock::annotators {
namespace {

class LongestJudge final : public Annotator {
 public:
  std::string name() const override { return "longest"; }
  std::vector<Annotation> annotate(std::span<const PreferencePair> pairs) override {
    std::vector<Annotation> annotations;
    annotations.reserve(pairs.size());
    for (const PreferencePair& pair : pairs) {
      const std::size_t first = count_code_points(pair.output_1);
      const std::size_t second = count_code_points(pair.output_2);
      Annotation annotation;
      annotation.annotator = name();
      annotation.preference = first == second ? 0 : second > first ? 2 : 1;
      annotation.probability_output_2 = first == second ? 0.5 : second > first ? 1.0 : 0.0;
      annotation.raw =
          "lengths " + std::to_string(first) + " and " + std::to_string(second) + " characters";
      annotations.push_back(std::move(annotation));
    }
    return annotations;
  }
};

void run_longest_judge(NodeContext& context) {
  context.set_output("annotator", std::make_shared<LongestJudge>());
}

}  // namespace

NodeTypeSpec longest_judge_node_type() {
  NodeTypeSpec spec;
  spec.name = "longest_judge";
  spec.kind = NodeKind::annotator;
  spec.summary = "Prefers the longer output (in characters); equal lengths are a tie.";
  spec.doc =
      "The length baseline: a judge, reward model or human pool that agrees with its labels "
      "more than it agrees with the truth has learnt length. Lengths are Unicode code points.";
  spec.outputs = {{"annotator", "Annotator", "the longest-wins judge"}};
  return make_node_type(std::move(spec), run_longest_judge);
}

}  // namespace paddock::annotators
