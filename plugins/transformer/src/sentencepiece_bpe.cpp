// SentencePiece BPE segmentation. Text starts as one symbol per character (a user-defined
// symbol is one frozen symbol). Adjacent pairs whose concatenation is a piece wait in a
// queue ordered by the piece's score, ties going to the leftmost pair; the best is merged
// and its new neighbours queued, until the queue is empty. Queue entries whose symbols
// changed since are skipped. A merged piece of type UNUSED is split back into the two
// symbols it was made from, recursively, as libsentencepiece does.
#include <queue>
#include <string>
#include <unordered_map>
#include <utility>

#include "paddock/transformer/sentencepiece_segmenter.hpp"

namespace paddock::transformer {

// The interface's key function.
SentencePieceSegmenter::~SentencePieceSegmenter() = default;

namespace {

struct Symbol {
  std::size_t start = 0;   // in the normalized text
  std::size_t length = 0;  // 0 once merged into its left neighbour
  int previous = -1;
  int next = -1;
  bool frozen = false;  // a user-defined symbol: never merged
};

struct Candidate {
  float score = 0;
  int left = 0;
  int right = 0;
  std::size_t length = 0;  // of the merged piece
};

struct WorseCandidate {
  bool operator()(const Candidate& a, const Candidate& b) const {
    return a.score < b.score || (a.score == b.score && a.left > b.left);
  }
};

class BpeSegmenter : public SentencePieceSegmenter {
 public:
  explicit BpeSegmenter(const SentencePieceVocabulary& vocabulary) : vocabulary_(vocabulary) {}

  std::vector<SentencePieceSegment> segment(std::string_view normalized) const override {
    std::vector<SentencePieceSegment> segments;
    if (normalized.empty()) return segments;
    std::vector<Symbol> symbols = split_into_symbols(normalized);

    std::priority_queue<Candidate, std::vector<Candidate>, WorseCandidate> queue;
    // Merged UNUSED pieces and the two symbols that made them, to split them back.
    std::unordered_map<std::string_view, std::pair<std::string_view, std::string_view>> unmerge;
    const auto text_of = [&](const Symbol& symbol) {
      return normalized.substr(symbol.start, symbol.length);
    };
    const auto consider = [&](int left, int right) {
      if (left < 0 || right < 0 || symbols[left].frozen || symbols[right].frozen) return;
      const std::string_view merged =
          normalized.substr(symbols[left].start, symbols[left].length + symbols[right].length);
      const auto id = vocabulary_.find_segment_piece(merged);
      if (!id) return;
      queue.push({vocabulary_.entry(*id).score, left, right, merged.size()});
      if (vocabulary_.type(*id) == SentencePieceType::unused) {
        unmerge[merged] = {text_of(symbols[left]), text_of(symbols[right])};
      }
    };

    for (int index = 1; index < static_cast<int>(symbols.size()); ++index) {
      consider(index - 1, index);
    }
    while (!queue.empty()) {
      const Candidate best = queue.top();
      queue.pop();
      Symbol& left = symbols[best.left];
      Symbol& right = symbols[best.right];
      if (left.length == 0 || right.length == 0 || left.length + right.length != best.length) {
        continue;  // one of its symbols has changed since it was queued
      }
      left.length += right.length;
      left.next = right.next;
      if (right.next >= 0) symbols[right.next].previous = best.left;
      right.length = 0;
      consider(left.previous, best.left);
      consider(best.left, left.next);
    }

    for (int index = 0; index >= 0; index = symbols[index].next) {
      append_resegmented(text_of(symbols[index]), unmerge, segments);
    }
    return segments;
  }

 private:
  std::vector<Symbol> split_into_symbols(std::string_view normalized) const {
    std::vector<Symbol> symbols;
    symbols.reserve(normalized.size());
    for (std::size_t start = 0; start < normalized.size();) {
      Symbol symbol;
      symbol.start = start;
      const std::size_t user_defined =
          vocabulary_.user_defined_symbols().longest_prefix(normalized.substr(start));
      symbol.frozen = user_defined > 0;
      symbol.length =
          symbol.frozen ? user_defined : sentencepiece_character_length(normalized, start);
      const int index = static_cast<int>(symbols.size());
      symbol.previous = index - 1;
      start += symbol.length;
      symbol.next = start < normalized.size() ? index + 1 : -1;
      symbols.push_back(symbol);
    }
    return symbols;
  }

  void append_resegmented(
      std::string_view text,
      const std::unordered_map<std::string_view, std::pair<std::string_view, std::string_view>>&
          unmerge,
      std::vector<SentencePieceSegment>& segments) const {
    const std::int32_t id = vocabulary_.piece_to_id(text);
    if (vocabulary_.type(id) == SentencePieceType::unused) {
      if (const auto parts = unmerge.find(text); parts != unmerge.end()) {
        append_resegmented(parts->second.first, unmerge, segments);
        append_resegmented(parts->second.second, unmerge, segments);
        return;
      }
    }
    segments.push_back({text, id});
  }

  const SentencePieceVocabulary& vocabulary_;
};

}  // namespace

std::unique_ptr<SentencePieceSegmenter> make_bpe_segmenter(
    const SentencePieceVocabulary& vocabulary) {
  return std::make_unique<BpeSegmenter>(vocabulary);
}

}  // namespace paddock::transformer
