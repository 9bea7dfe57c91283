// libFuzzer target for the API judges' pool files (load_judge_pool): the input is the pool
// TOML, read from a scratch directory that also holds two valid prompt templates
// (with.txt, without.txt) for judges to name. Every input must give judges or throw
// paddock::Error; the judges' patterns, templates and logit biases are all checked on load.
#include "api_judge_config.hpp"
#include "fuzz_support.hpp"
#include "paddock/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace fuzzing = paddock::fuzzing;
  static const bool templates_written = [] {
    const char* const kTemplate = "{{#examples}}\nA: {output_1}\nB: {output_2}\n{{/examples}}\n";
    fuzzing::write_scratch_file("with.txt", kTemplate);
    fuzzing::write_scratch_file("without.txt", kTemplate);
    return true;
  }();
  (void)templates_written;
  const auto file = fuzzing::write_scratch_file("pool.toml", fuzzing::as_text(data, size));
  try {
    const auto pool = paddock::annotators::load_judge_pool(file, nlohmann::json::object(), {});
    for (const auto& judge : pool.judges) (void)judge.identity();
  } catch (const paddock::Error&) {
  }
  return 0;
}
