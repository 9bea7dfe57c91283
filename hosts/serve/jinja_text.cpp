// Python's string operations on UTF-8 text for the Jinja engine.
#include "jinja_text.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace paddock::serve::jinja {
namespace {

// Lower-case partner of an upper-case code point in the ranges this engine maps; 0 if none.
char32_t lower_of(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 32;
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return 0;
}

char32_t upper_of(char32_t c) {
  if (c >= 'a' && c <= 'z') return c - 32;
  if ((c >= 0xE0 && c <= 0xFE && c != 0xF7)) return c - 32;
  if (c >= 0x3B1 && c <= 0x3CB && c != 0x3C2) return c - 32;
  if (c >= 0x430 && c <= 0x44F) return c - 32;
  if (c >= 0x450 && c <= 0x45F) return c - 80;
  return 0;
}

char32_t to_upper(char32_t c) {
  const char32_t mapped = upper_of(c);
  return mapped ? mapped : c;
}

char32_t to_lower(char32_t c) {
  const char32_t mapped = lower_of(c);
  return mapped ? mapped : c;
}

bool is_cased(char32_t c) {
  return lower_of(c) != 0 || upper_of(c) != 0;
}

bool is_line_break(char32_t c) {
  return c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0x1C || c == 0x1D || c == 0x1E ||
         c == 0x85 || c == 0x2028 || c == 0x2029;
}

}  // namespace

std::vector<char32_t> to_code_points(std::string_view text) {
  std::vector<char32_t> code_points;
  code_points.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    const auto byte = static_cast<unsigned char>(text[at]);
    int length = byte < 0x80         ? 1
                 : (byte >> 5) == 6  ? 2
                 : (byte >> 4) == 14 ? 3
                 : (byte >> 3) == 30 ? 4
                                     : 0;
    if (length == 0 || at + length > text.size()) {
      code_points.push_back(byte);
      ++at;
      continue;
    }
    char32_t value = length == 1 ? byte : byte & (0x7F >> length);
    bool valid = true;
    for (int index = 1; index < length; ++index) {
      const auto next = static_cast<unsigned char>(text[at + index]);
      if ((next >> 6) != 2) valid = false;
      value = (value << 6) | (next & 0x3F);
    }
    if (!valid) {
      code_points.push_back(byte);
      ++at;
      continue;
    }
    code_points.push_back(value);
    at += length;
  }
  return code_points;
}

void append_utf8(std::string& text, char32_t c) {
  if (c < 0x80) {
    text += static_cast<char>(c);
  } else if (c < 0x800) {
    text += static_cast<char>(0xC0 | (c >> 6));
    text += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    text += static_cast<char>(0xE0 | (c >> 12));
    text += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    text += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    text += static_cast<char>(0xF0 | (c >> 18));
    text += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    text += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    text += static_cast<char>(0x80 | (c & 0x3F));
  }
}

std::string from_code_points(const std::vector<char32_t>& code_points) {
  std::string text;
  text.reserve(code_points.size());
  for (const char32_t c : code_points) append_utf8(text, c);
  return text;
}

std::size_t code_point_count(std::string_view text) {
  std::size_t count = 0;
  for (const char byte : text) count += (static_cast<unsigned char>(byte) >> 6) != 2;
  return count;
}

bool is_python_space(char32_t c) {
  return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F) || c == 0x85 ||
         c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

std::string python_strip(std::string_view text, const std::optional<std::string>& characters,
                         bool left, bool right) {
  const std::vector<char32_t> code_points = to_code_points(text);
  std::vector<char32_t> strip_set;
  if (characters) strip_set = to_code_points(*characters);
  const auto stripped = [&](char32_t c) {
    if (!characters) return is_python_space(c);
    for (const char32_t candidate : strip_set)
      if (candidate == c) return true;
    return false;
  };
  std::size_t begin = 0;
  std::size_t end = code_points.size();
  if (left)
    while (begin < end && stripped(code_points[begin])) ++begin;
  if (right)
    while (end > begin && stripped(code_points[end - 1])) --end;
  return from_code_points({code_points.begin() + begin, code_points.begin() + end});
}

std::vector<std::string> python_split(std::string_view text,
                                      const std::optional<std::string>& separator,
                                      std::int64_t max_splits) {
  std::vector<std::string> parts;
  if (separator) {
    std::size_t start = 0;
    while (max_splits < 0 || static_cast<std::int64_t>(parts.size()) < max_splits) {
      const std::size_t at = text.find(*separator, start);
      if (at == std::string_view::npos) break;
      parts.emplace_back(text.substr(start, at - start));
      start = at + separator->size();
    }
    parts.emplace_back(text.substr(start));
    return parts;
  }
  const std::vector<char32_t> code_points = to_code_points(text);
  std::size_t at = 0;
  const std::size_t size = code_points.size();
  while (true) {
    while (at < size && is_python_space(code_points[at])) ++at;
    if (at == size) break;
    if (max_splits >= 0 && static_cast<std::int64_t>(parts.size()) == max_splits) {
      std::size_t end = size;
      while (end > at && is_python_space(code_points[end - 1])) --end;
      parts.push_back(from_code_points({code_points.begin() + at, code_points.begin() + end}));
      break;
    }
    const std::size_t start = at;
    while (at < size && !is_python_space(code_points[at])) ++at;
    parts.push_back(from_code_points({code_points.begin() + start, code_points.begin() + at}));
  }
  return parts;
}

