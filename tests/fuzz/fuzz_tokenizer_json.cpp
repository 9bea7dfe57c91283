// libFuzzer target for the tokenizer.json readers, parse_tokenizer_json (byte-level BPE) and
// ByteFallbackBpeTokenizer::parse (SentencePiece-style): any text must either give a tokenizer
// or throw paddock::Error. A tokenizer that loads is then used: it encodes a fixed sample and the
// start of the input itself (encode may refuse a byte the vocabulary cannot spell), and decoding
// what encode produced must succeed. Anything else (another exception, a sanitizer report,
// an out-of-memory, a hang) is a bug.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "paddock/error.hpp"
#include "paddock/transformer/byte_fallback_bpe.hpp"
#include "paddock/transformer/tokenizer_json.hpp"

namespace {

using paddock::transformer::BpeTokenizer;
using paddock::transformer::ByteFallbackBpeTokenizer;

// Encoding is quadratic in the length of a pre-token; a long one only slows the fuzzer down.
constexpr std::size_t kMaxEncodedInputBytes = 256;

std::optional<BpeTokenizer> parse_or_refuse(std::string_view text) {
  try {
    return paddock::transformer::parse_tokenizer_json(text, "fuzz/tokenizer.json");
  } catch (const paddock::Error&) {
    return std::nullopt;  // a refused file: the expected outcome for most inputs
  }
}

std::optional<ByteFallbackBpeTokenizer> parse_byte_fallback_or_refuse(std::string_view text) {
  try {
    return ByteFallbackBpeTokenizer::parse(text, "fuzz/tokenizer.json");
  } catch (const paddock::Error&) {
    return std::nullopt;
  }
}

template <class AnyTokenizer>
void encode_and_decode(const AnyTokenizer& tokenizer, std::string_view sample) {
  std::vector<std::int32_t> ids;
  try {
    ids = tokenizer.encode(sample);
  } catch (const paddock::Error&) {
    return;  // a byte with no token and no unk_token
  }
  (void)tokenizer.decode(ids, /*skip_special_tokens=*/false);
  (void)tokenizer.decode(ids, /*skip_special_tokens=*/true);
}

constexpr std::string_view kSample =
    "Hello world! It's 2024 <|endoftext|> <s>caf\xc3\xa9 \xff\xe2\x96\x81  x";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const std::optional<BpeTokenizer> tokenizer = parse_or_refuse(text)) {
    encode_and_decode(*tokenizer, kSample);
    encode_and_decode(*tokenizer, text.substr(0, kMaxEncodedInputBytes));
  }
  if (const auto tokenizer = parse_byte_fallback_or_refuse(text)) {
    encode_and_decode(*tokenizer, kSample);
    encode_and_decode(*tokenizer, text.substr(0, kMaxEncodedInputBytes));
  }
  return 0;
}
