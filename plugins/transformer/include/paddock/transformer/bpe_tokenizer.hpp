// A byte-level BPE tokenizer (the GPT-2 / LLaMA-3 kind): text is split by a pre-tokenizer
// pattern, each piece's bytes are spelled in the byte-level alphabet and merged by ranked
// merge rules. Added tokens (special ones such as <|endoftext|> and plain ones such as reward
// tokens) are matched in the raw text before anything else. Loading and saving in the Hugging
// Face formats live in tokenizer_json.hpp and vocab_merges_files.hpp.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "paddock/transformer/added_token_matcher.hpp"
#include "paddock/transformer/pretokenizer.hpp"

namespace paddock::transformer {

struct AddedToken {
  std::string content;  // the raw text it matches (not byte-level spelled)
  std::int32_t id = -1;
  bool special = false;  // skipped by decode(ids, skip_special_tokens=true)
  // Kept so that a loaded tokenizer.json saves unchanged; matching ignores them (always
  // exact, anywhere in the text).
  bool single_word = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = false;
};

// Which tokens play the special roles; each is a token's content, empty for none.
struct SpecialTokenRoles {
  std::string bos;
  std::string eos;
  std::string pad;
  std::string unk;
};

struct PreTokenizerSettings {
  PreTokenizerPattern pattern = PreTokenizerPattern::gpt2;
  bool add_prefix_space = false;                 // ByteLevel's: a space before text that has none
  DigitSplitting digits = DigitSplitting::none;  // a Digits step before the pattern
};

// Everything a tokenizer is built from. Vocabulary entries are byte-level spellings.
struct BpeTokenizerParts {
  std::vector<std::pair<std::string, std::int32_t>> vocab;
  std::vector<std::pair<std::string, std::string>> merges;  // in rank order
  std::vector<AddedToken> added_tokens;
  PreTokenizerSettings pre_tokenizer;
  bool ignore_merges = false;  // LLaMA-3: a piece that is a whole vocab entry is not merged
  std::string unk_token;       // model-level unknown token (byte-level spelling), or empty
  SpecialTokenRoles roles;
  // Sections of a tokenizer.json we carry through unchanged (null when absent).
  nlohmann::json post_processor;
  nlohmann::json decoder;
  nlohmann::json truncation;
  nlohmann::json padding;
};

// How the source names things in errors: the file, and each field.
struct BpeSourceNames {
  std::string file;
  std::string vocab_field = "model.vocab";
  std::string added_tokens_field = "added_tokens";
  std::function<std::string(std::size_t)> merge_field = [](std::size_t index) {
    return "model.merges[" + std::to_string(index) + "]";
  };
};

class BpeTokenizer {
 public:
  // Validates `parts` and builds the merge table. Throws paddock::Error naming the file and
  // the field for: a negative or duplicate id, a merge whose halves or result are not in the
  // vocabulary, an added token with empty content or whose id belongs to a different
  // vocabulary entry, a role naming an unknown token.
  static BpeTokenizer build(BpeTokenizerParts parts, const BpeSourceNames& names);

  // Token ids for `text` (any bytes, not only UTF-8). Added tokens are matched first,
  // leftmost and longest; the rest goes through the pre-tokenizer and BPE. No BOS/EOS is
  // added (the post-processor is kept for saving only); add them by id.
  std::vector<std::int32_t> encode(std::string_view text) const;
  // As encode, but added tokens in the text are treated as ordinary text.
  std::vector<std::int32_t> encode_ignoring_added_tokens(std::string_view text) const;
  // The bytes the ids stand for; byte-level, so encode then decode gives the input back
  // exactly. Throws paddock::Error for an id outside the vocabulary.
  std::string decode(const std::vector<std::int32_t>& ids, bool skip_special_tokens = false) const;

  // Byte-level spelling of a vocabulary entry, or an added token's content.
  std::optional<std::int32_t> token_to_id(std::string_view token) const;
  // The model vocabulary's entry spelled `spelling` (added-only tokens are not in it).
  std::optional<std::int32_t> vocab_id(std::string_view spelling) const;
  struct MergeRule {
    std::int32_t rank;    // its place in the merges list: lower merges first
    std::int32_t result;  // the id of the merged token
  };
  // The merge of the adjacent tokens `left` and `right`, if there is one.
  std::optional<MergeRule> merge_of(std::int32_t left, std::int32_t right) const;
  std::optional<std::string> id_to_token(std::int32_t id) const;
  // One past the largest id.
  std::size_t vocab_size() const { return id_to_token_.size(); }

  // Registers tokens matched before BPE. An existing token (vocabulary entry spelled the same
  // in bytes, or added token) keeps its id and is flagged; a new one gets the next free id.
  // Returns the ids in order. Throws paddock::Error, changing nothing, for an empty content or
  // one that is not UTF-8.
  // How a new added token finds a vocabulary entry of the same text: byte-level BPE spells
  // entries in its alphabet (" x" is "Ġx"); SentencePiece-style vocabularies as written.
  enum class VocabularySpelling { byte_level, as_written };
  std::vector<std::int32_t> add_special_tokens(
      const std::vector<std::string>& contents,
      VocabularySpelling spelling = VocabularySpelling::byte_level);
  std::vector<std::int32_t> add_tokens(const std::vector<std::string>& contents);

  // Throws paddock::Error when a role names a token the tokenizer does not have.
  void set_special_token_roles(const SpecialTokenRoles& roles);
  const SpecialTokenRoles& special_token_roles() const { return roles_; }
  std::optional<std::int32_t> bos_id() const { return role_id(roles_.bos); }
  std::optional<std::int32_t> eos_id() const { return role_id(roles_.eos); }
  std::optional<std::int32_t> pad_id() const { return role_id(roles_.pad); }
  std::optional<std::int32_t> unk_id() const { return role_id(roles_.unk); }

  // What the tokenizer was built from (added tokens as now), for saving.
  const BpeTokenizerParts& parts() const { return parts_; }
  const std::vector<AddedToken>& added_tokens() const { return parts_.added_tokens; }

 private:
  std::vector<std::int32_t> add_tokens(const std::vector<std::string>& contents, bool special,
                                       VocabularySpelling spelling);
  void index_added_token(const AddedToken& token);
  std::optional<std::int32_t> role_id(const std::string& content) const;
  void encode_plain(std::string_view text, std::vector<std::int32_t>& out) const;
  void encode_piece(std::string_view bytes, std::vector<std::int32_t>& out) const;

  struct Merge {
    std::int32_t rank;
    std::int32_t result;
  };

  BpeTokenizerParts parts_;
  enum IdFlags : std::uint8_t { kInVocab = 1, kAdded = 2, kSpecial = 4 };

  std::vector<std::string> id_to_token_;  // spelling, or content for added-only ids
  std::vector<std::uint8_t> id_flags_;    // IdFlags; 0 for an unused id
  std::unordered_map<std::int32_t, std::size_t> added_index_by_id_;  // into parts_.added_tokens
  std::unordered_map<std::string, std::int32_t> vocab_ids_;          // byte-level spelling -> id
  std::unordered_map<std::string, std::int32_t> added_ids_;          // content -> id
  std::unordered_map<std::uint64_t, Merge> merges_;  // (left << 32 | right) -> merge
  std::array<std::int32_t, 256> byte_ids_{};         // -1 when the byte has no token
  std::optional<std::int32_t> model_unk_id_;
  AddedTokenMatcher added_matcher_;
  SpecialTokenRoles roles_;
};

}  // namespace paddock::transformer
