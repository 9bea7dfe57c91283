// Learning a byte-level BPE tokenizer from a corpus (for the small embedded world, or any
// model trained from scratch).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "paddock/transformer/bpe_tokenizer.hpp"

namespace paddock::transformer {

struct BpeTrainerOptions {
  // Total ids: special tokens + the 256 byte tokens + merges. Must hold at least the first two.
  std::size_t vocab_size = 2000;
  // Get ids 0, 1, ... in this order, are added (special) tokens and are never merged.
  std::vector<std::string> special_tokens;
  // Roles among `special_tokens` (contents; empty for none).
  SpecialTokenRoles roles;
  PreTokenizerPattern pattern = PreTokenizerPattern::gpt2;
  // `individual` keeps every digit a token of its own (no merge spans two digits).
  DigitSplitting digits = DigitSplitting::none;
  // Stop early when the most frequent pair occurs fewer times than this.
  std::uint64_t min_pair_count = 2;
};

// Splits each text with the pre-tokenizer pattern, counts the pieces, then repeatedly merges
// the most frequent adjacent pair of tokens within pieces. Ties go to the lexicographically
// smallest pair (left token, then right token, comparing byte-level spellings as UTF-8
// bytes), so the result depends only on the corpus and the options. Pair counts are kept up
// to date incrementally (only the pieces holding the merged pair are revisited) with a lazily
// refreshed max-heap. Special token text inside the corpus is trained on like any text.
// Ids: special tokens, then the 256 bytes in byte order, then merges in the order learnt.
BpeTokenizer train_bpe_tokenizer(const std::vector<std::string>& corpus,
                                 const BpeTrainerOptions& options);

}  // namespace paddock::transformer
