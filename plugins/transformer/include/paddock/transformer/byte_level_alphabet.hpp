// GPT-2's byte-level alphabet: each of the 256 byte values is shown as one printable Unicode
// character (printable Latin-1 bytes as themselves, the rest as U+0100 upwards in byte
// order, so a space is 'Ġ' and a newline 'Ċ'). BPE vocabularies spell tokens in it.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace paddock::transformer {

// The UTF-8 spelling of the character standing for each byte.
const std::array<std::string, 256>& byte_level_characters();

// Raw bytes -> their byte-level spelling.
std::string bytes_to_byte_level(std::string_view bytes);

// Byte-level spelling -> raw bytes; nullopt when a character is not in the alphabet.
std::optional<std::string> byte_level_to_bytes(std::string_view text);

}  // namespace paddock::transformer
