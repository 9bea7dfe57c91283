// libFuzzer target for a checkpoint's config.json (read_model_config): the input is the
// file. It must give a validated ModelConfig or throw paddock::Error; a config that loads
// must also survive a round trip through model_config_to_json, reading back as itself.
#include <cstdlib>

#include "fuzz_support.hpp"
#include "paddock/error.hpp"
#include "paddock/transformer/model_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace transformer = paddock::transformer;
  const auto file =
      paddock::fuzzing::write_scratch_file("config.json", paddock::fuzzing::as_text(data, size));
  try {
    const transformer::ModelConfig config = transformer::read_model_config(file);
    const auto saved = transformer::model_config_to_json(config);
    const auto again = transformer::parse_model_config(saved, "round trip");
    transformer::validate_model_config(again, "round trip");
    // What is saved reads back as the same model (rotary scaling, Mistral's window included).
    if (transformer::model_config_to_json(again) != saved) std::abort();
  } catch (const paddock::Error&) {
  }
  return 0;
}
