// Reading SentencePiece's ModelProto from the protobuf wire format, field by field.
#include "paddock/transformer/sentencepiece_model_proto.hpp"

#include <cmath>
#include <cstring>

#include "paddock/error.hpp"
#include "paddock/transformer/protobuf_reader.hpp"
#include "paddock/transformer/utf8.hpp"

namespace paddock::transformer {
namespace {

// Field numbers from sentencepiece_model.proto.
namespace model_field {
constexpr std::uint32_t pieces = 1, trainer_spec = 2, normalizer_spec = 3, denormalizer_spec = 5;
}
namespace piece_field {
constexpr std::uint32_t piece = 1, score = 2, type = 3;
}
namespace trainer_field {
constexpr std::uint32_t model_type = 3, vocab_size = 4, treat_whitespace_as_suffix = 24,
                        split_digits = 25, byte_fallback = 35, unk_id = 40, bos_id = 41,
                        eos_id = 42, pad_id = 43, unk_surface = 44, unk_piece = 45, bos_piece = 46,
                        eos_piece = 47, pad_piece = 48;
}
namespace normalizer_field {
constexpr std::uint32_t name = 1, precompiled_charsmap = 2, add_dummy_prefix = 3,
                        remove_extra_whitespaces = 4, escape_whitespaces = 5;
}

bool read_bool(ProtobufReader& reader, const ProtobufField& field, std::string_view name) {
  reader.expect(field, WireType::varint, name);
  return reader.read_varint() != 0;
}

// int32 fields are varints of the value sign-extended to 64 bits; protobuf keeps the low 32.
std::int32_t read_int32(ProtobufReader& reader, const ProtobufField& field, std::string_view name) {
  reader.expect(field, WireType::varint, name);
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(reader.read_varint()));
}

float read_float(ProtobufReader& reader, const ProtobufField& field, std::string_view name) {
  reader.expect(field, WireType::fixed32, name);
  const std::uint32_t bits = reader.read_fixed32();
  float value = 0;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

std::string read_utf8(ProtobufReader& reader, const ProtobufField& field, std::string_view name) {
  reader.expect(field, WireType::length_delimited, name);
  const std::string_view value = reader.read_length_delimited();
  if (!is_valid_utf8(value)) reader.fail(field.offset, std::string(name) + " is not valid UTF-8");
  return std::string(value);
}

SentencePieceEntry read_piece(ProtobufReader& reader) {
  SentencePieceEntry entry;
  bool has_piece = false;
  while (!reader.at_end()) {
    const ProtobufField field = reader.next_field();
    switch (field.number) {
      case piece_field::piece:
        entry.piece = read_utf8(reader, field, "piece");
        // libsentencepiece's tries take pieces as C strings; a NUL would cut them short.
        if (entry.piece.find('\0') != std::string::npos) {
          reader.fail(field.offset, "piece contains a NUL byte");
        }
        has_piece = true;
        break;
      case piece_field::score: {
        entry.score = read_float(reader, field, "score");
        if (!std::isfinite(entry.score)) reader.fail(field.offset, "score is not a finite number");
        break;
      }
      case piece_field::type: {
        const std::int32_t type = read_int32(reader, field, "type");
        if (type < 1 || type > 6) {
          reader.fail(field.offset,
                      "type " + std::to_string(type) +
                          " is not a piece type (1 normal, 2 unknown, 3 control, 4 user-defined, "
                          "5 unused, 6 byte)");
        }
        entry.type = static_cast<SentencePieceType>(type);
        break;
      }
      default:
        reader.skip(field);
    }
  }
  if (!has_piece || entry.piece.empty()) reader.fail(reader.offset(), "the piece is empty");
  return entry;
}

void read_trainer_spec(ProtobufReader& reader, SentencePieceTrainerSpec& spec) {
  while (!reader.at_end()) {
    const ProtobufField field = reader.next_field();
    switch (field.number) {
      case trainer_field::model_type: {
        const std::int32_t type = read_int32(reader, field, "model_type");
        if (type < 1 || type > 4) {
          reader.fail(field.offset, "model_type " + std::to_string(type) +
                                        " is not a model type (1 unigram, 2 BPE, 3 word, 4 char)");
        }
        spec.model_type = static_cast<SentencePieceModelType>(type);
        break;
      }
      case trainer_field::vocab_size:
        spec.vocab_size = read_int32(reader, field, "vocab_size");
        break;
      case trainer_field::treat_whitespace_as_suffix:
        spec.treat_whitespace_as_suffix = read_bool(reader, field, "treat_whitespace_as_suffix");
        break;
      case trainer_field::split_digits:
        spec.split_digits = read_bool(reader, field, "split_digits");
        break;
      case trainer_field::byte_fallback:
        spec.byte_fallback = read_bool(reader, field, "byte_fallback");
        break;
      case trainer_field::unk_id:
        spec.unk_id = read_int32(reader, field, "unk_id");
        break;
      case trainer_field::bos_id:
        spec.bos_id = read_int32(reader, field, "bos_id");
        break;
      case trainer_field::eos_id:
        spec.eos_id = read_int32(reader, field, "eos_id");
        break;
      case trainer_field::pad_id:
        spec.pad_id = read_int32(reader, field, "pad_id");
        break;
      case trainer_field::unk_surface:
        spec.unk_surface = read_utf8(reader, field, "unk_surface");
        break;
      case trainer_field::unk_piece:
        spec.unk_piece = read_utf8(reader, field, "unk_piece");
        break;
      case trainer_field::bos_piece:
        spec.bos_piece = read_utf8(reader, field, "bos_piece");
        break;
      case trainer_field::eos_piece:
        spec.eos_piece = read_utf8(reader, field, "eos_piece");
        break;
      case trainer_field::pad_piece:
        spec.pad_piece = read_utf8(reader, field, "pad_piece");
        break;
      default:
        reader.skip(field);
    }
  }
}

void read_normalizer_spec(ProtobufReader& reader, SentencePieceNormalizerSpec& spec) {
  while (!reader.at_end()) {
    const ProtobufField field = reader.next_field();
    switch (field.number) {
      case normalizer_field::name:
        spec.name = read_utf8(reader, field, "name");
        break;
      case normalizer_field::precompiled_charsmap:
        reader.expect(field, WireType::length_delimited, "precompiled_charsmap");
        spec.precompiled_charsmap = std::string(reader.read_length_delimited());
        break;
      case normalizer_field::add_dummy_prefix:
        spec.add_dummy_prefix = read_bool(reader, field, "add_dummy_prefix");
        break;
      case normalizer_field::remove_extra_whitespaces:
        spec.remove_extra_whitespaces = read_bool(reader, field, "remove_extra_whitespaces");
        break;
      case normalizer_field::escape_whitespaces:
        spec.escape_whitespaces = read_bool(reader, field, "escape_whitespaces");
        break;
      default:
        reader.skip(field);
    }
  }
}

}  // namespace

const char* sentencepiece_model_type_name(SentencePieceModelType type) {
  switch (type) {
    case SentencePieceModelType::unigram:
      return "unigram";
    case SentencePieceModelType::bpe:
      return "BPE";
    case SentencePieceModelType::word:
      return "word";
    case SentencePieceModelType::character:
      return "char";
  }
  return "unknown";
}

SentencePieceModelProto parse_sentencepiece_model(std::string_view bytes, std::string_view label) {
  SentencePieceModelProto model;
  ProtobufReader reader(bytes, std::string(label));
  while (!reader.at_end()) {
    const ProtobufField field = reader.next_field();
    switch (field.number) {
      case model_field::pieces: {
        reader.expect(field, WireType::length_delimited, "pieces");
        if (model.pieces.size() == kMaxSentencePieces) {
          reader.fail(field.offset, "more than " + std::to_string(kMaxSentencePieces) + " pieces");
        }
        const std::string context =
            std::string(label) + ": pieces[" + std::to_string(model.pieces.size()) + "]";
        ProtobufReader piece = reader.read_message(context);
        model.pieces.push_back(read_piece(piece));
        break;
      }
      case model_field::trainer_spec: {
        reader.expect(field, WireType::length_delimited, "trainer_spec");
        ProtobufReader spec = reader.read_message(std::string(label) + ": trainer_spec");
        read_trainer_spec(spec, model.trainer_spec);
        break;
      }
      case model_field::normalizer_spec: {
        reader.expect(field, WireType::length_delimited, "normalizer_spec");
        ProtobufReader spec = reader.read_message(std::string(label) + ": normalizer_spec");
        read_normalizer_spec(spec, model.normalizer_spec);
        break;
      }
      case model_field::denormalizer_spec: {
        reader.expect(field, WireType::length_delimited, "denormalizer_spec");
        ProtobufReader spec = reader.read_message(std::string(label) + ": denormalizer_spec");
        if (!model.denormalizer_spec) model.denormalizer_spec.emplace();
        read_normalizer_spec(spec, *model.denormalizer_spec);
        break;
      }
      default:
        reader.skip(field);
    }
  }
  if (model.pieces.empty()) {
    throw Error(std::string(label) +
                ": no pieces: not a SentencePiece model (expected the tokenizer.model file of a "
                "SentencePiece tokenizer)");
  }
  return model;
}

}  // namespace paddock::transformer
