// Length and list detection for judge bias measurements.
#include "text_features.hpp"

#include <cctype>

namespace paddock::annotators {

std::size_t count_code_points(std::string_view text) {
  std::size_t count = 0;
  for (const unsigned char byte : text) count += (byte & 0xC0) != 0x80 ? 1 : 0;
  return count;
}

bool looks_like_list(std::string_view text) {
  int items = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.starts_with("- ") || line.starts_with("* ") || line.starts_with("\xE2\x80\xA2 ")) {
      ++items;
    } else {
      std::size_t digits = 0;
      while (digits < line.size() && std::isdigit(static_cast<unsigned char>(line[digits]))) {
        ++digits;
      }
      if (digits > 0 && digits + 1 < line.size() && (line[digits] == '.' || line[digits] == ')') &&
          line[digits + 1] == ' ') {
        ++items;
      }
    }
    start = end + 1;
  }
  return items >= 2;
}

}  // namespace paddock::annotators
