// SentencePiece's precompiled character map (NormalizerSpec.precompiled_charsmap), the
// compiled form of normalization rules such as nmt_nfkc: a 4-byte little-endian length, a
// darts-clone double-array trie of that many bytes whose values are offsets into the rest,
// and the rest, the replacement strings, each ended by a NUL byte. The blob is read in place
// and every index is checked, so a corrupt map is an error, never an out-of-bounds read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace paddock::transformer {

class PrecompiledCharsMap {
 public:
  // Throws paddock::Error naming `label` when the blob's framing is broken (too short, a
  // trie length past the end or not a multiple of 4, replacement strings not NUL-ended).
  PrecompiledCharsMap(std::string blob, std::string label);

  struct Match {
    std::string_view replacement;  // may be empty (the rule deletes the input)
    std::size_t consumed = 0;      // bytes of input the rule covers, > 0
  };
  // The longest rule matching a prefix of `input`, or nullopt. Throws paddock::Error when
  // the trie leads outside the blob.
  std::optional<Match> longest_match(std::string_view input) const;

 private:
  std::uint32_t unit(std::size_t index) const;
  [[noreturn]] void corrupt(const std::string& what) const;

  std::string blob_;
  std::string label_;
  std::string_view units_;         // the double array, 4 bytes per unit
  std::string_view replacements_;  // NUL-ended strings
};

}  // namespace paddock::transformer
