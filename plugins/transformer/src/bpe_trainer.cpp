// BPE training with incremental pair counts.
#include "paddock/transformer/bpe_trainer.hpp"

#include <algorithm>
#include <queue>
#include <unordered_map>

#include "paddock/error.hpp"
#include "paddock/transformer/byte_level_alphabet.hpp"
#include "paddock/transformer/utf8.hpp"

namespace paddock::transformer {
namespace {

using PairKey = std::uint64_t;

PairKey make_key(std::int32_t left, std::int32_t right) {
  return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(left)) << 32) |
         static_cast<std::uint32_t>(right);
}
std::int32_t left_of(PairKey key) {
  return static_cast<std::int32_t>(key >> 32);
}
std::int32_t right_of(PairKey key) {
  return static_cast<std::int32_t>(key & 0xFFFFFFFFu);
}

struct Word {
  std::vector<std::int32_t> symbols;
  std::uint64_t count = 0;
};

struct HeapEntry {
  std::uint64_t count;
  PairKey key;
};

class Trainer {
 public:
  explicit Trainer(const BpeTrainerOptions& options) : options_(options) {}

  BpeTokenizer train(const std::vector<std::string>& corpus) {
    add_initial_tokens();
    count_words(corpus);
    count_initial_pairs();
    while (spellings_.size() < options_.vocab_size) {
      const auto best = pop_best_pair();
      if (!best) break;
      merge(*best);
    }
    return build_tokenizer();
  }

 private:
  void add_initial_tokens() {
    const std::size_t initial = options_.special_tokens.size() + 256;
    if (options_.vocab_size < initial) {
      throw Error("BPE training: vocab_size " + std::to_string(options_.vocab_size) +
                  " is smaller than the " + std::to_string(options_.special_tokens.size()) +
                  " special tokens plus 256 byte tokens");
    }
    std::unordered_map<std::string, std::size_t> seen;
    for (const std::string& special : options_.special_tokens) {
      if (special.empty()) throw Error("BPE training: a special token is empty");
      if (!is_valid_utf8(special)) {
        throw Error("BPE training: special token '" + special + "' is not valid UTF-8");
      }
      if (!seen.emplace(special, spellings_.size()).second) {
        throw Error("BPE training: special token '" + special + "' is listed twice");
      }
      spelling_ids_.emplace(special, static_cast<std::int32_t>(spellings_.size()));
      spellings_.push_back(special);
    }
    for (const std::string& character : byte_level_characters()) {
      if (seen.count(character) != 0) {
        throw Error("BPE training: special token '" + character + "' is spelled like a byte token");
      }
      byte_ids_.push_back(static_cast<std::int32_t>(spellings_.size()));
      spelling_ids_.emplace(character, byte_ids_.back());
      spellings_.push_back(character);
    }
  }

  void count_words(const std::vector<std::string>& corpus) {
    std::unordered_map<std::string_view, std::uint64_t> counts;
    for (const std::string& text : corpus) {
      for (std::string_view piece : split_pretokens(text, options_.pattern, options_.digits))
        ++counts[piece];
    }
    words_.reserve(counts.size());
    for (const auto& [piece, count] : counts) {
      Word word;
      word.count = count;
      word.symbols.reserve(piece.size());
      for (char byte : piece) word.symbols.push_back(byte_ids_[static_cast<unsigned char>(byte)]);
      words_.push_back(std::move(word));
    }
  }

  void count_initial_pairs() {
    for (std::size_t w = 0; w < words_.size(); ++w) {
      const Word& word = words_[w];
      for (std::size_t i = 0; i + 1 < word.symbols.size(); ++i) {
        const PairKey key = make_key(word.symbols[i], word.symbols[i + 1]);
        pair_counts_[key] += word.count;
        pair_words_[key].push_back(static_cast<std::uint32_t>(w));
      }
    }
    for (const auto& [key, count] : pair_counts_) heap_.push({count, key});
  }

  // Priority: higher count, then the lexicographically smaller (left, right) spelling.
  bool lower_priority(const HeapEntry& a, const HeapEntry& b) const {
    if (a.count != b.count) return a.count < b.count;
    const std::string& a_left = spellings_[left_of(a.key)];
    const std::string& b_left = spellings_[left_of(b.key)];
    if (a_left != b_left) return a_left > b_left;
    return spellings_[right_of(a.key)] > spellings_[right_of(b.key)];
  }

  std::optional<PairKey> pop_best_pair() {
    while (!heap_.empty()) {
      const HeapEntry top = heap_.top();
      heap_.pop();
      const auto current = pair_counts_.find(top.key);
      const std::uint64_t count = current == pair_counts_.end() ? 0 : current->second;
      if (count != top.count) {  // stale entry: requeue with the live count
        if (count > 0) heap_.push({count, top.key});
        continue;
      }
      if (count < std::max<std::uint64_t>(options_.min_pair_count, 1)) return std::nullopt;
      return top.key;
    }
    return std::nullopt;
  }

