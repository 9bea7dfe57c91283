// Replacing every occurrence of a string in a text, left to right, never inside what was
// written in: the prompt template's placeholders, the tokenizers' Replace steps and spaces.
#pragma once

#include <string>
#include <string_view>

namespace paddock::transformer {

inline void replace_all(std::string& text, std::string_view pattern, std::string_view with) {
  if (pattern.empty()) return;
  for (std::size_t at = text.find(pattern); at != std::string::npos;
       at = text.find(pattern, at + with.size()))
    text.replace(at, pattern.size(), with);
}

}  // namespace paddock::transformer
