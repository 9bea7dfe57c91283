// Python's string semantics on UTF-8 text, as Jinja templates see strings: lengths, indexes
// and slices count code points; strip and split use Python's notion of whitespace; repr()
// and float repr() spell values as Python prints them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paddock::serve::jinja {

// Code points of UTF-8 text (an invalid byte stands for itself, as U+FFFD would lose it).
std::vector<char32_t> to_code_points(std::string_view text);
std::string from_code_points(const std::vector<char32_t>& code_points);
void append_utf8(std::string& text, char32_t code_point);
std::size_t code_point_count(std::string_view text);

// str.isspace() of one code point.
bool is_python_space(char32_t code_point);

// str.strip / lstrip / rstrip: `characters` absent strips whitespace.
std::string python_strip(std::string_view text, const std::optional<std::string>& characters,
                         bool left, bool right);
// str.split: no separator splits on runs of whitespace; max_splits < 0: no limit.
std::vector<std::string> python_split(std::string_view text,
                                      const std::optional<std::string>& separator,
                                      std::int64_t max_splits);
// str.splitlines() without the line ends.
std::vector<std::string> python_splitlines(std::string_view text);
// str.replace; count < 0 replaces all.
std::string python_replace(std::string_view text, std::string_view old_text,
                           std::string_view new_text, std::int64_t count);

// Case mapping of ASCII letters and of Latin-1, Greek and Cyrillic ones; other code points
// are left as they are.
std::string python_upper(std::string_view text);
std::string python_lower(std::string_view text);
std::string python_capitalize(std::string_view text);
// Jinja's title filter: each run of letters starts upper case, the rest lower case.
std::string jinja_title(std::string_view text);

// repr() of a str: single quotes unless the text holds ' and no ".
std::string python_string_repr(std::string_view text);
// repr() of a float: the shortest digits that read back, "1e+16" beyond 16 digits, "1.0".
std::string python_float_repr(double value);

}  // namespace paddock::serve::jinja
