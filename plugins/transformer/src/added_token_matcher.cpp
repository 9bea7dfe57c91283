// AddedTokenMatcher: candidates indexed by their first byte, tried longest first.
#include "paddock/transformer/added_token_matcher.hpp"

#include <algorithm>

namespace paddock::transformer {

bool AddedTokenMatcher::add(const std::string& content, std::int32_t id) {
  if (content.empty() || contains(content)) return false;
  auto& candidates = by_first_byte_[static_cast<unsigned char>(content.front())];
  // Before the first shorter one, after those of the same length: longest first, and
  // otherwise in the order they were added.
  const auto place = std::find_if(candidates.begin(), candidates.end(), [&](const auto& other) {
    return other.first.size() < content.size();
  });
  candidates.emplace(place, content, id);
  ++size_;
  return true;
}

bool AddedTokenMatcher::contains(std::string_view content) const {
  if (content.empty()) return false;
  for (const auto& [candidate, id] : by_first_byte_[static_cast<unsigned char>(content.front())]) {
    if (candidate == content) return true;
  }
  return false;
}

std::optional<AddedTokenMatcher::Match> AddedTokenMatcher::find_next(std::string_view text,
                                                                     std::size_t from) const {
  if (size_ == 0) return std::nullopt;
  for (std::size_t position = from; position < text.size(); ++position) {
    for (const auto& [content, id] : by_first_byte_[static_cast<unsigned char>(text[position])]) {
      if (text.compare(position, content.size(), content) == 0) {
        return Match{position, content.size(), id};  // candidates are longest first
      }
    }
  }
  return std::nullopt;
}

}  // namespace paddock::transformer
