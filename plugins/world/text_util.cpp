// Text helpers for the world; see text_util.hpp.
#include "text_util.hpp"

#include <cctype>
#include <unordered_set>

namespace paddock::world {
namespace {

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

std::string fill(std::string_view pattern, const Substitutions& values) {
  std::string out;
  out.reserve(pattern.size() + 32);
  std::size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] == '{') {
      const std::size_t close = pattern.find('}', i);
      if (close != std::string_view::npos) {
        const std::string_view name = pattern.substr(i + 1, close - i - 1);
        bool replaced = false;
        for (const auto& [key, value] : values) {
          if (key == name) {
            out += value;
            replaced = true;
            break;
          }
        }
        if (replaced) {
          i = close + 1;
          continue;
        }
      }
    }
    out += pattern[i++];
  }
  return out;
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    out += items[i];
  }
  return out;
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = lower(c);
  return out;
}

std::string to_upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string to_title(std::string_view text) {
  std::string out(text);
  bool start = true;
  for (char& c : out) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      start = true;
      continue;
    }
    c = start ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : lower(c);
    start = false;
  }
  return out;
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::string current;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!current.empty()) words.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  return words;
}

std::size_t count_words(std::string_view text) {
  std::size_t words = 0;
  bool in_word = false;
  for (char c : text) {
    const bool space = std::isspace(static_cast<unsigned char>(c)) != 0;
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

bool contains_bounded(std::string_view text, std::string_view needle, bool case_sensitive) {
  if (needle.empty() || needle.size() > text.size()) return false;
  std::string haystack_storage, needle_storage;
  if (!case_sensitive) {
    haystack_storage = to_lower(text);
    needle_storage = to_lower(needle);
    text = haystack_storage;
    needle = needle_storage;
  }
  for (std::size_t at = text.find(needle); at != std::string_view::npos;
       at = text.find(needle, at + 1)) {
    const bool left_ok = at == 0 || !is_word_char(text[at - 1]) || !is_word_char(needle.front());
    const std::size_t end = at + needle.size();
    const bool right_ok =
        end == text.size() || !is_word_char(text[end]) || !is_word_char(needle.back());
    if (left_ok && right_ok) return true;
  }
  return false;
}

double repeated_trigram_fraction(std::string_view text) {
  std::vector<std::string> words;
  for (const std::string& raw : split_words(text)) {
    std::string word;
    for (char c : raw) {
      if (is_word_char(c)) word += lower(c);
    }
    if (!word.empty()) words.push_back(std::move(word));
  }
  if (words.size() < 3) return 0.0;
  std::unordered_set<std::string> seen;
  std::size_t repeats = 0;
  const std::size_t total = words.size() - 2;
  for (std::size_t i = 0; i < total; ++i) {
    std::string gram = words[i] + ' ' + words[i + 1] + ' ' + words[i + 2];
    if (!seen.insert(std::move(gram)).second) ++repeats;
  }
  return static_cast<double>(repeats) / static_cast<double>(total);
}

bool is_list_formatted(std::string_view text) {
  int items = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = trim(text.substr(start, end - start));
    if (line.starts_with("- ") || line.starts_with("* ")) {
      ++items;
    } else {
      std::size_t digits = 0;
      while (digits < line.size() && std::isdigit(static_cast<unsigned char>(line[digits]))) {
        ++digits;
      }
      if (digits > 0 && digits + 1 < line.size() && line[digits] == '.' &&
          line[digits + 1] == ' ') {
        ++items;
      }
    }
    start = end + 1;
  }
  return items >= 2;
}

bool ends_cleanly(std::string_view text) {
  text = trim(text);
  if (text.empty()) return false;
  const char last = text.back();
  if (last == '.' || last == '!' || last == '?' || last == '"' || last == '\'' || last == ')') {
    return true;
  }
  return text.find('\n') == std::string_view::npos && count_words(text) <= 6;
}

std::string with_full_stop(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  if (text.empty()) return text;
  const char last = text.back();
  if (last != '.' && last != '!' && last != '?') text += '.';
  return text;
}

}  // namespace paddock::world
