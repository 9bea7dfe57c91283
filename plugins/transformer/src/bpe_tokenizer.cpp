// Byte-level BPE: building the merge table, encoding and decoding.
#include "paddock/transformer/bpe_tokenizer.hpp"

#include <algorithm>
#include <climits>
#include <cstdio>

#include "paddock/error.hpp"
#include "paddock/transformer/byte_level_alphabet.hpp"
#include "paddock/transformer/utf8.hpp"

namespace paddock::transformer {
namespace {

std::uint64_t pair_key(std::int32_t left, std::int32_t right) {
  return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(left)) << 32) |
         static_cast<std::uint32_t>(right);
}

std::string single_quoted(std::string_view text) {
  return "'" + std::string(text) + "'";
}

// Ids index tables, so an id far past the number of tokens would make them huge (id 2^31 - 1
// alone asks for 64 GiB). Real vocabularies are dense; this leaves room for generous gaps.
constexpr std::int64_t kMaxUnusedIds = std::int64_t{1} << 20;

}  // namespace

BpeTokenizer BpeTokenizer::build(BpeTokenizerParts parts, const BpeSourceNames& names) {
  const auto fail = [&](const std::string& field, const std::string& message) {
    throw Error(names.file + ": " + field + ": " + message);
  };
  BpeTokenizer tokenizer;
  const std::int64_t id_limit =
      static_cast<std::int64_t>(parts.vocab.size() + parts.added_tokens.size()) + kMaxUnusedIds;
  const auto too_large = [&](std::int32_t id) {
    return "id " + std::to_string(id) + " is too large: the tokenizer has " +
           std::to_string(parts.vocab.size() + parts.added_tokens.size()) +
           " tokens, and ids must stay below " + std::to_string(id_limit);
  };

  // The model vocabulary.
  std::int32_t max_id = -1;
  for (const auto& [token, id] : parts.vocab) {
    if (id < 0)
      fail(names.vocab_field,
           "token " + single_quoted(token) + " has negative id " + std::to_string(id));
    if (id >= id_limit)
      fail(names.vocab_field, "token " + single_quoted(token) + ": " + too_large(id));
    if (!tokenizer.vocab_ids_.emplace(token, id).second) {
      fail(names.vocab_field, "token " + single_quoted(token) + " appears twice");
    }
    max_id = std::max(max_id, id);
  }
  tokenizer.id_to_token_.resize(static_cast<std::size_t>(max_id + 1));
  tokenizer.id_flags_.assign(static_cast<std::size_t>(max_id + 1), 0);
  for (const auto& [token, id] : parts.vocab) {
    if (tokenizer.id_flags_[id] != 0) {
      fail(names.vocab_field, "id " + std::to_string(id) + " is given to both " +
                                  single_quoted(tokenizer.id_to_token_[id]) + " and " +
                                  single_quoted(token));
    }
    tokenizer.id_to_token_[id] = token;
    tokenizer.id_flags_[id] = kInVocab;
  }
  const auto& characters = byte_level_characters();
  for (std::size_t byte = 0; byte < 256; ++byte) {
    const auto found = tokenizer.vocab_ids_.find(characters[byte]);
    tokenizer.byte_ids_[byte] = found == tokenizer.vocab_ids_.end() ? -1 : found->second;
  }

  // The merges, each of two vocabulary entries into a third.
  tokenizer.merges_.reserve(parts.merges.size());
  for (std::size_t rank = 0; rank < parts.merges.size(); ++rank) {
    const auto& [left, right] = parts.merges[rank];
    const auto left_id = tokenizer.vocab_ids_.find(left);
    if (left_id == tokenizer.vocab_ids_.end()) {
      fail(names.merge_field(rank), single_quoted(left) + " is not in " + names.vocab_field);
    }
    const auto right_id = tokenizer.vocab_ids_.find(right);
    if (right_id == tokenizer.vocab_ids_.end()) {
      fail(names.merge_field(rank), single_quoted(right) + " is not in " + names.vocab_field);
    }
    const auto result = tokenizer.vocab_ids_.find(left + right);
    if (result == tokenizer.vocab_ids_.end()) {
      fail(names.merge_field(rank),
           "merging " + single_quoted(left) + " and " + single_quoted(right) + " gives " +
               single_quoted(left + right) + ", which is not in " + names.vocab_field);
    }
    // A repeated merge keeps its first (best) rank.
    tokenizer.merges_.emplace(pair_key(left_id->second, right_id->second),
                              Merge{static_cast<std::int32_t>(rank), result->second});
  }

  if (!parts.unk_token.empty()) {
    const auto found = tokenizer.vocab_ids_.find(parts.unk_token);
    if (found == tokenizer.vocab_ids_.end()) {
      fail("model.unk_token", single_quoted(parts.unk_token) + " is not in " + names.vocab_field);
    }
    tokenizer.model_unk_id_ = found->second;
  }

  // Added tokens: either an existing vocabulary entry or an id of their own.
  std::vector<AddedToken> added = std::move(parts.added_tokens);
  parts.added_tokens.clear();
  tokenizer.parts_ = std::move(parts);
  for (std::size_t i = 0; i < added.size(); ++i) {
    const AddedToken& token = added[i];
    const std::string field = names.added_tokens_field + "[" + std::to_string(i) + "]";
    if (token.content.empty()) fail(field, "content is empty");
    if (token.id < 0) fail(field, "id " + std::to_string(token.id) + " is negative");
    if (token.id >= id_limit) fail(field, too_large(token.id));
    if (tokenizer.added_ids_.count(token.content) != 0) {
      fail(field, single_quoted(token.content) + " is added twice");
    }
    const auto id = static_cast<std::size_t>(token.id);
    if (id < tokenizer.id_flags_.size() && (tokenizer.id_flags_[id] & kAdded) != 0) {
      fail(field, "id " + std::to_string(id) + " is already added token " +
                      single_quoted(tokenizer.id_to_token_[id]));
    }
    if (id < tokenizer.id_flags_.size() && (tokenizer.id_flags_[id] & kInVocab) != 0) {
      const std::string& spelling = tokenizer.id_to_token_[id];
      if (spelling != token.content && spelling != bytes_to_byte_level(token.content)) {
        fail(field, "id " + std::to_string(id) + " is " + single_quoted(spelling) + " in " +
                        names.vocab_field + ", not " + single_quoted(token.content));
      }
    }
    tokenizer.index_added_token(token);
  }
  try {
    tokenizer.set_special_token_roles(tokenizer.parts_.roles);
  } catch (const Error& error) {
    throw Error(names.file + ": " + error.what());
  }
  if (tokenizer.roles_.unk.empty() && !tokenizer.parts_.unk_token.empty()) {
    tokenizer.roles_.unk = tokenizer.parts_.unk_token;
    tokenizer.parts_.roles.unk = tokenizer.parts_.unk_token;
  }
  return tokenizer;
}

