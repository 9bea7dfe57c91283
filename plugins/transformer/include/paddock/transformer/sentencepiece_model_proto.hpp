// SentencePiece's ModelProto (sentencepiece_model.proto), the content of a tokenizer.model
// file: the pieces with their scores and types, the trainer spec (model type, byte fallback,
// role pieces) and the normalizer spec. Only the fields encoding and decoding need are kept;
// the rest are skipped by wire type. Field numbers are those of sentencepiece_model.proto.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paddock::transformer {

// ModelProto.SentencePiece.Type; the numbers are the proto's.
enum class SentencePieceType : std::uint8_t {
  normal = 1,
  unknown = 2,
  control = 3,
  user_defined = 4,
  unused = 5,
  byte = 6,
};

// TrainerSpec.ModelType.
enum class SentencePieceModelType : std::uint8_t { unigram = 1, bpe = 2, word = 3, character = 4 };

const char* sentencepiece_model_type_name(SentencePieceModelType type);

struct SentencePieceEntry {
  std::string piece;  // UTF-8, never empty
  float score = 0;    // finite
  SentencePieceType type = SentencePieceType::normal;
};

// The TrainerSpec fields a tokenizer needs; defaults are the proto's.
struct SentencePieceTrainerSpec {
  SentencePieceModelType model_type = SentencePieceModelType::unigram;
  std::int32_t vocab_size = 8000;
  bool byte_fallback = false;
  bool treat_whitespace_as_suffix = false;
  bool split_digits = false;
  std::int32_t unk_id = 0;
  std::int32_t bos_id = 1;
  std::int32_t eos_id = 2;
  std::int32_t pad_id = -1;
  // Empty means the default ("<unk>", "<s>", "</s>", "<pad>"), as libsentencepiece reads them.
  std::string unk_piece;
  std::string bos_piece;
  std::string eos_piece;
  std::string pad_piece;
  // What decoding writes for the unknown piece; unset means " \u2047 ".
  std::optional<std::string> unk_surface;
};

struct SentencePieceNormalizerSpec {
  std::string name;
  std::string precompiled_charsmap;  // empty: no character normalization
  bool add_dummy_prefix = true;
  bool remove_extra_whitespaces = true;
  bool escape_whitespaces = true;
};

struct SentencePieceModelProto {
  std::vector<SentencePieceEntry> pieces;  // index = id
  SentencePieceTrainerSpec trainer_spec;
  SentencePieceNormalizerSpec normalizer_spec;
  std::optional<SentencePieceNormalizerSpec> denormalizer_spec;
};

// Parses a serialized ModelProto. Throws paddock::Error naming `label`, the field and the
// byte offset for anything malformed: truncated or over-long varints, lengths past the end,
// invalid or unexpected wire types, empty or non-UTF-8 pieces, unknown piece or model types,
// non-finite scores, more than kMaxSentencePieces pieces, or no pieces at all. As protobuf
// does, a repeated scalar keeps its last value and a repeated sub-message is merged.
SentencePieceModelProto parse_sentencepiece_model(std::string_view bytes, std::string_view label);

// More pieces than any real model has (LLaMA: 32,000; Gemma: 256,000); ids stay far from
// int32's limit.
inline constexpr std::size_t kMaxSentencePieces = std::size_t{1} << 24;

}  // namespace paddock::transformer
