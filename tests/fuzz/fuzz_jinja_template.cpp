// libFuzzer target for the Jinja engine of `paddock serve`: the input is a chat template, as
// a checkpoint's tokenizer_config.json or a --chat-template file would hold it. It must
// parse or throw JinjaError, and a parsed template must render a small conversation or throw
// JinjaError, within the render limits: never crash, never recurse without bound.
#include <string>

#include "fuzz_support.hpp"
#include "jinja_template.hpp"

namespace {

using namespace paddock::serve::jinja;

const Variables& conversation() {
  static const Variables variables = [] {
    const auto messages = nlohmann::ordered_json::parse(R"([
      {"role": "system", "content": "Be brief."},
      {"role": "user", "content": "What is {{ 1 + 1 }}?"},
      {"role": "assistant", "content": "Two. {% endfor %}"},
      {"role": "user", "content": ""}])");
    Variables made;
    made.emplace_back("messages", Value::from_json(messages));
    made.emplace_back("bos_token", Value(std::string("<s>")));
    made.emplace_back("eos_token", Value(std::string("</s>")));
    made.emplace_back("add_generation_prompt", Value(true));
    return made;
  }();
  return variables;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  RenderLimits limits;
  limits.max_steps = 20'000;  // bounded work per input; the engine's own limit is larger
  limits.max_output_bytes = 1 << 20;
  try {
    const Template parsed(paddock::fuzzing::as_text(data, size));
    (void)parsed.render(conversation(), limits);
  } catch (const JinjaError&) {
  }
  return 0;
}