void BpeTokenizer::index_added_token(const AddedToken& token) {
  const auto id = static_cast<std::size_t>(token.id);
  if (id >= id_flags_.size()) {
    id_to_token_.resize(id + 1);
    id_flags_.resize(id + 1, 0);
  }
  if ((id_flags_[id] & kInVocab) == 0) id_to_token_[id] = token.content;
  id_flags_[id] |= kAdded;
  if (token.special) id_flags_[id] |= kSpecial;
  added_index_by_id_[token.id] = parts_.added_tokens.size();
  added_ids_[token.content] = token.id;
  parts_.added_tokens.push_back(token);

  added_matcher_.add(token.content, token.id);
}

std::vector<std::int32_t> BpeTokenizer::encode(std::string_view text) const {
  std::vector<std::int32_t> ids;
  std::size_t segment_start = 0;
  while (const auto match = added_matcher_.find_next(text, segment_start)) {
    encode_plain(text.substr(segment_start, match->position - segment_start), ids);
    ids.push_back(match->id);
    segment_start = match->position + match->length;
  }
  encode_plain(text.substr(segment_start), ids);
  return ids;
}

std::vector<std::int32_t> BpeTokenizer::encode_ignoring_added_tokens(std::string_view text) const {
  std::vector<std::int32_t> ids;
  encode_plain(text, ids);
  return ids;
}

