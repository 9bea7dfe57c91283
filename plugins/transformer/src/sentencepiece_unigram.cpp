// SentencePiece unigram segmentation: the path through the text whose pieces' scores sum
// highest (Viterbi), as libsentencepiece's optimized encoder finds it. For each character
// position, in order, every piece starting there extends the best path ending there; a
// candidate replaces the best path at its end only when strictly better, so ties keep the
// earlier start. A character no piece covers on its own costs the lowest piece score minus
// 10 as the unknown piece. User-defined pieces score length * max_score - 0.1 so that they
// always win; unused pieces are never chosen. The arithmetic keeps libsentencepiece's types
// (piece candidates summed in double, the unknown one in float, best scores stored as
// float) so that near-ties fall the same way.
#include <algorithm>
#include <cfloat>

#include "paddock/transformer/byte_trie.hpp"
#include "paddock/transformer/sentencepiece_segmenter.hpp"

namespace paddock::transformer {
namespace {

constexpr float kUnknownPenalty = 10.0f;

class UnigramSegmenter : public SentencePieceSegmenter {
 public:
  explicit UnigramSegmenter(const SentencePieceVocabulary& vocabulary) : vocabulary_(vocabulary) {
    // libsentencepiece starts the maximum at FLT_MIN (the smallest positive float), not at
    // -FLT_MAX; with the usual negative scores it stays there. Kept for identical results.
    float lowest = FLT_MAX;
    float highest = FLT_MIN;
    for (std::size_t id = 0; id < vocabulary.size(); ++id) {
      const SentencePieceEntry& entry = vocabulary.entry(static_cast<std::int32_t>(id));
      if (entry.type == SentencePieceType::normal) {
        lowest = std::min(lowest, entry.score);
        highest = std::max(highest, entry.score);
      }
      if (entry.type == SentencePieceType::normal ||
          entry.type == SentencePieceType::user_defined ||
          entry.type == SentencePieceType::unused) {
        pieces_.insert(entry.piece, static_cast<std::int32_t>(id));
      }
    }
    min_score_ = lowest;
    max_score_ = highest;
  }

  std::vector<SentencePieceSegment> segment(std::string_view normalized) const override {
    std::vector<SentencePieceSegment> segments;
    if (normalized.empty()) return segments;
    struct BestPath {
      std::int32_t id = -1;
      float score = 0;
      std::int64_t starts_at = -1;  // -1: no path ends here yet
    };
    const std::size_t size = normalized.size();
    const float unknown_score = min_score_ - kUnknownPenalty;
    std::vector<BestPath> best_ending_at(size + 1);

    const auto offer = [&](std::size_t end, std::size_t start, auto candidate_score,
                           std::int32_t id) {
      BestPath& target = best_ending_at[end];
      if (target.starts_at == -1 || candidate_score > target.score) {
        target.score = static_cast<float>(candidate_score);
        target.starts_at = static_cast<std::int64_t>(start);
        target.id = id;
      }
    };

    for (std::size_t start = 0; start < size;) {
      const float score_so_far = best_ending_at[start].score;
      const std::size_t character_length = sentencepiece_character_length(normalized, start);
      bool covers_one_character = false;
      std::size_t node = ByteTrie::root();
      for (std::size_t end = start; end < size;) {
        node = pieces_.child(node, static_cast<unsigned char>(normalized[end]));
        if (node == ByteTrie::kNoNode) break;
        ++end;
        const std::int32_t id = pieces_.value(node);
        if (id == ByteTrie::kNoValue) continue;
        const SentencePieceEntry& entry = vocabulary_.entry(id);
        if (entry.type == SentencePieceType::unused) continue;
        const std::size_t length = end - start;
        // libsentencepiece picks the score with a conditional expression whose type is
        // double, so every piece's candidate is summed in double and only stored as float.
        const double score = entry.type == SentencePieceType::user_defined
                                 ? static_cast<float>(length) * max_score_ - 0.1
                                 : static_cast<double>(entry.score);
        offer(end, start, score + score_so_far, id);
        if (length == character_length) covers_one_character = true;
      }
      if (!covers_one_character) {
        offer(start + character_length, start, unknown_score + score_so_far, vocabulary_.unk_id());
      }
      start += character_length;
    }

    for (std::size_t end = size; end > 0;) {
      const BestPath& node = best_ending_at[end];
      const auto start = static_cast<std::size_t>(node.starts_at);
      segments.push_back({normalized.substr(start, end - start), node.id});
      end = start;
    }
    std::reverse(segments.begin(), segments.end());
    return segments;
  }

 private:
  const SentencePieceVocabulary& vocabulary_;
  ByteTrie pieces_;
  float min_score_ = 0;
  float max_score_ = 0;
};

}  // namespace

std::unique_ptr<SentencePieceSegmenter> make_unigram_segmenter(
    const SentencePieceVocabulary& vocabulary) {
  return std::make_unique<UnigramSegmenter>(vocabulary);
}

}  // namespace paddock::transformer
