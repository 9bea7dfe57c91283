// libFuzzer target for SentencePieceTokenizer::from_serialized, the hand-written reader of
// tokenizer.model files: any bytes must either give a tokenizer or throw paddock::Error. A
// tokenizer that loads is then used: it encodes a fixed sample and the start of the input
// itself, decodes what it encoded (skipping special tokens and not), and decodes ids taken
// from the input's bytes. Anything else (another exception, a sanitizer report, an
// out-of-memory, a hang) is a bug.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "paddock/error.hpp"
#include "paddock/transformer/sentencepiece_tokenizer.hpp"

namespace {

using paddock::transformer::SentencePieceTokenizer;

constexpr std::size_t kMaxEncodedInputBytes = 256;

std::optional<SentencePieceTokenizer> load_or_refuse(std::string_view bytes) {
  try {
    return SentencePieceTokenizer::from_serialized(bytes, "fuzz/tokenizer.model");
  } catch (const paddock::Error&) {
    return std::nullopt;  // a refused file: the expected outcome for most inputs
  }
}

void encode_and_decode(const SentencePieceTokenizer& tokenizer, std::string_view sample) {
  std::vector<std::int32_t> ids;
  try {
    ids = tokenizer.encode(sample);
  } catch (const paddock::Error&) {
    return;  // a corrupt character map is found when a rule is first reached
  }
  (void)tokenizer.decode(ids);
  (void)tokenizer.decode(ids, /*skip_special_tokens=*/true);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::optional<SentencePieceTokenizer> tokenizer = load_or_refuse(bytes);
  if (!tokenizer) return 0;
  encode_and_decode(*tokenizer, "  Hello world!\n\t2024 <s> \xe6\x9d\xb1 \xf0\x9f\x99\x82 \xff ");
  encode_and_decode(*tokenizer, bytes.substr(0, kMaxEncodedInputBytes));
  std::vector<std::int32_t> ids;
  for (std::size_t index = 0; index < size && index < 64; ++index) {
    ids.push_back(static_cast<std::int32_t>(data[index] % tokenizer->vocab_size()));
  }
  try {
    (void)tokenizer->decode(ids);
    (void)tokenizer->decode(ids, /*skip_special_tokens=*/true);
  } catch (const paddock::Error&) {
    // a corrupt denormalizer map
  }
  return 0;
}
