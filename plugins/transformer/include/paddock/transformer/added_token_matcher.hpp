// Finding added tokens (special ones such as <s>, </s> or <|im_end|>, and plain ones such as
// reward tokens) in raw text, before a tokenizer's model sees it. Both byte-level BPE and
// SentencePiece use it, so the two split text on added tokens the same way: the leftmost
// match wins, and at one position the longest token; matching is exact, on bytes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace paddock::transformer {

class AddedTokenMatcher {
 public:
  struct Match {
    std::size_t position = 0;  // byte offset of the token's text
    std::size_t length = 0;    // its length in bytes
    std::int32_t id = -1;
  };

  // Registers `content` (non-empty) as matching `id`. A content registered before keeps its
  // first id; returns whether this one was new.
  bool add(const std::string& content, std::int32_t id);
  bool contains(std::string_view content) const;
  bool empty() const { return size_ == 0; }

  // The first added token in `text` at or after byte `from`; nullopt when there is none.
  std::optional<Match> find_next(std::string_view text, std::size_t from) const;

 private:
  // By first byte, longest content first.
  std::array<std::vector<std::pair<std::string, std::int32_t>>, 256> by_first_byte_;
  std::size_t size_ = 0;
};

}  // namespace paddock::transformer
