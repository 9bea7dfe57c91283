// libFuzzer target for the world's persona files: the input is the TOML text. It must give
// personas or throw paddock::Error naming FILE:LINE:COL; nothing else.
#include "fuzz_support.hpp"
#include "paddock/error.hpp"
#include "persona_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto personas =
        paddock::world::parse_personas(paddock::fuzzing::as_text(data, size), "fuzz/personas.toml");
    (void)personas.size();
  } catch (const paddock::Error&) {
  }
  return 0;
}
