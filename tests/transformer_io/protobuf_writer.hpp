// Test helpers that write protocol buffers wire format by hand, to build SentencePiece
// models (well-formed or deliberately broken) byte by byte.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace paddock::transformer::testing {

inline std::string varint(std::uint64_t value) {
  std::string out;
  do {
    unsigned char byte = value & 0x7F;
    value >>= 7;
    if (value != 0) byte |= 0x80;
    out.push_back(static_cast<char>(byte));
  } while (value != 0);
  return out;
}

inline std::string key(std::uint32_t field, std::uint32_t wire_type) {
  return varint((static_cast<std::uint64_t>(field) << 3) | wire_type);
}

inline std::string varint_field(std::uint32_t field, std::uint64_t value) {
  return key(field, 0) + varint(value);
}

inline std::string bytes_field(std::uint32_t field, std::string_view value) {
  return key(field, 2) + varint(value.size()) + std::string(value);
}

inline std::string float_field(std::uint32_t field, float value) {
  std::uint32_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  std::string out = key(field, 5);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
  return out;
}

// ModelProto.pieces: piece (1), score (2), type (3: 1 normal, 2 unknown, 3 control,
// 4 user-defined, 5 unused, 6 byte).
inline std::string piece_message(std::string_view piece, float score, int type) {
  return bytes_field(1, bytes_field(1, piece) + float_field(2, score) + varint_field(3, type));
}

// TrainerSpec with model_type (3) and byte_fallback (35).
inline std::string trainer_spec(int model_type, bool byte_fallback) {
  return bytes_field(2, varint_field(3, model_type) + varint_field(35, byte_fallback ? 1 : 0));
}

// NormalizerSpec: name (1), add_dummy_prefix (3), remove_extra_whitespaces (4).
inline std::string identity_normalizer(bool add_dummy_prefix, bool remove_extra_whitespaces) {
  return bytes_field(3, bytes_field(1, "identity") + varint_field(3, add_dummy_prefix) +
                            varint_field(4, remove_extra_whitespaces));
}

}  // namespace paddock::transformer::testing
