// Text helpers for the world: placeholder filling, word counts, token-bounded search and the
// surface measures (repetition, list format, clean ending) the utility reads.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace paddock::world {

using Substitutions = std::vector<std::pair<std::string_view, std::string>>;

// Replaces every "{name}" in `pattern` by its value; unknown placeholders stay as written.
std::string fill(std::string_view pattern, const Substitutions& values);

std::string join(const std::vector<std::string>& items, std::string_view separator);
std::string to_lower(std::string_view text);
std::string to_upper(std::string_view text);
std::string to_title(std::string_view text);  // first letter of each word upper, rest lower

std::vector<std::string> split_words(std::string_view text);  // on whitespace
std::size_t count_words(std::string_view text);

// True when `needle` occurs in `text` with no letter or digit touching either end.
bool contains_bounded(std::string_view text, std::string_view needle, bool case_sensitive);

// Share of the word 3-grams (lower-cased, punctuation stripped) that repeat an earlier one.
double repeated_trigram_fraction(std::string_view text);

// At least two lines that start with "- ", "* " or "N. ".
bool is_list_formatted(std::string_view text);

// Ends with terminal punctuation, or is a bare one-line answer of a few words.
bool ends_cleanly(std::string_view text);

// Appends a full stop unless the text already ends with terminal punctuation.
std::string with_full_stop(std::string text);

}  // namespace paddock::world
