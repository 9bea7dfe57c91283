// libFuzzer target for the label parser. Without a record separator (0x1E) the whole input is a
// judge's answer, read with every pattern set the shipped judges use; with one, the lines before it
// are the user's "LABEL:REGEX" patterns (compiled, or refused with paddock::Error) and the
// rest is the answer. No answer may crash, recurse without bound or hang the parser.
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "label_parser.hpp"
#include "paddock/error.hpp"

namespace {

using paddock::annotators::compile_label_patterns;
using paddock::annotators::find_labels;
using paddock::annotators::LabelPattern;

// The patterns of configs/annotators/api_judges.toml.
const std::vector<std::vector<LabelPattern>>& shipped_patterns() {
  static const std::vector<std::vector<LabelPattern>> patterns = {
      compile_label_patterns({R"(1:Case \d+: *Output \(a\))", R"(2:Case \d+: *Output \(b\))"}),
      compile_label_patterns(
          {R"(1:"first_is_better"\s*:\s*true)", R"(2:"first_is_better"\s*:\s*false)"}),
      compile_label_patterns({R"(1:Verdict: *Output \(a\))", R"(2:Verdict: *Output \(b\))"}),
      compile_label_patterns({R"(1:Output \(a\))", R"(2:Output \(b\))", "0:^Tie$"})};
  return patterns;
}

void check(const std::vector<int>& labels, std::size_t max_labels) {
  if (labels.size() > max_labels + 1) __builtin_trap();
  for (int label : labels)
    if (label < 0 || label > 2) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = paddock::fuzzing::as_text(data, size);
  const auto [specs, answer] = paddock::fuzzing::split_parts(input);
  const std::size_t batch = size % 7 + 1;
  if (answer.data() == nullptr) {  // no separator: the whole input is an answer
    for (const auto& patterns : shipped_patterns()) {
      check(find_labels(input, patterns, batch), batch);
      check(find_labels(input, patterns), paddock::annotators::kMaxLabelledTextBytes);
    }
    return 0;
  }
  std::vector<LabelPattern> patterns;
  try {
    patterns = compile_label_patterns(paddock::fuzzing::lines_of(specs));
  } catch (const paddock::Error&) {
    return 0;
  }
  check(find_labels(answer, patterns, batch), batch);
  return 0;
}
