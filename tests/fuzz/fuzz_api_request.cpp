// libFuzzer target for the request bodies `paddock serve` reads from the network: the input
// is a body, read as a completions request and as a chat request. Each must parse or throw
// ApiError (a 4xx with OpenAI's error shape); nothing else may escape or crash.
#include "api_error.hpp"
#include "api_request.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace paddock::serve;
  const std::string body(paddock::fuzzing::as_text(data, size));
  const RequestLimits limits;
  for (const auto parse : {&parse_completion_request, &parse_chat_request}) {
    try {
      (void)parse(body, limits);
    } catch (const ApiError& error) {
      if (error.status() < 400 || error.status() >= 500) __builtin_trap();
    }
  }
  return 0;
}
