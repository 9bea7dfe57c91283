// Reading labels out of a judge's completion with an ordered list of patterns.
//
// Each pattern is written "LABEL:REGEX" with LABEL 1 (the first output shown is better),
// 2 (the second) or 0 (a tie), and REGEX an ECMAScript regular expression in which ^ and $
// also match at line breaks. The parser scans the text left to right: at each step it takes
// the match that starts earliest among all patterns (the earlier pattern in the list wins
// a tie), records its label and continues after it. The labels found, in order, are the
// batch's labels; a count other than the batch size leaves the whole batch unannotated.
#pragma once

#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace paddock::annotators {

struct LabelPattern {
  int label = 0;
  std::string source;
  std::regex regex;
};

// Throws paddock::Error naming the pattern when it is malformed.
std::vector<LabelPattern> compile_label_patterns(const std::vector<std::string>& specs);

std::vector<int> find_labels(std::string_view text, const std::vector<LabelPattern>& patterns);

}  // namespace paddock::annotators
