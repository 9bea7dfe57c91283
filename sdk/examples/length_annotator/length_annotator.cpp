// length_annotator: an example third-party Paddock plugin. Its node type makes an Annotator
// that prefers the longer (or the shorter) of two outputs, calling a tie when their lengths
// are within a margin. As a judge it is a baseline: how much of a real judge's preferences
// does length alone explain?
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "paddock/paddock.hpp"

namespace {

// Length in Unicode code points: the UTF-8 bytes that do not continue a multi-byte sequence.
std::int64_t count_code_points(const std::string& text) {
  std::int64_t count = 0;
  for (const unsigned char byte : text) count += (byte & 0xC0) != 0x80 ? 1 : 0;
  return count;
}

class LengthAnnotator : public paddock::Annotator {
 public:
  LengthAnnotator(bool prefer_longer, std::int64_t tie_margin)
      : prefer_longer_(prefer_longer), tie_margin_(tie_margin) {}

  std::string name() const override {
    return std::string("length_annotator(prefer=") + (prefer_longer_ ? "longer" : "shorter") +
           ", tie_margin=" + std::to_string(tie_margin_) + ")";
  }

  std::vector<paddock::Annotation> annotate(
      std::span<const paddock::PreferencePair> pairs) override {
    std::vector<paddock::Annotation> annotations;
    annotations.reserve(pairs.size());
    for (const paddock::PreferencePair& pair : pairs) {
      const std::int64_t length_1 = count_code_points(pair.output_1);
      const std::int64_t length_2 = count_code_points(pair.output_2);
      paddock::Annotation annotation;
      annotation.annotator = name();
      annotation.raw = "lengths " + std::to_string(length_1) + " and " + std::to_string(length_2);
      if (std::abs(length_1 - length_2) <= tie_margin_) {
        annotation.preference = 0;
        annotation.probability_output_2 = 0.5;
      } else {
        const bool output_2_longer = length_2 > length_1;
        const bool output_2_wins = output_2_longer == prefer_longer_;
        annotation.preference = output_2_wins ? 2 : 1;
        annotation.probability_output_2 = output_2_wins ? 1.0 : 0.0;
      }
      annotations.push_back(std::move(annotation));
    }
    return annotations;
  }

 private:
  bool prefer_longer_;
  std::int64_t tie_margin_;
};

void run_length_annotator(paddock::NodeContext& context) {
  const bool prefer_longer = context.params().string("prefer") == "longer";
  const std::int64_t tie_margin = context.params().integer("tie_margin");
  auto annotator = std::make_shared<LengthAnnotator>(prefer_longer, tie_margin);
  context.log().info("judge: {}", annotator->name());
  context.set_output("annotator", std::move(annotator));
}

void register_length_annotator(paddock::Registrar& registrar) {
  paddock::NodeTypeSpec spec;
  spec.name = "length_annotator";
  spec.kind = paddock::NodeKind::annotator;
  spec.summary = "A judge that prefers the longer (or shorter) output.";
  spec.doc =
      "Lengths are counted in Unicode code points. A pair is a tie (preference 0) when the "
      "lengths differ by at most tie_margin; otherwise the preferred output wins (1 or 2).";
  spec.outputs = {{"annotator", "Annotator", "the length judge"}};
  spec.params = {
      paddock::string_param("prefer", "longer", "which output wins: the longer or the shorter",
                            {"longer", "shorter"}),
      paddock::integer_param("tie_margin", 0,
                             "a tie when the two lengths differ by at most this many characters",
                             /*minimum=*/0.0),
  };
  registrar.add_node_type(paddock::make_node_type(std::move(spec), run_length_annotator));
}

}  // namespace

PADDOCK_PLUGIN("length_annotator", "0.1.0",
               "Example third-party plugin: a judge that prefers longer or shorter outputs.",
               register_length_annotator)
