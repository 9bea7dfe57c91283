// A trie over byte strings mapping each key to an int32 value: what SentencePiece's encoders
// need to find every piece that starts at a position (unigram) and the longest user-defined
// symbol there. Children are kept sorted per node, so a step is a binary search.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace paddock::transformer {

class ByteTrie {
 public:
  static constexpr std::size_t kNoNode = static_cast<std::size_t>(-1);
  static constexpr std::int32_t kNoValue = -1;

  ByteTrie();
  // Adds or replaces `key` (non-empty); `value` must be >= 0.
  void insert(std::string_view key, std::int32_t value);
  bool empty() const { return key_count_ == 0; }

  static constexpr std::size_t root() { return 0; }
  // The node reached from `node` by `byte`, or kNoNode.
  std::size_t child(std::size_t node, unsigned char byte) const;
  // The value of the key ending at `node`, or kNoValue.
  std::int32_t value(std::size_t node) const { return nodes_[node].value; }

  // Length of the longest key that is a prefix of `text`, 0 when none is.
  std::size_t longest_prefix(std::string_view text) const;

 private:
  struct Node {
    std::vector<std::pair<unsigned char, std::uint32_t>> children;  // sorted by byte
    std::int32_t value = kNoValue;
  };
  std::vector<Node> nodes_;
  std::size_t key_count_ = 0;
};

}  // namespace paddock::transformer
