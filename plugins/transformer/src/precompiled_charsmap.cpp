// Walking a darts-clone double array inside SentencePiece's precompiled character map.
// A unit is a little-endian uint32: bit 8 says a key ends below this node, bits 0-7 (plus
// bit 31, set only on leaves) are the label, and the offset to the children is bits 10-31,
// shifted left by 8 more when bit 9 is set. A leaf's low 31 bits are its value.
#include "paddock/transformer/precompiled_charsmap.hpp"

#include "paddock/error.hpp"

namespace paddock::transformer {
namespace {

bool has_leaf(std::uint32_t unit) {
  return ((unit >> 8) & 1) == 1;
}
std::uint32_t leaf_value(std::uint32_t unit) {
  return unit & ((1u << 31) - 1);
}
std::uint32_t label(std::uint32_t unit) {
  return unit & ((1u << 31) | 0xFF);
}
std::uint32_t offset(std::uint32_t unit) {
  return (unit >> 10) << ((unit & (1u << 9)) >> 6);
}

}  // namespace

PrecompiledCharsMap::PrecompiledCharsMap(std::string blob, std::string label)
    : blob_(std::move(blob)), label_(std::move(label)) {
  if (blob_.size() <= 4) {
    corrupt("it holds " + std::to_string(blob_.size()) + " bytes, too few for a trie");
  }
  std::uint32_t trie_bytes = 0;
  for (int index = 3; index >= 0; --index) {
    trie_bytes = (trie_bytes << 8) | static_cast<unsigned char>(blob_[index]);
  }
  const std::size_t available = blob_.size() - 4;
  if (trie_bytes == 0 || trie_bytes > available || trie_bytes % 4 != 0) {
    corrupt("trie length " + std::to_string(trie_bytes) + " does not fit the " +
            std::to_string(available) + " bytes after it in whole 4-byte units");
  }
  const std::string_view all(blob_);
  units_ = all.substr(4, trie_bytes);
  replacements_ = all.substr(4 + trie_bytes);
  if (!replacements_.empty() && replacements_.back() != '\0') {
    corrupt("the replacement strings do not end with a NUL byte");
  }
}

void PrecompiledCharsMap::corrupt(const std::string& what) const {
  throw Error(label_ + ": precompiled_charsmap is corrupt: " + what);
}

std::uint32_t PrecompiledCharsMap::unit(std::size_t index) const {
  if (index >= units_.size() / 4) {
    corrupt("trie index " + std::to_string(index) + " is past its " +
            std::to_string(units_.size() / 4) + " units");
  }
  std::uint32_t value = 0;
  for (int byte = 3; byte >= 0; --byte) {
    value = (value << 8) | static_cast<unsigned char>(units_[index * 4 + byte]);
  }
  return value;
}

std::optional<PrecompiledCharsMap::Match> PrecompiledCharsMap::longest_match(
    std::string_view input) const {
  std::optional<Match> longest;
  std::size_t node = offset(unit(0));
  for (std::size_t length = 0; length < input.size(); ++length) {
    const auto byte = static_cast<unsigned char>(input[length]);
    node ^= byte;
    const std::uint32_t current = unit(node);
    if (label(current) != byte) break;
    node ^= offset(current);
    if (!has_leaf(current)) continue;
    const std::uint32_t start = leaf_value(unit(node));
    if (start >= replacements_.size()) {
      corrupt("replacement offset " + std::to_string(start) + " is past the " +
              std::to_string(replacements_.size()) + " bytes of replacement strings");
    }
    // The constructor checked that the strings end with a NUL, so find() succeeds.
    const std::size_t end = replacements_.find('\0', start);
    longest = Match{replacements_.substr(start, end - start), length + 1};
  }
  return longest;
}

}  // namespace paddock::transformer
