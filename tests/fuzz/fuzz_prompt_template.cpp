// libFuzzer target for the judges' prompt templates: the input is a template file. It must
// parse or throw paddock::Error, and a parsed template must render batches whose texts hold
// braces and placeholders of their own without scanning them again.
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "paddock/error.hpp"
#include "prompt_template.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using paddock::annotators::PromptTemplate;
  PromptTemplate parsed;
  try {
    parsed = PromptTemplate::parse(paddock::fuzzing::as_text(data, size), "fuzz/template.txt");
  } catch (const paddock::Error&) {
    return 0;
  }
  std::vector<paddock::PreferencePair> pairs(3);
  pairs[0].instruction = "{instruction} {{#examples}}";
  pairs[0].output_1 = "{output_2}";
  pairs[1].input = "{index}{batch_size}";
  pairs[2].output_2 = std::string(64, '{');
  for (std::size_t count = 1; count <= pairs.size(); ++count) {
    const auto prompt = parsed.render(std::span<const paddock::PreferencePair>(pairs).first(count));
    (void)prompt.as_single_text();
  }
  return 0;
}
