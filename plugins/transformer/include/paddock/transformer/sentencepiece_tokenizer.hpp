// A SentencePiece tokenizer read from a `tokenizer.model` file (LLaMA-1/2 and their kin),
// implemented here without libsentencepiece or protobuf: the file is parsed by hand
// (sentencepiece_model_proto.hpp), then text is normalized, segmented by the model's BPE or
// unigram algorithm and unknown characters spelled in byte pieces, giving the ids
// libsentencepiece gives (tests/sentencepiece compares the two). Around that, as Hugging
// Face's LlamaTokenizer does, the text of special and added tokens (<s>, </s>, tokens of
// tokenizer_config.json) is matched first and becomes their ids. Its methods mirror
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

#include <unordered_map>

#include "paddock/transformer/added_token_matcher.hpp"
#include "paddock/transformer/bpe_tokenizer.hpp"
#include "paddock/transformer/sentencepiece_model_proto.hpp"

namespace paddock::transformer {

// Where SentencePiece's dummy prefix (the "▁" before a text) goes once text is split on added
// tokens: Hugging Face's LlamaTokenizer settings of the same names (tokenizer_config.json).
struct AddedTokenSpacing {
  // true (Hugging Face's default when the config does not say): every stretch of text between
  // added tokens is encoded on its own, as libsentencepiece encodes a whole text, so each gets
  // the model's dummy prefix: "a</s><s>b" is "▁a", </s>, <s>, "▁b" (Meta's LLaMA-2 code
  // encodes each turn separately, which gives the same). false: no stretch gets a dummy prefix
  // of its own, and "b" stays "b".
  bool legacy = true;
  // Only when not legacy: one "▁" before the whole text, left out when the text starts with a
  // special token.
  bool add_prefix_space = true;
};

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

  // Token ids for `text`. The text of an added token (added_tokens(), and the bos, eos, unk
  // and pad tokens) becomes its id, matched exactly as BpeTokenizer matches (leftmost, then
  // longest, by AddedTokenMatcher); the text between is normalized the way the model says
  // (LLaMA's: none, plus a dummy prefix space) and segmented, stretch by stretch, with the
  // dummy prefix placed as added_token_spacing() says. As BpeTokenizer, no BOS/EOS is added:
  // add bos_id() / eos_id() yourself.
  std::vector<std::int32_t> encode(std::string_view text) const;
  // As libsentencepiece's Encode: the whole text through the model, added tokens' text
  // included as ordinary characters.
  std::vector<std::int32_t> encode_ignoring_added_tokens(std::string_view text) const;
  // The text of `ids`. Special tokens (control pieces such as <s> and </s>, the bos, eos and
  // pad tokens, and added tokens marked special) are written as their text unless
  // skip_special_tokens; an added token past the model's pieces is written as its text; the
  // rest decodes as libsentencepiece decodes it (the unknown piece as " ⁇ "). Throws
  // paddock::Error for an id outside the vocabulary.
  std::string decode(const std::vector<std::int32_t>& ids, bool skip_special_tokens = false) const;

  // An added token's text, else a piece as the model spells it ("▁the", "<0x0A>", "<s>");
  // nullopt when there is neither (SentencePiece itself would answer unk's id).
  std::optional<std::int32_t> token_to_id(std::string_view piece) const;
  std::optional<std::string> id_to_token(std::int32_t id) const;
  // Ids are 0 .. vocab_size() - 1: the model's pieces, then any added tokens past them.
  std::size_t vocab_size() const;

  // Tokens matched in text before the model sees it, as Hugging Face's added tokens
  // (tokenizer_config.json's added_tokens_decoder). An id below the model's piece count must
  // be that piece, spelled the same; a higher one is a token of its own. Their lstrip,
  // rstrip, single_word and normalized flags are kept for saving and not applied, as in
  // BpeTokenizer. Throws paddock::Error for an empty or repeated content, a negative or
  // repeated id, or an id whose piece is spelled otherwise; nothing changes then.
  void set_added_tokens(std::vector<AddedToken> tokens);
  const std::vector<AddedToken>& added_tokens() const { return added_tokens_; }
  void set_added_token_spacing(const AddedTokenSpacing& spacing) { spacing_ = spacing; }
  const AddedTokenSpacing& added_token_spacing() const { return spacing_; }

  // The ids of each role; nullopt when there is none. Loaded from the model as
  // libsentencepiece reads them: the trainer spec's role piece ("<s>", ...) when the model
  // has it as a control piece (unknown piece for unk).
  std::optional<std::int32_t> bos_id() const { return bos_id_; }
  std::optional<std::int32_t> eos_id() const { return eos_id_; }
  std::optional<std::int32_t> pad_id() const { return pad_id_; }
  std::optional<std::int32_t> unk_id() const { return unk_id_; }
  // The roles as pieces (empty: none), and setting them, e.g. from tokenizer_config.json.
  // Each non-empty role must be a piece of the model or an added token; the unk role must be
  // the model's unknown piece. The role tokens' text is matched by encode().
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
  const AddedToken* added_token(std::int32_t id) const;  // nullptr when `id` is not one
  void index_matched_tokens();
  void append_model_ids(std::string_view text, bool dummy_prefix,
                        std::vector<std::int32_t>& ids) const;

  // Immutable once loaded, so copies share it.
  std::shared_ptr<const Model> model_;
  std::string source_;
  std::optional<std::int32_t> bos_id_;
  std::optional<std::int32_t> eos_id_;
  std::optional<std::int32_t> pad_id_;
  std::optional<std::int32_t> unk_id_;
  std::vector<AddedToken> added_tokens_;
  std::unordered_map<std::int32_t, std::size_t> added_index_by_id_;  // into added_tokens_
  std::unordered_map<std::string, std::int32_t> added_ids_;          // content -> id
  std::size_t vocab_size_ = 0;
  AddedTokenMatcher matcher_;  // added tokens, then the role tokens
  AddedTokenSpacing spacing_;
};

}  // namespace paddock::transformer
