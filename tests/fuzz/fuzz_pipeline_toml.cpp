// libFuzzer target for the pipeline reader: the input is a pipeline TOML file, optionally
// followed by a record separator (0x1E) and `--set` overrides, one "node.key=value" per line. Every
// input must give a Pipeline or throw paddock::Error (PipelineError with its diagnostics); any
// other exception, crash, sanitizer report, hang or runaway memory is a bug.
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "paddock/core/pipeline.hpp"
#include "paddock/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [text, settings] =
      paddock::fuzzing::split_parts(paddock::fuzzing::as_text(data, size));
  std::vector<paddock::core::SettingOverride> overrides;
  for (std::string& line : paddock::fuzzing::lines_of(settings))
    overrides.push_back({std::move(line)});
  try {
    const paddock::core::Pipeline pipeline =
        paddock::core::parse_pipeline_text(std::string(text), "fuzz/pipeline.toml", overrides);
    for (const auto& node : pipeline.nodes) (void)node.name.size();
  } catch (const paddock::Error&) {
    // a refused pipeline: the expected outcome for most inputs
  }
  return 0;
}
