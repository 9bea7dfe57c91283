// The 256-character byte-level alphabet and conversions through it.
#include "paddock/transformer/byte_level_alphabet.hpp"

#include "paddock/transformer/utf8.hpp"

namespace paddock::transformer {
namespace {

bool stands_for_itself(unsigned byte) {
  return (byte >= 0x21 && byte <= 0x7E) || (byte >= 0xA1 && byte <= 0xAC) ||
         (byte >= 0xAE && byte <= 0xFF);
}

// Bytes 0x00-0x20, 0x7F-0xA0 and 0xAD are shown as U+0100 onwards.
constexpr std::size_t kShiftedCount = 68;

struct Alphabet {
  std::array<std::string, 256> characters;
  std::array<unsigned char, kShiftedCount> shifted_bytes{};  // U+0100 + i -> byte
  Alphabet() {
    std::size_t shifted = 0;
    for (unsigned byte = 0; byte < 256; ++byte) {
      if (stands_for_itself(byte)) {
        append_utf8(byte, characters[byte]);
      } else {
        shifted_bytes[shifted] = static_cast<unsigned char>(byte);
        append_utf8(0x100 + static_cast<char32_t>(shifted++), characters[byte]);
      }
    }
  }
  // code point -> byte, or -1.
  int byte_for(char32_t code_point) const {
    if (code_point < 0x100)
      return stands_for_itself(code_point) ? static_cast<int>(code_point) : -1;
    if (code_point >= 0x100 + kShiftedCount) return -1;
    return shifted_bytes[code_point - 0x100];
  }
};

const Alphabet& alphabet() {
  static const Alphabet instance;
  return instance;
}

}  // namespace

const std::array<std::string, 256>& byte_level_characters() {
  return alphabet().characters;
}

std::string bytes_to_byte_level(std::string_view bytes) {
  const auto& characters = alphabet().characters;
  std::string text;
  text.reserve(bytes.size() * 2);
  for (char byte : bytes) text += characters[static_cast<unsigned char>(byte)];
  return text;
}

std::optional<std::string> byte_level_to_bytes(std::string_view text) {
  std::string bytes;
  bytes.reserve(text.size());
  for (std::size_t position = 0; position < text.size();) {
    const DecodedCodePoint decoded = decode_utf8(text, position);
    if (!decoded.valid) return std::nullopt;
    const int byte = alphabet().byte_for(decoded.value);
    if (byte < 0) return std::nullopt;
    bytes.push_back(static_cast<char>(byte));
    position += decoded.length;
  }
  return bytes;
}

}  // namespace paddock::transformer
