// SentencePiece-style BPE in a Hugging Face tokenizer.json (model.byte_fallback true: the
// tokenizer.json of LLaMA-2, Mistral and TinyLlama repositories). Text is Unicode characters
// with spaces written as "▁", merged by ranked merges; a character the vocabulary lacks
// becomes its UTF-8 bytes as <0xXX> tokens. Checkpoints that also ship tokenizer.model are
// read through it instead (sentencepiece_tokenizer.hpp); this reads the ones that do not.
//
// Understood, as the `tokenizers` library applies them:
// - normalizer: null, Prepend, Replace (a String pattern) or a Sequence of them;
// - pre_tokenizer: null or Metaspace (replacement, prepend_scheme "always", "first" or
//   "never", split);
// - model: BPE with byte_fallback, unk_token, fuse_unk, ignore_merges;
// - decoder: Replace (String pattern), ByteFallback, Fuse, Strip, Metaspace, or a Sequence;
// - added_tokens: matched whole in the raw text before anything else, except those with
//   "normalized": true under a normalizer, which are normalized too and matched in each
//   normalized stretch, as the library matches them.
// A character with no token, no byte tokens and no unk_token is dropped, as the library
// drops it. Anything else is refused with an error naming the file and the field.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "paddock/transformer/added_token_matcher.hpp"
#include "paddock/transformer/bpe_tokenizer.hpp"

namespace paddock::transformer {

class ByteFallbackBpeTokenizer {
 public:
  static ByteFallbackBpeTokenizer load(const std::filesystem::path& file);
  // `label` names the source in errors.
  static ByteFallbackBpeTokenizer parse(std::string_view json_text, std::string_view label);

  // Ids of `text`; no BOS or EOS is added.
  std::vector<std::int32_t> encode(std::string_view text) const;
  // The text of `ids` through the file's decoder. Throws paddock::Error for an unknown id.
  std::string decode(const std::vector<std::int32_t>& ids, bool skip_special_tokens) const;

  std::size_t vocab_size() const { return table_.vocab_size(); }
  // A vocabulary entry as the file spells it ("▁the", "<0x0A>") or an added token's content.
  std::optional<std::int32_t> token_to_id(std::string_view token) const {
    return table_.token_to_id(token);
  }
  std::optional<std::string> id_to_token(std::int32_t id) const { return table_.id_to_token(id); }
  const std::vector<AddedToken>& added_tokens() const { return table_.added_tokens(); }
  std::optional<std::int32_t> bos_id() const { return table_.bos_id(); }
  std::optional<std::int32_t> eos_id() const { return table_.eos_id(); }
  std::optional<std::int32_t> pad_id() const { return table_.pad_id(); }
  std::optional<std::int32_t> unk_id() const { return table_.unk_id(); }
  const SpecialTokenRoles& special_token_roles() const { return table_.special_token_roles(); }
  // Throws paddock::Error when a role names a token the tokenizer does not have.
  void set_special_token_roles(const SpecialTokenRoles& roles) {
    table_.set_special_token_roles(roles);
  }
  // Tokens matched whole in text, special (skipped by decode when asked); an existing token
  // keeps its id, a new one gets the next free id. Returns the ids in order.
  std::vector<std::int32_t> add_special_tokens(const std::vector<std::string>& contents);

  // The tokenizer.json it was read from (its keys in their order), with the added tokens as
  // they are now.
  std::string json_text() const;
  const std::string& source() const { return source_; }

 private:
  // One normalizer step: Prepend puts `text` before a non-empty segment, Replace writes
  // `text` for every `pattern`.
  struct TextStep {
    enum class Kind { prepend, replace } kind;
    std::string pattern, text;
  };
  enum class PrependScheme { always, first, never };
  struct Metaspace {
    std::string replacement;
    PrependScheme prepend = PrependScheme::always;
    bool split = true;
  };
  struct DecoderStep {
    enum class Kind { replace, byte_fallback, fuse, strip, metaspace } kind;
    std::string pattern, text;        // replace: pattern -> text; strip: text is the character
    std::size_t start = 0, stop = 0;  // strip: at most this many from each end
    PrependScheme prepend = PrependScheme::always;  // metaspace
  };

  void read_settings(const nlohmann::json& root);
  // A Replace step's String pattern and content.
  std::pair<std::string, std::string> read_replace(const nlohmann::json& step,
                                                   const std::string& field) const;
  void read_normalizer_step(const nlohmann::json& step, const std::string& field);
  void read_decoder_step(const nlohmann::json& step, const std::string& field);
  Metaspace read_metaspace(const nlohmann::json& settings, const std::string& field) const;
  [[noreturn]] void fail(const std::string& field, const std::string& message) const;

  std::string normalize(std::string_view text) const;
  void index_added_tokens();
  void encode_segment(std::string_view text, bool at_start, std::vector<std::int32_t>& out) const;
  // A normalized stretch without added tokens: the Metaspace step, then BPE word by word.
  void encode_normalized(std::string normalized, bool at_start,
                         std::vector<std::int32_t>& out) const;
  void encode_word(std::string_view word, std::vector<std::int32_t>& out) const;
  // The word's characters as tokens: in the vocabulary, else as <0xXX> bytes, else unk.
  std::vector<std::int32_t> initial_symbols(std::string_view word) const;
  std::vector<std::string> decode_steps(std::vector<std::string> tokens) const;

  BpeTokenizer table_;     // vocabulary, merges, added tokens and roles
  std::string file_text_;  // kept (not its parse, ten times larger) for json_text()
  std::string source_;
  std::vector<TextStep> normalizer_;
  std::optional<Metaspace> metaspace_;
  std::vector<DecoderStep> decoder_;
  bool has_decoder_ = false;  // without one, decoded tokens are joined with spaces
  bool fuse_unk_ = false;
  bool ignore_merges_ = false;
  std::optional<std::int32_t> model_unk_id_;
  std::array<std::int32_t, 256> byte_ids_{};  // <0xXX> tokens; -1 where missing
  AddedTokenMatcher added_matcher_;           // in the raw text
  AddedTokenMatcher normalized_matcher_;      // their normalized form, in normalized stretches
};

}  // namespace paddock::transformer
