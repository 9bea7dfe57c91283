// Features of an output that judges are known to be biased by: its length and whether it is
// formatted as a list. Used by judge_eval for P(prefer longer) and P(prefer lists).
#pragma once

#include <cstddef>
#include <string_view>

namespace paddock::annotators {

// Length in Unicode code points (bytes that do not continue a UTF-8 sequence).
std::size_t count_code_points(std::string_view text);

// True when at least two lines start (after indentation) with a list marker: "- ", "* ",
// "• ", or a number followed by ". " or ") ".
bool looks_like_list(std::string_view text);

}  // namespace paddock::annotators
