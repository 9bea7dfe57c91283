// Lenient UTF-8 decoding: walks any byte string, reporting each byte that is not part of a
// well-formed sequence as an invalid one-byte unit, so raw bytes survive tokenization.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace paddock::transformer {

struct DecodedCodePoint {
  char32_t value = 0;      // meaningless when !valid
  std::size_t length = 1;  // bytes consumed, 1 to 4
  bool valid = false;
};

// Decodes the sequence starting at `position` (< text.size()). Overlong forms, surrogates,
// values past U+10FFFF and truncated sequences are invalid and consume one byte.
DecodedCodePoint decode_utf8(std::string_view text, std::size_t position);

void append_utf8(char32_t code_point, std::string& out);

bool is_valid_utf8(std::string_view text);
// `text` with every byte that is not part of a well-formed sequence replaced by U+FFFD, as
// Python's bytes.decode(errors="replace") does: byte-level BPE can decode a token sequence
// into text that breaks off in the middle of a character.
std::string repair_utf8(std::string_view text);

}  // namespace paddock::transformer