void BpeTokenizer::encode_plain(std::string_view text, std::vector<std::int32_t>& out) const {
  if (text.empty()) return;
  std::string prefixed;
  if (parts_.pre_tokenizer.add_prefix_space && text.front() != ' ') {
    prefixed = " " + std::string(text);
    text = prefixed;
  }
  for (std::string_view piece :
       split_pretokens(text, parts_.pre_tokenizer.pattern, parts_.pre_tokenizer.digits)) {
    encode_piece(piece, out);
  }
}

void BpeTokenizer::encode_piece(std::string_view bytes, std::vector<std::int32_t>& out) const {
  if (parts_.ignore_merges) {
    const auto whole = vocab_ids_.find(bytes_to_byte_level(bytes));
    if (whole != vocab_ids_.end()) {
      out.push_back(whole->second);
      return;
    }
  }
  std::vector<std::int32_t> symbols;
  symbols.reserve(bytes.size());
  for (char c : bytes) {
    const std::int32_t id = byte_ids_[static_cast<unsigned char>(c)];
    if (id >= 0) {
      symbols.push_back(id);
    } else if (model_unk_id_) {
      symbols.push_back(*model_unk_id_);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "0x%02X", static_cast<unsigned char>(c));
      throw Error(std::string("cannot encode byte ") + hex +
                  ": the vocabulary has no token for it and no unk_token");
    }
  }
  while (symbols.size() > 1) {
    std::int32_t best_rank = INT32_MAX;
    const Merge* best = nullptr;
    std::int32_t best_left = 0;
    std::int32_t best_right = 0;
    for (std::size_t k = 0; k + 1 < symbols.size(); ++k) {
      const auto found = merges_.find(pair_key(symbols[k], symbols[k + 1]));
      if (found != merges_.end() && found->second.rank < best_rank) {
        best_rank = found->second.rank;
        best = &found->second;
        best_left = symbols[k];
        best_right = symbols[k + 1];
      }
    }
    if (best == nullptr) break;
    std::size_t write = 0;
    for (std::size_t read = 0; read < symbols.size();) {
      if (read + 1 < symbols.size() && symbols[read] == best_left &&
          symbols[read + 1] == best_right) {
        symbols[write++] = best->result;
        read += 2;
      } else {
        symbols[write++] = symbols[read++];
      }
    }
    symbols.resize(write);
  }
  out.insert(out.end(), symbols.begin(), symbols.end());
}

std::string BpeTokenizer::decode(const std::vector<std::int32_t>& ids,
                                 bool skip_special_tokens) const {
  std::string text;
  for (std::int32_t id : ids) {
    if (id < 0 || static_cast<std::size_t>(id) >= id_flags_.size() || id_flags_[id] == 0) {
      throw Error("cannot decode id " + std::to_string(id) + ": it is not in the vocabulary (" +
                  std::to_string(vocab_size()) + " ids)");
    }
    const std::uint8_t flags = id_flags_[id];
    if ((flags & kAdded) != 0) {
      if (skip_special_tokens && (flags & kSpecial) != 0) continue;
      text += parts_.added_tokens[added_index_by_id_.at(id)].content;
      continue;
    }
    const std::string& spelling = id_to_token_[id];
    if (auto bytes = byte_level_to_bytes(spelling)) {
      text += *bytes;
    } else {
      text += spelling;  // not spelled in the byte-level alphabet: taken literally
    }
  }
  return text;
}

