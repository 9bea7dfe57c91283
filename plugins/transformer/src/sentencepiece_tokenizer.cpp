// SentencePieceTokenizer: loading a tokenizer.model, and encoding and decoding the way
// libsentencepiece's SentencePieceProcessor does (Encode, PopulateSentencePieceText, Decode),
// with added and special tokens matched in the text first, as Hugging Face's LlamaTokenizer.
#include "paddock/transformer/sentencepiece_tokenizer.hpp"

#include <algorithm>
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

// Added token ids past the model's pieces index tables, so one far past them would make
// those huge; as in BpeTokenizer, this leaves room for generous gaps.
constexpr std::int64_t kMaxUnusedIds = std::int64_t{1} << 20;

std::string single_quoted(std::string_view text) {
  return "'" + std::string(text) + "'";
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
  // The same without the dummy prefix (Hugging Face's non-legacy mode); null when the model
  // has none anyway.
  std::unique_ptr<SentencePieceNormalizer> normalizer_without_dummy_prefix;
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
  if (proto.normalizer_spec.add_dummy_prefix) {
    SentencePieceNormalizerSpec without_prefix = proto.normalizer_spec;
    without_prefix.add_dummy_prefix = false;
    model->normalizer_without_dummy_prefix = std::make_unique<SentencePieceNormalizer>(
        without_prefix, trainer.treat_whitespace_as_suffix, vocabulary.user_defined_symbols(),
        where);
  }
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
      unk_id_(model_->unk_id),
      vocab_size_(model_->vocabulary->size()) {
  index_matched_tokens();
}

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
  std::vector<std::int32_t> ids;
  std::size_t start = 0;
  for (bool at_start = true;; at_start = false) {
    const auto match = matcher_.find_next(text, start);
    const std::string_view stretch =
        text.substr(start, (match ? match->position : text.size()) - start);
    if (spacing_.legacy) {
      append_model_ids(stretch, /*with_dummy_prefix=*/true, ids);
    } else if (at_start && spacing_.add_prefix_space && !text.empty()) {
      // Hugging Face writes "▁" before the text, and drops it again when it is alone before
      // a special token.
      if (!(stretch.empty() && match && is_special(match->id))) {
        append_model_ids(std::string(kSentencePieceSpace) + std::string(stretch),
                         /*with_dummy_prefix=*/false, ids);
      }
    } else {
      append_model_ids(stretch, /*with_dummy_prefix=*/false, ids);
    }
    if (!match) break;
    ids.push_back(match->id);
    start = match->position + match->length;
  }
  return ids;
}

std::vector<std::int32_t> SentencePieceTokenizer::encode_ignoring_added_tokens(
    std::string_view text) const {
  std::vector<std::int32_t> ids;
  append_model_ids(text, /*with_dummy_prefix=*/true, ids);
  return ids;
}

// `with_dummy_prefix`: true for the model's own normalization, false for it without the
// dummy prefix whatever the model says.
void SentencePieceTokenizer::append_model_ids(std::string_view text, bool with_dummy_prefix,
                                              std::vector<std::int32_t>& ids) const {
  if (text.empty()) return;
  const SentencePieceVocabulary& vocabulary = *model_->vocabulary;
  const SentencePieceNormalizer& normalizer =
      with_dummy_prefix || !model_->normalizer_without_dummy_prefix
          ? *model_->normalizer
          : *model_->normalizer_without_dummy_prefix;
  const std::string normalized = normalizer.normalize(text);
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
    text += sentencepiece_spaces_restored(piece);
  }
  append_byte_run(byte_run, text);
  if (model_->denormalizer) return model_->denormalizer->normalize(text);
  return text;
}

const AddedToken* SentencePieceTokenizer::added_token(std::int32_t id) const {
  const auto found = added_index_by_id_.find(id);
  return found == added_index_by_id_.end() ? nullptr : &added_tokens_[found->second];
}

bool SentencePieceTokenizer::is_special(std::int32_t id) const {
  if (id == bos_id_ || id == eos_id_ || id == pad_id_) return true;
  if (const AddedToken* token = added_token(id)) {
    if (token->special) return true;
  }
  return static_cast<std::size_t>(id) < model_->vocabulary->size() &&
         model_->vocabulary->type(id) == SentencePieceType::control;
}

std::string SentencePieceTokenizer::decode(const std::vector<std::int32_t>& ids,
                                           bool skip_special_tokens) const {
  const std::size_t pieces = model_->vocabulary->size();
  for (const std::int32_t id : ids) {
    if (id < 0 || static_cast<std::size_t>(id) >= vocab_size() ||
        (static_cast<std::size_t>(id) >= pieces && added_token(id) == nullptr)) {
      throw Error(source_ + ": cannot decode id " + std::to_string(id) +
                  ": it is not in the vocabulary (" + std::to_string(vocab_size()) + " ids)");
    }
  }
  std::string text;
  std::vector<std::int32_t> run;  // model ids between special and added tokens, decoded together
  for (const std::int32_t id : ids) {
    const bool special = is_special(id);
    if (!special && static_cast<std::size_t>(id) < pieces) {
      run.push_back(id);
      continue;
    }
    if (special && skip_special_tokens) continue;
    text += decode_pieces(run);
    run.clear();
    text += *id_to_token(id);
  }
  return text + decode_pieces(run);
}

