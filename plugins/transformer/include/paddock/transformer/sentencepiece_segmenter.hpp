// The two ways a SentencePiece model cuts normalized text into pieces: BPE (merge the
// best-scoring adjacent pair until none is a piece) and unigram (the Viterbi path of highest
// total score). Both reproduce libsentencepiece's choices, ties included. A segment the model
// has no piece for carries the unknown id; the tokenizer turns it into byte pieces when the
// model has byte fallback.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "paddock/transformer/sentencepiece_vocabulary.hpp"

namespace paddock::transformer {

struct SentencePieceSegment {
  std::string_view text;  // a slice of the normalized input
  std::int32_t id = 0;
};

class SentencePieceSegmenter {
 public:
  virtual ~SentencePieceSegmenter();
  // Segments of `normalized` in order; their texts concatenate to it.
  virtual std::vector<SentencePieceSegment> segment(std::string_view normalized) const = 0;
};

// The length of the character starting at `position` (< text.size()), read from its first
// byte alone and cut at the end of `text`, as libsentencepiece steps through normalized text
// (which the normalizer has already made valid UTF-8).
inline std::size_t sentencepiece_character_length(std::string_view text, std::size_t position) {
  constexpr unsigned char kLengthByHighNibble[16] = {1, 1, 1, 1, 1, 1, 1, 1,
                                                     1, 1, 1, 1, 2, 2, 3, 4};
  const std::size_t length = kLengthByHighNibble[static_cast<unsigned char>(text[position]) >> 4];
  return length < text.size() - position ? length : text.size() - position;
}

// Both keep a reference to `vocabulary`, which must outlive them.
std::unique_ptr<SentencePieceSegmenter> make_bpe_segmenter(
    const SentencePieceVocabulary& vocabulary);
std::unique_ptr<SentencePieceSegmenter> make_unigram_segmenter(
    const SentencePieceVocabulary& vocabulary);

}  // namespace paddock::transformer