  static void list_pairs(const std::vector<std::int32_t>& symbols, std::vector<PairKey>& pairs) {
    pairs.clear();
    for (std::size_t i = 0; i + 1 < symbols.size(); ++i) {
      pairs.push_back(make_key(symbols[i], symbols[i + 1]));
    }
    std::sort(pairs.begin(), pairs.end());
  }

  void merge(PairKey key) {
    const std::int32_t left = left_of(key);
    const std::int32_t right = right_of(key);
    // Different merge paths can spell the same token ("ab"+"c", "a"+"bc"): reuse its id.
    std::string spelling = spellings_[left] + spellings_[right];
    const auto [existing, is_new] =
        spelling_ids_.emplace(spelling, static_cast<std::int32_t>(spellings_.size()));
    const std::int32_t merged = existing->second;
    if (is_new) spellings_.push_back(std::move(spelling));
    merges_.emplace_back(spellings_[left], spellings_[right]);

    std::vector<std::uint32_t> affected = std::move(pair_words_[key]);
    pair_words_.erase(key);
    std::sort(affected.begin(), affected.end());
    affected.erase(std::unique(affected.begin(), affected.end()), affected.end());

    std::unordered_map<PairKey, std::int64_t> changes;
    std::vector<PairKey> old_pairs;
    std::vector<PairKey> new_pairs;
    for (std::uint32_t w : affected) {
      Word& word = words_[w];
      list_pairs(word.symbols, old_pairs);
      if (!std::binary_search(old_pairs.begin(), old_pairs.end(), key)) continue;
      std::size_t write = 0;
      for (std::size_t read = 0; read < word.symbols.size();) {
        if (read + 1 < word.symbols.size() && word.symbols[read] == left &&
            word.symbols[read + 1] == right) {
          word.symbols[write++] = merged;
          read += 2;
        } else {
          word.symbols[write++] = word.symbols[read++];
        }
      }
      word.symbols.resize(write);
      list_pairs(word.symbols, new_pairs);
      // Apply the difference of the two sorted pair lists, weighted by the word's count.
      const auto weight = static_cast<std::int64_t>(word.count);
      std::size_t i = 0;
      std::size_t j = 0;
      while (i < old_pairs.size() || j < new_pairs.size()) {
        if (j == new_pairs.size() || (i < old_pairs.size() && old_pairs[i] < new_pairs[j])) {
          changes[old_pairs[i++]] -= weight;
        } else if (i == old_pairs.size() || new_pairs[j] < old_pairs[i]) {
          changes[new_pairs[j]] += weight;
          pair_words_[new_pairs[j]].push_back(w);
          ++j;
        } else {
          ++i, ++j;
        }
      }
    }
    for (const auto& [pair, change] : changes) {
      if (change == 0) continue;
      std::uint64_t& count = pair_counts_[pair];
      count = static_cast<std::uint64_t>(static_cast<std::int64_t>(count) + change);
      if (count == 0) {
        pair_counts_.erase(pair);
      } else if (change > 0) {
        heap_.push({count, pair});
      }
    }
    pair_counts_.erase(key);
  }

  BpeTokenizer build_tokenizer() {
    BpeTokenizerParts parts;
    parts.vocab.reserve(spellings_.size());
    for (std::size_t id = 0; id < spellings_.size(); ++id) {
      parts.vocab.emplace_back(spellings_[id], static_cast<std::int32_t>(id));
    }
    parts.merges = std::move(merges_);
    for (std::size_t id = 0; id < options_.special_tokens.size(); ++id) {
      AddedToken token;
      token.content = options_.special_tokens[id];
      token.id = static_cast<std::int32_t>(id);
      token.special = true;
      parts.added_tokens.push_back(std::move(token));
    }
    parts.pre_tokenizer.pattern = options_.pattern;
    parts.pre_tokenizer.digits = options_.digits;
    parts.roles = options_.roles;
    BpeSourceNames names;
    names.file = "BPE training";
    return BpeTokenizer::build(std::move(parts), names);
  }

  struct HeapOrder {
    const Trainer* trainer;
    bool operator()(const HeapEntry& a, const HeapEntry& b) const {
      return trainer->lower_priority(a, b);
    }
  };

  const BpeTrainerOptions& options_;
  std::vector<std::string> spellings_;  // by id
  std::unordered_map<std::string, std::int32_t> spelling_ids_;
  std::vector<std::int32_t> byte_ids_;
  std::vector<Word> words_;
  std::unordered_map<PairKey, std::uint64_t> pair_counts_;
  std::unordered_map<PairKey, std::vector<std::uint32_t>> pair_words_;
  std::priority_queue<HeapEntry, std::vector<HeapEntry>, HeapOrder> heap_{HeapOrder{this}};
  std::vector<std::pair<std::string, std::string>> merges_;
};

}  // namespace

BpeTokenizer train_bpe_tokenizer(const std::vector<std::string>& corpus,
                                 const BpeTrainerOptions& options) {
  return Trainer(options).train(corpus);
}

}  // namespace paddock::transformer