std::optional<std::int32_t> SentencePieceTokenizer::token_to_id(std::string_view piece) const {
  if (const auto added = added_ids_.find(std::string(piece)); added != added_ids_.end()) {
    return added->second;
  }
  return model_->vocabulary->find(piece);
}

std::optional<std::string> SentencePieceTokenizer::id_to_token(std::int32_t id) const {
  if (id < 0) return std::nullopt;
  if (static_cast<std::size_t>(id) < model_->vocabulary->size()) {
    return model_->vocabulary->entry(id).piece;
  }
  if (const AddedToken* token = added_token(id)) return token->content;
  return std::nullopt;
}

std::size_t SentencePieceTokenizer::vocab_size() const {
  return vocab_size_;
}

void SentencePieceTokenizer::set_added_tokens(std::vector<AddedToken> tokens) {
  const SentencePieceVocabulary& vocabulary = *model_->vocabulary;
  const std::int64_t id_limit =
      static_cast<std::int64_t>(vocabulary.size() + tokens.size()) + kMaxUnusedIds;
  std::unordered_map<std::int32_t, std::size_t> index_by_id;
  std::unordered_map<std::string, std::int32_t> ids_by_content;
  std::size_t size = vocabulary.size();
  for (std::size_t index = 0; index < tokens.size(); ++index) {
    const AddedToken& token = tokens[index];
    const std::string what =
        "added token " + single_quoted(token.content) + " (id " + std::to_string(token.id) + ")";
    if (token.content.empty()) throw Error(what + ": its content is empty");
    if (token.id < 0) throw Error(what + ": the id is negative");
    if (token.id >= id_limit) {
      throw Error(what + ": the id is too large: the SentencePiece model has " +
                  std::to_string(vocabulary.size()) + " pieces, and added ids must stay below " +
                  std::to_string(id_limit));
    }
    if (!ids_by_content.emplace(token.content, token.id).second) {
      throw Error(what + ": " + single_quoted(token.content) + " is added twice");
    }
    if (const auto [found, added] = index_by_id.emplace(token.id, index); !added) {
      throw Error(what + ": id " + std::to_string(token.id) + " is also added token " +
                  single_quoted(tokens[found->second].content));
    }
    const auto id = static_cast<std::size_t>(token.id);
    if (id < vocabulary.size() && vocabulary.entry(token.id).piece != token.content) {
      throw Error(what + ": id " + std::to_string(token.id) + " is the piece " +
                  single_quoted(vocabulary.entry(token.id).piece) + " of the SentencePiece model " +
                  source_);
    }
    size = std::max(size, id + 1);
  }
  added_tokens_ = std::move(tokens);
  added_index_by_id_ = std::move(index_by_id);
  added_ids_ = std::move(ids_by_content);
  vocab_size_ = size;
  index_matched_tokens();
}

void SentencePieceTokenizer::index_matched_tokens() {
  matcher_ = AddedTokenMatcher();
  for (const AddedToken& token : added_tokens_) matcher_.add(token.content, token.id);
  for (const auto& role : {bos_id_, eos_id_, unk_id_, pad_id_}) {
    if (role) matcher_.add(*id_to_token(*role), *role);
  }
}

SpecialTokenRoles SentencePieceTokenizer::special_token_roles() const {
  const auto piece = [&](const std::optional<std::int32_t>& id) {
    return id ? *id_to_token(*id) : std::string();
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
                  " is not a piece of the SentencePiece model " + source_ + " nor an added token");
    }
    return id;
  };
  const auto bos = resolve("bos", roles.bos);
  const auto eos = resolve("eos", roles.eos);
  const auto pad = resolve("pad", roles.pad);
  const auto unk = resolve("unk", roles.unk);
  if (unk && (static_cast<std::size_t>(*unk) >= model_->vocabulary->size() ||
              model_->vocabulary->type(*unk) != SentencePieceType::unknown)) {
    throw Error("the unk token " + single_quoted(roles.unk) +
                " is not the unknown piece of the SentencePiece model " + source_ + " (" +
                single_quoted(model_->vocabulary->entry(model_->vocabulary->unk_id()).piece) + ")");
  }
  bos_id_ = bos;
  eos_id_ = eos;
  pad_id_ = pad;
  unk_id_ = unk;
  index_matched_tokens();
}

}  // namespace paddock::transformer