std::optional<std::int32_t> BpeTokenizer::token_to_id(std::string_view token) const {
  const std::string key(token);
  if (const auto added = added_ids_.find(key); added != added_ids_.end()) return added->second;
  if (const auto entry = vocab_ids_.find(key); entry != vocab_ids_.end()) return entry->second;
  return std::nullopt;
}

std::optional<std::int32_t> BpeTokenizer::vocab_id(std::string_view spelling) const {
  const auto entry = vocab_ids_.find(std::string(spelling));
  if (entry == vocab_ids_.end()) return std::nullopt;
  return entry->second;
}

std::optional<BpeTokenizer::MergeRule> BpeTokenizer::merge_of(std::int32_t left,
                                                              std::int32_t right) const {
  const auto found = merges_.find(pair_key(left, right));
  if (found == merges_.end()) return std::nullopt;
  return MergeRule{found->second.rank, found->second.result};
}

std::optional<std::string> BpeTokenizer::id_to_token(std::int32_t id) const {
  if (id < 0 || static_cast<std::size_t>(id) >= id_flags_.size() || id_flags_[id] == 0) {
    return std::nullopt;
  }
  return id_to_token_[id];
}

std::vector<std::int32_t> BpeTokenizer::add_special_tokens(const std::vector<std::string>& contents,
                                                           VocabularySpelling spelling) {
  return add_tokens(contents, /*special=*/true, spelling);
}

std::vector<std::int32_t> BpeTokenizer::add_tokens(const std::vector<std::string>& contents) {
  return add_tokens(contents, /*special=*/false, VocabularySpelling::byte_level);
}

std::vector<std::int32_t> BpeTokenizer::add_tokens(const std::vector<std::string>& contents,
                                                   bool special, VocabularySpelling spelling) {
  for (const std::string& content : contents) {  // all checked before anything changes
    if (content.empty()) throw Error("cannot add a token with empty content");
    if (!is_valid_utf8(content))
      throw Error("cannot add a token that is not valid UTF-8: '" + repair_utf8(content) + "'");
  }
  std::vector<std::int32_t> ids;
  for (const std::string& content : contents) {
    if (const auto added = added_ids_.find(content); added != added_ids_.end()) {
      if (special) {
        parts_.added_tokens[added_index_by_id_.at(added->second)].special = true;
        id_flags_[added->second] |= kSpecial;
      }
      ids.push_back(added->second);
      continue;
    }
    AddedToken token;
    token.content = content;
    token.special = special;
    token.normalized = !special;  // Hugging Face's defaults
    auto in_vocab = spelling == VocabularySpelling::byte_level
                        ? vocab_ids_.find(bytes_to_byte_level(content))
                        : vocab_ids_.end();
    if (in_vocab == vocab_ids_.end()) in_vocab = vocab_ids_.find(content);
    token.id = in_vocab != vocab_ids_.end() ? in_vocab->second
                                            : static_cast<std::int32_t>(id_to_token_.size());
    index_added_token(token);
    ids.push_back(token.id);
  }
  return ids;
}

void BpeTokenizer::set_special_token_roles(const SpecialTokenRoles& roles) {
  const std::pair<const char*, const std::string*> named[] = {
      {"bos", &roles.bos}, {"eos", &roles.eos}, {"pad", &roles.pad}, {"unk", &roles.unk}};
  for (const auto& [role, content] : named) {
    if (!content->empty() && !token_to_id(*content)) {
      throw Error(std::string("the ") + role + " token " + single_quoted(*content) +
                  " is not in the tokenizer's vocabulary or added tokens");
    }
  }
  roles_ = roles;
  parts_.roles = roles;
}

std::optional<std::int32_t> BpeTokenizer::role_id(const std::string& content) const {
  if (content.empty()) return std::nullopt;
  return token_to_id(content);
}

}  // namespace paddock::transformer
