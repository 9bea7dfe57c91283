// libFuzzer target for `paddock serve --chat-template FILE.toml`: the input is a TOML chat
// template (per-role formats, stop strings). It must load or throw paddock::Error naming the
// file, and a loaded template must render a conversation or throw ApiError (400).
#include "api_error.hpp"
#include "chat_template.hpp"
#include "fuzz_support.hpp"
#include "paddock/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace paddock::serve;
  const auto file =
      paddock::fuzzing::write_scratch_file("chat.toml", paddock::fuzzing::as_text(data, size));
  try {
    const ChatTemplate loaded = ChatTemplate::load(file.string());
    (void)loaded.render({{"system", "Be brief."},
                         {"user", "{content} {{ 1 }}"},
                         {"assistant", "Two."},
                         {"user", ""}});
  } catch (const paddock::Error&) {
  } catch (const ApiError&) {
  }
  return 0;
}
