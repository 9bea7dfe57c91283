// libFuzzer target for parse_tokenizer_json: any text must either give a tokenizer or throw
// paddock::Error. A tokenizer that loads is then used: it encodes a fixed sample and the start
// of the input itself (encode may refuse a byte the vocabulary cannot spell), and decoding
// what encode produced must succeed. Anything else (another exception, a sanitizer report,
// an out-of-memory, a hang) is a bug.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "paddock/error.hpp"
#include "paddock/transformer/tokenizer_json.hpp"

namespace {

using paddock::transformer::BpeTokenizer;

// Encoding is quadratic in the length of a pre-token; a long one only slows the fuzzer down.
constexpr std::size_t kMaxEncodedInputBytes = 256;

std::optional<BpeTokenizer> parse_or_refuse(std::string_view text) {
  try {
    return paddock::transformer::parse_tokenizer_json(text, "fuzz/tokenizer.json");
  } catch (const paddock::Error&) {
    return std::nullopt;  // a refused file: the expected outcome for most inputs
  }
}

void encode_and_decode(const BpeTokenizer& tokenizer, std::string_view sample) {
  std::vector<std::int32_t> ids;
  try {
    ids = tokenizer.encode(sample);
  } catch (const paddock::Error&) {
    return;  // a byte with no token and no unk_token
  }
  (void)tokenizer.decode(ids);
  (void)tokenizer.decode(ids, /*skip_special_tokens=*/true);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::optional<BpeTokenizer> tokenizer = parse_or_refuse(text);
  if (!tokenizer) return 0;
  encode_and_decode(*tokenizer, "Hello world! It's 2024 <|endoftext|> caf\xc3\xa9 \xff");
  encode_and_decode(*tokenizer, text.substr(0, kMaxEncodedInputBytes));
  return 0;
}
