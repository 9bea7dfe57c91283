// A SentencePiece tokenizer read from a `tokenizer.model` file (LLaMA-1/2 and their kin),
// implemented here without libsentencepiece or protobuf: the file is parsed by hand
// (sentencepiece_model_proto.hpp), then text is normalized, segmented by the model's BPE or
// unigram algorithm and unknown characters spelled in byte pieces, giving the ids
// libsentencepiece gives (tests/sentencepiece compares the two). Its methods mirror
// BpeTokenizer's, so code can use either. See docs/models.md for what is refused.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "paddock/transformer/bpe_tokenizer.hpp"
#include "paddock/transformer/sentencepiece_model_proto.hpp"

namespace paddock::transformer {

class SentencePieceTokenizer {
 public:
  // Reads a serialized SentencePiece model (`tokenizer.model`). Throws paddock::Error naming
  // the file when it cannot be read, is not a valid SentencePiece model, or uses what this
  // implementation refuses (the word and char model types).
  static SentencePieceTokenizer load(const std::filesystem::path& model_file);
  // The same from the file's bytes; `label` names the source in errors.
  static SentencePieceTokenizer from_serialized(std::string_view model_bytes,
                                                std::string_view label);

  // The model file's bytes, and writing them (atomically) as a tokenizer.model.
  const std::string& serialized_model() const;
  void save(const std::filesystem::path& model_file) const;

  // Token ids for `text`, normalized the way the model says (LLaMA's: none, plus a dummy
  // prefix space). As BpeTokenizer, no BOS/EOS is added: add bos_id() / eos_id() yourself.
  std::vector<std::int32_t> encode(std::string_view text) const;
  // The text of `ids`. Special tokens (control pieces such as <s> and </s>, and the bos,
  // eos and pad tokens) are written as their piece text unless skip_special_tokens; the rest
  // decodes as libsentencepiece decodes it (the unknown piece as " ⁇ "). Throws
  // paddock::Error for an id outside the vocabulary.
  std::string decode(const std::vector<std::int32_t>& ids, bool skip_special_tokens = false) const;

  // A piece as the model spells it ("▁the", "<0x0A>", "<s>"), or nullopt when the model has
  // no such piece (SentencePiece itself would answer unk's id).
  std::optional<std::int32_t> token_to_id(std::string_view piece) const;
  std::optional<std::string> id_to_token(std::int32_t id) const;
  // Ids are 0 .. vocab_size() - 1.
  std::size_t vocab_size() const;

  // The ids of each role; nullopt when there is none. Loaded from the model as
  // libsentencepiece reads them: the trainer spec's role piece ("<s>", ...) when the model
  // has it as a control piece (unknown piece for unk).
  std::optional<std::int32_t> bos_id() const { return bos_id_; }
  std::optional<std::int32_t> eos_id() const { return eos_id_; }
  std::optional<std::int32_t> pad_id() const { return pad_id_; }
  std::optional<std::int32_t> unk_id() const { return unk_id_; }
  // The roles as pieces (empty: none), and setting them, e.g. from tokenizer_config.json.
  // Each non-empty role must be a piece of the model; the unk role must be its unknown piece.
  SpecialTokenRoles special_token_roles() const;
  void set_special_token_roles(const SpecialTokenRoles& roles);

  SentencePieceModelType model_type() const;
  // The file (or label) it was loaded from, for error messages.
  const std::string& source() const { return source_; }

 private:
  struct Model;
  SentencePieceTokenizer(std::shared_ptr<const Model> model, std::string source);
  std::string decode_pieces(const std::vector<std::int32_t>& ids) const;
  bool is_special(std::int32_t id) const;

  // Immutable once loaded, so copies share it.
  std::shared_ptr<const Model> model_;
  std::string source_;
  std::optional<std::int32_t> bos_id_;
  std::optional<std::int32_t> eos_id_;
  std::optional<std::int32_t> pad_id_;
  std::optional<std::int32_t> unk_id_;
};

}  // namespace paddock::transformer