std::vector<std::string> python_splitlines(std::string_view text) {
  const std::vector<char32_t> code_points = to_code_points(text);
  std::vector<std::string> lines;
  std::string line;
  for (std::size_t at = 0; at < code_points.size(); ++at) {
    const char32_t c = code_points[at];
    if (!is_line_break(c)) {
      append_utf8(line, c);
      continue;
    }
    if (c == '\r' && at + 1 < code_points.size() && code_points[at + 1] == '\n') ++at;
    lines.push_back(std::move(line));
    line.clear();
  }
  if (!line.empty()) lines.push_back(std::move(line));
  return lines;
}

std::string python_replace(std::string_view text, std::string_view old_text,
                           std::string_view new_text, std::int64_t count) {
  std::string result;
  if (old_text.empty()) {
    // Python inserts the replacement before every code point and at the end.
    const std::vector<char32_t> code_points = to_code_points(text);
    std::int64_t done = 0;
    for (const char32_t c : code_points) {
      if (count < 0 || done < count) {
        result += new_text;
        ++done;
      }
      append_utf8(result, c);
    }
    if (count < 0 || done < count) result += new_text;
    return result;
  }
  std::size_t start = 0;
  std::int64_t done = 0;
  while (count < 0 || done < count) {
    const std::size_t at = text.find(old_text, start);
    if (at == std::string_view::npos) break;
    result.append(text.substr(start, at - start)).append(new_text);
    start = at + old_text.size();
    ++done;
  }
  return result.append(text.substr(start));
}

std::string python_upper(std::string_view text) {
  std::string result;
  for (const char32_t c : to_code_points(text)) append_utf8(result, to_upper(c));
  return result;
}

std::string python_lower(std::string_view text) {
  std::string result;
  for (const char32_t c : to_code_points(text)) append_utf8(result, to_lower(c));
  return result;
}

std::string python_capitalize(std::string_view text) {
  std::string result;
  bool first = true;
  for (const char32_t c : to_code_points(text)) {
    append_utf8(result, first ? to_upper(c) : to_lower(c));
    first = false;
  }
  return result;
}

std::string jinja_title(std::string_view text) {
  // Jinja splits the text at runs of whitespace and of '-', '(', '{', '[', '<' and
  // capitalizes the first character of each piece.
  std::string result;
  bool word_start = true;
  for (const char32_t c : to_code_points(text)) {
    const bool boundary =
        is_python_space(c) || c == '-' || c == '(' || c == '{' || c == '[' || c == '<';
    append_utf8(result, word_start ? to_upper(c) : to_lower(c));
    word_start = boundary;
  }
  return result;
}

std::string python_string_repr(std::string_view text) {
  const bool has_single = text.find('\'') != std::string_view::npos;
  const bool has_double = text.find('"') != std::string_view::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  std::string result(1, quote);
  for (const char32_t c : to_code_points(text)) {
    if (c == static_cast<char32_t>(quote) || c == '\\') {
      result += '\\';
      result += static_cast<char>(c);
    } else if (c == '\n') {
      result += "\\n";
    } else if (c == '\r') {
      result += "\\r";
    } else if (c == '\t') {
      result += "\\t";
    } else if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned>(c));
      result += buffer;
    } else {
      append_utf8(result, c);
    }
  }
  result += quote;
  return result;
}

std::string python_float_repr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  if (value == 0) return std::signbit(value) ? "-0.0" : "0.0";
  char buffer[64];
  const auto written =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  const std::string scientific(buffer, written.ptr);
  // d.ddde[+-]XX: the digits and the decimal exponent of the first one.
  const std::size_t e_at = scientific.find('e');
  std::string mantissa = scientific.substr(0, e_at);
  const int exponent = std::stoi(scientific.substr(e_at + 1));
  const bool negative = mantissa[0] == '-';
  if (negative) mantissa.erase(0, 1);
  std::string digits;
  for (const char c : mantissa)
    if (c != '.') digits += c;
  std::string result = negative ? "-" : "";
  if (exponent < -4 || exponent >= 16) {
    result += digits.substr(0, 1);
    if (digits.size() > 1) result += "." + digits.substr(1);
    std::snprintf(buffer, sizeof buffer, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return result + buffer;
  }
  if (exponent < 0) return result + "0." + std::string(-exponent - 1, '0') + digits;
  const auto integer_digits = static_cast<std::size_t>(exponent) + 1;
  if (digits.size() <= integer_digits)
    return result + digits + std::string(integer_digits - digits.size(), '0') + ".0";
  return result + digits.substr(0, integer_digits) + "." + digits.substr(integer_digits);
}

}  // namespace paddock::serve::jinja
