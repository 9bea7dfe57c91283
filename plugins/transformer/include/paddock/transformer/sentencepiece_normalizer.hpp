// SentencePiece's text normalization, applied before a tokenizer.model segments text: the
// character map's rules (none for LLaMA's "identity" normalizer), removal of extra spaces,
// the dummy prefix space, and spaces spelled as U+2581 ("▁"). User-defined symbols pass
// through unchanged, and bytes that are not UTF-8 become U+FFFD, as in libsentencepiece.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "paddock/transformer/byte_trie.hpp"
#include "paddock/transformer/precompiled_charsmap.hpp"
#include "paddock/transformer/sentencepiece_model_proto.hpp"

namespace paddock::transformer {

// U+2581 LOWER ONE EIGHTH BLOCK, SentencePiece's spelling of a space inside pieces.
inline constexpr std::string_view kSentencePieceSpace = "\xE2\x96\x81";

class SentencePieceNormalizer {
 public:
  // `user_defined_symbols` are matched (longest first) before any rule; `label` names the
  // model in errors. Throws paddock::Error when the character map is corrupt.
  SentencePieceNormalizer(const SentencePieceNormalizerSpec& spec, bool treat_whitespace_as_suffix,
                          ByteTrie user_defined_symbols, const std::string& label);

  std::string normalize(std::string_view input) const;

 private:
  struct Prefix {
    std::string_view text;  // the normalized form of the prefix
    std::size_t consumed = 0;
  };
  Prefix normalize_prefix(std::string_view input) const;

  SentencePieceNormalizerSpec spec_;
  bool treat_whitespace_as_suffix_ = false;
  ByteTrie user_defined_symbols_;
  std::optional<PrecompiledCharsMap> charsmap_;
};

}  // namespace paddock::transformer
