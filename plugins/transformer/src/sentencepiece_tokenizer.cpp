// SentencePieceTokenizer: loading a tokenizer.model, and encoding and decoding the way
// libsentencepiece's SentencePieceProcessor does (Encode, PopulateSentencePieceText, Decode).
#include "paddock/transformer/sentencepiece_tokenizer.hpp"

#include <utility>

#include "paddock/core/files.hpp"
#include "paddock/error.hpp"
#include "paddock/transformer/sentencepiece_normalizer.hpp"
#include "paddock/transformer/sentencepiece_segmenter.hpp"
#include "paddock/transformer/sentencepiece_vocabulary.hpp"
#include "paddock/transformer/utf8.hpp"

namespace paddock::transformer {
namespace {

constexpr std::string_view kDefaultUnknownSurface = " \xE2\x81\x87 ";  // " ⁇ "
constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

std::string single_quoted(std::string_view text) {
  return "'" + std::string(text) + "'";
}

std::string spaces_restored(std::string_view piece) {
  std::string text;
  text.reserve(piece.size());
  for (std::size_t position = 0; position < piece.size();) {
    if (piece.substr(position, kSentencePieceSpace.size()) == kSentencePieceSpace) {
      text += ' ';
      position += kSentencePieceSpace.size();
    } else {
      text += piece[position++];
    }
  }
  return text;
}

// Bytes from a run of byte pieces, one UTF-8 character at a time; a byte that starts no
// well-formed character becomes U+FFFD.
void append_byte_run(std::string_view bytes, std::string& text) {
  for (std::size_t position = 0; position < bytes.size();) {
    const DecodedCodePoint character = decode_utf8(bytes, position);
    if (character.valid) {
      text += bytes.substr(position, character.length);
    } else {
      text += kReplacementCharacter;
    }
    position += character.valid ? character.length : 1;
  }
}

}  // namespace

struct SentencePieceTokenizer::Model {
  std::string serialized;
  SentencePieceModelType model_type = SentencePieceModelType::unigram;
  SentencePieceNormalizerSpec normalizer_spec;
  std::string unknown_surface;
  std::unique_ptr<SentencePieceVocabulary> vocabulary;
  std::unique_ptr<SentencePieceNormalizer> normalizer;
  std::unique_ptr<SentencePieceNormalizer> denormalizer;  // only with a denormalizer charsmap
  std::unique_ptr<SentencePieceSegmenter> segmenter;
  std::optional<std::int32_t> bos_id, eos_id, pad_id, unk_id;
};

SentencePieceTokenizer SentencePieceTokenizer::load(const std::filesystem::path& model_file) {
  return from_serialized(core::read_file(model_file), model_file.string());
}

SentencePieceTokenizer SentencePieceTokenizer::from_serialized(std::string_view model_bytes,
                                                               std::string_view label) {
  const std::string where(label);
  SentencePieceModelProto proto;
  try {
    proto = parse_sentencepiece_model(model_bytes, label);
  } catch (const Error& error) {
    throw Error(std::string(error.what()) +
                "; not a valid SentencePiece model (expected the tokenizer.model file of a "
                "SentencePiece tokenizer)");
  }
  const SentencePieceTrainerSpec& trainer = proto.trainer_spec;
  if (trainer.model_type != SentencePieceModelType::bpe &&
      trainer.model_type != SentencePieceModelType::unigram) {
    throw Error(where + ": trainer_spec.model_type is '" +
                sentencepiece_model_type_name(trainer.model_type) +
                "'; only 'BPE' and 'unigram' SentencePiece models are supported");
  }

  auto model = std::make_shared<Model>();
  model->serialized = std::string(model_bytes);
  model->model_type = trainer.model_type;
  model->normalizer_spec = proto.normalizer_spec;
  model->unknown_surface = trainer.unk_surface.value_or(std::string(kDefaultUnknownSurface));
  model->vocabulary = std::make_unique<SentencePieceVocabulary>(std::move(proto.pieces),
                                                                trainer.byte_fallback, label);
  const SentencePieceVocabulary& vocabulary = *model->vocabulary;
  model->normalizer = std::make_unique<SentencePieceNormalizer>(
      proto.normalizer_spec, trainer.treat_whitespace_as_suffix, vocabulary.user_defined_symbols(),
      where);
  if (proto.denormalizer_spec && !proto.denormalizer_spec->precompiled_charsmap.empty()) {
    model->denormalizer = std::make_unique<SentencePieceNormalizer>(
        *proto.denormalizer_spec, /*treat_whitespace_as_suffix=*/false, ByteTrie(),
        where + ": denormalizer");
  }
  model->segmenter = trainer.model_type == SentencePieceModelType::bpe
                         ? make_bpe_segmenter(vocabulary)
                         : make_unigram_segmenter(vocabulary);

  // libsentencepiece resolves the roles by piece, not by the trainer spec's ids.
  const auto role = [&](const std::string& piece, std::string_view fallback,
                        SentencePieceType type) -> std::optional<std::int32_t> {
    const std::int32_t id = vocabulary.piece_to_id(piece.empty() ? fallback : piece);
    if (vocabulary.type(id) != type) return std::nullopt;
    return id;
  };
  model->unk_id = role(trainer.unk_piece, "<unk>", SentencePieceType::unknown);
  model->bos_id = role(trainer.bos_piece, "<s>", SentencePieceType::control);
  model->eos_id = role(trainer.eos_piece, "</s>", SentencePieceType::control);
  model->pad_id = role(trainer.pad_piece, "<pad>", SentencePieceType::control);
  return SentencePieceTokenizer(std::move(model), where);
}

SentencePieceTokenizer::SentencePieceTokenizer(std::shared_ptr<const Model> model,
                                               std::string source)
    : model_(std::move(model)),
      source_(std::move(source)),
      bos_id_(model_->bos_id),
      eos_id_(model_->eos_id),
      pad_id_(model_->pad_id),
      unk_id_(model_->unk_id) {}

const std::string& SentencePieceTokenizer::serialized_model() const {
  return model_->serialized;
}

void SentencePieceTokenizer::save(const std::filesystem::path& model_file) const {
  core::write_file_atomically(model_file, model_->serialized);
}

SentencePieceModelType SentencePieceTokenizer::model_type() const {
  return model_->model_type;
}

std::vector<std::int32_t> SentencePieceTokenizer::encode(std::string_view text) const {
  const SentencePieceVocabulary& vocabulary = *model_->vocabulary;
  const std::string normalized = model_->normalizer->normalize(text);
  std::vector<std::int32_t> ids;
  bool previous_unknown = false;
  for (const SentencePieceSegment& segment : model_->segmenter->segment(normalized)) {
    const bool unknown = vocabulary.type(segment.id) == SentencePieceType::unknown;
    if (unknown && vocabulary.byte_fallback()) {
      for (const char byte : segment.text) {
        ids.push_back(vocabulary.byte_id(static_cast<unsigned char>(byte)));
      }
    } else if (!(unknown && previous_unknown)) {
      ids.push_back(segment.id);  // a run of unknown characters is one unknown piece
    }
    previous_unknown = unknown;
  }
  return ids;
}

std::string SentencePieceTokenizer::decode_pieces(const std::vector<std::int32_t>& ids) const {
  const SentencePieceVocabulary& vocabulary = *model_->vocabulary;
  const SentencePieceNormalizerSpec& spec = model_->normalizer_spec;
  std::string text;
  std::string byte_run;
  bool expect_leading_space = true;  // the dummy prefix is still to be removed
  bool leading_space_removed = false;
  for (const std::int32_t given : ids) {
    // libsentencepiece decodes ids through their pieces, so a piece spelled like a control
    // or byte piece decodes as that one.
    const std::int32_t id = vocabulary.piece_to_id(vocabulary.entry(given).piece);
    const SentencePieceType type = vocabulary.type(id);
    if (type == SentencePieceType::byte) {
      byte_run += static_cast<char>(vocabulary.byte_value(id));
      continue;
    }
    append_byte_run(byte_run, text);
    byte_run.clear();
    if (leading_space_removed || !text.empty()) expect_leading_space = false;
    leading_space_removed = false;
    if (type == SentencePieceType::control) continue;
    if (type == SentencePieceType::unknown) {
      text += model_->unknown_surface;
      continue;
    }
    std::string_view piece = vocabulary.entry(id).piece;
    if (expect_leading_space && (spec.add_dummy_prefix || spec.remove_extra_whitespaces) &&
        piece.substr(0, kSentencePieceSpace.size()) == kSentencePieceSpace) {
      piece.remove_prefix(kSentencePieceSpace.size());
      // Without extra whitespace removal only the first piece loses its space.
      leading_space_removed = !spec.remove_extra_whitespaces;
    }
    text += spaces_restored(piece);
  }
  append_byte_run(byte_run, text);
  if (model_->denormalizer) return model_->denormalizer->normalize(text);
  return text;
}

bool SentencePieceTokenizer::is_special(std::int32_t id) const {
  return model_->vocabulary->type(id) == SentencePieceType::control || id == bos_id_ ||
         id == eos_id_ || id == pad_id_;
}

std::string SentencePieceTokenizer::decode(const std::vector<std::int32_t>& ids,
                                           bool skip_special_tokens) const {
  for (const std::int32_t id : ids) {
    if (id < 0 || static_cast<std::size_t>(id) >= vocab_size()) {
      throw Error(source_ + ": cannot decode id " + std::to_string(id) +
                  ": it is not in the vocabulary (" + std::to_string(vocab_size()) + " ids)");
    }
  }
  std::string text;
  std::vector<std::int32_t> run;  // ids between special tokens, decoded together
  for (const std::int32_t id : ids) {
    if (!is_special(id)) {
      run.push_back(id);
      continue;
    }
    if (skip_special_tokens) continue;
    text += decode_pieces(run);
    run.clear();
    text += model_->vocabulary->entry(id).piece;
  }
  return text + decode_pieces(run);
}

std::optional<std::int32_t> SentencePieceTokenizer::token_to_id(std::string_view piece) const {
  return model_->vocabulary->find(piece);
}

std::optional<std::string> SentencePieceTokenizer::id_to_token(std::int32_t id) const {
  if (id < 0 || static_cast<std::size_t>(id) >= vocab_size()) return std::nullopt;
  return model_->vocabulary->entry(id).piece;
}

std::size_t SentencePieceTokenizer::vocab_size() const {
  return model_->vocabulary->size();
}

SpecialTokenRoles SentencePieceTokenizer::special_token_roles() const {
  const auto piece = [&](const std::optional<std::int32_t>& id) {
    return id ? model_->vocabulary->entry(*id).piece : std::string();
  };
  return {piece(bos_id_), piece(eos_id_), piece(pad_id_), piece(unk_id_)};
}

void SentencePieceTokenizer::set_special_token_roles(const SpecialTokenRoles& roles) {
  const auto resolve = [&](const char* role,
                           const std::string& piece) -> std::optional<std::int32_t> {
    if (piece.empty()) return std::nullopt;
    const auto id = token_to_id(piece);
    if (!id) {
      throw Error(std::string("the ") + role + " token " + single_quoted(piece) +
                  " is not a piece of the SentencePiece model " + source_);
    }
    return id;
  };
  const auto bos = resolve("bos", roles.bos);
  const auto eos = resolve("eos", roles.eos);
  const auto pad = resolve("pad", roles.pad);
  const auto unk = resolve("unk", roles.unk);
  if (unk && model_->vocabulary->type(*unk) != SentencePieceType::unknown) {
    throw Error("the unk token " + single_quoted(roles.unk) +
                " is not the unknown piece of the SentencePiece model " + source_ + " (" +
                single_quoted(model_->vocabulary->entry(model_->vocabulary->unk_id()).piece) + ")");
  }
  bos_id_ = bos;
  eos_id_ = eos;
  pad_id_ = pad;
  unk_id_ = unk;
}

}  // namespace paddock::transformer
