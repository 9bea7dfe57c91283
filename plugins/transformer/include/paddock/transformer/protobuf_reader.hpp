// A reader of the protocol buffers wire format, written by hand so that SentencePiece's
// tokenizer.model can be read without a protobuf library (see docs/models.md). It knows the
// encoding only: keys, varints, fixed-width numbers, length-delimited bytes and groups. What
// the fields mean is the caller's business. Every read is bounds-checked; a malformed input
// throws paddock::Error naming the input, the message path and the byte offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace paddock::transformer {

enum class WireType : std::uint8_t {
  varint = 0,
  fixed64 = 1,
  length_delimited = 2,
  start_group = 3,
  end_group = 4,
  fixed32 = 5,
};

// "varint", "fixed64", ... for error messages.
const char* wire_type_name(WireType type);

struct ProtobufField {
  std::uint32_t number = 0;
  WireType wire_type = WireType::varint;
  std::size_t offset = 0;  // of the field's key, counted from the start of the whole input
};

class ProtobufReader {
 public:
  // `context` names what is read in errors ("tokenizer.model", "tokenizer.model: pieces[3]");
  // `base_offset` is where `bytes` starts in the whole input, so offsets in errors are absolute.
  ProtobufReader(std::string_view bytes, std::string context, std::size_t base_offset = 0);

  bool at_end() const { return position_ == bytes_.size(); }
  // Reads the next key. Field number 0, numbers past 2^29 - 1, wire types 6 and 7 and an
  // end-group key outside a group are errors.
  ProtobufField next_field();

  std::uint64_t read_varint();
  std::uint32_t read_fixed32();
  std::uint64_t read_fixed64();
  // The bytes of a length-delimited value; they must lie inside the input.
  std::string_view read_length_delimited();
  // A reader over a length-delimited value (an embedded message), for `context`.
  ProtobufReader read_message(std::string context);

  // Skips the value of `field`, which next_field() just returned, whatever its wire type;
  // a group is skipped up to its matching end-group key.
  void skip(const ProtobufField& field);

  // Throws unless `field` has `expected` wire type, naming the field as `name`.
  void expect(const ProtobufField& field, WireType expected, std::string_view name) const;

  // Throws paddock::Error "<context>: byte <offset>: <message>".
  [[noreturn]] void fail(std::size_t offset, const std::string& message) const;

  const std::string& context() const { return context_; }
  // Absolute offset of the next byte to read.
  std::size_t offset() const { return base_offset_ + position_; }

 private:
  void skip_group(const ProtobufField& start, int depth);
  ProtobufField read_key(bool inside_group);

  std::string_view bytes_;
  std::string context_;
  std::size_t base_offset_ = 0;
  std::size_t position_ = 0;
};

}  // namespace paddock::transformer
