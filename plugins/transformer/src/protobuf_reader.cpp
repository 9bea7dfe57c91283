// The protocol buffers wire format, read with bounds checks at every step.
#include "paddock/transformer/protobuf_reader.hpp"

#include "paddock/error.hpp"

namespace paddock::transformer {
namespace {

constexpr std::uint32_t kMaxFieldNumber = (1u << 29) - 1;
// Groups are a deprecated encoding nobody writes into tokenizer.model; nesting them deeper
// than this only serves to exhaust the stack.
constexpr int kMaxGroupDepth = 32;

}  // namespace

const char* wire_type_name(WireType type) {
  switch (type) {
    case WireType::varint:
      return "varint";
    case WireType::fixed64:
      return "fixed64";
    case WireType::length_delimited:
      return "length-delimited";
    case WireType::start_group:
      return "start-group";
    case WireType::end_group:
      return "end-group";
    case WireType::fixed32:
      return "fixed32";
  }
  return "unknown";
}

ProtobufReader::ProtobufReader(std::string_view bytes, std::string context, std::size_t base_offset)
    : bytes_(bytes), context_(std::move(context)), base_offset_(base_offset) {}

void ProtobufReader::fail(std::size_t offset, const std::string& message) const {
  throw Error(context_ + ": byte " + std::to_string(offset) + ": " + message);
}

std::uint64_t ProtobufReader::read_varint() {
  const std::size_t start = offset();
  std::uint64_t value = 0;
  for (int index = 0;; ++index) {
    if (position_ == bytes_.size()) fail(start, "truncated varint (the input ends inside it)");
    const auto byte = static_cast<unsigned char>(bytes_[position_++]);
    // The tenth byte holds bit 63 only: a larger one, or an eleventh byte, cannot fit.
    if (index == 9 && byte > 1) fail(start, "varint longer than 64 bits");
    value |= static_cast<std::uint64_t>(byte & 0x7F) << (7 * index);
    if ((byte & 0x80) == 0) return value;
  }
}

std::uint32_t ProtobufReader::read_fixed32() {
  if (bytes_.size() - position_ < 4) fail(offset(), "truncated fixed32 value");
  std::uint32_t value = 0;
  for (int index = 3; index >= 0; --index) {
    value = (value << 8) | static_cast<unsigned char>(bytes_[position_ + index]);
  }
  position_ += 4;
  return value;
}

std::uint64_t ProtobufReader::read_fixed64() {
  if (bytes_.size() - position_ < 8) fail(offset(), "truncated fixed64 value");
  std::uint64_t value = 0;
  for (int index = 7; index >= 0; --index) {
    value = (value << 8) | static_cast<unsigned char>(bytes_[position_ + index]);
  }
  position_ += 8;
  return value;
}

std::string_view ProtobufReader::read_length_delimited() {
  const std::size_t start = offset();
  const std::uint64_t length = read_varint();
  const std::size_t remaining = bytes_.size() - position_;
  if (length > remaining) {
    fail(start, "length " + std::to_string(length) + " runs past the end of the input (" +
                    std::to_string(remaining) + " bytes left; the file may be truncated)");
  }
  const std::string_view value = bytes_.substr(position_, static_cast<std::size_t>(length));
  position_ += static_cast<std::size_t>(length);
  return value;
}

ProtobufReader ProtobufReader::read_message(std::string context) {
  const std::string_view value = read_length_delimited();
  // The value ends where the reader now stands.
  return ProtobufReader(value, std::move(context), offset() - value.size());
}

ProtobufField ProtobufReader::read_key(bool inside_group) {
  ProtobufField field;
  field.offset = offset();
  const std::uint64_t key = read_varint();
  const std::uint64_t type = key & 7;
  const std::uint64_t number = key >> 3;
  if (type > 5) fail(field.offset, "invalid wire type " + std::to_string(type));
  if (number == 0) fail(field.offset, "field number 0 is not allowed");
  if (number > kMaxFieldNumber) {
    fail(field.offset, "field number " + std::to_string(number) + " exceeds 2^29 - 1");
  }
  field.number = static_cast<std::uint32_t>(number);
  field.wire_type = static_cast<WireType>(type);
  if (field.wire_type == WireType::end_group && !inside_group) {
    fail(field.offset, "end-group key for field " + std::to_string(number) + " outside a group");
  }
  return field;
}

ProtobufField ProtobufReader::next_field() {
  return read_key(/*inside_group=*/false);
}

void ProtobufReader::skip(const ProtobufField& field) {
  switch (field.wire_type) {
    case WireType::varint:
      read_varint();
      return;
    case WireType::fixed64:
      read_fixed64();
      return;
    case WireType::length_delimited:
      read_length_delimited();
      return;
    case WireType::fixed32:
      read_fixed32();
      return;
    case WireType::start_group:
      skip_group(field, 1);
      return;
    case WireType::end_group:
      fail(field.offset, "unexpected end-group key");
  }
}

void ProtobufReader::skip_group(const ProtobufField& start, int depth) {
  if (depth > kMaxGroupDepth) {
    fail(start.offset, "groups nested more than " + std::to_string(kMaxGroupDepth) + " deep");
  }
  while (true) {
    if (at_end()) {
      fail(start.offset, "group of field " + std::to_string(start.number) + " is never closed");
    }
    const ProtobufField field = read_key(/*inside_group=*/true);
    if (field.wire_type == WireType::end_group) {
      if (field.number != start.number) {
        fail(field.offset, "end-group key for field " + std::to_string(field.number) +
                               " closes the group of field " + std::to_string(start.number));
      }
      return;
    }
    if (field.wire_type == WireType::start_group) {
      skip_group(field, depth + 1);
    } else {
      skip(field);
    }
  }
}

void ProtobufReader::expect(const ProtobufField& field, WireType expected,
                            std::string_view name) const {
  if (field.wire_type == expected) return;
  fail(field.offset, std::string(name) + " (field " + std::to_string(field.number) +
                         ") has wire type " + wire_type_name(field.wire_type) + ", expected " +
                         wire_type_name(expected));
}

}  // namespace paddock::transformer
