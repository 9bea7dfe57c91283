// Reading labels out of a judge's completion with an ordered list of patterns.
//
// Each pattern is written "LABEL:REGEX" with LABEL 1 (the first output shown is better),
// 2 (the second) or 0 (a tie), and REGEX an RE2 regular expression (Perl-like syntax without
// backreferences or lookaround) in which ^ and $ also match at line breaks. RE2 runs in time
// linear in the text and never recurses per character, so no answer a judge sends can
// exhaust the stack; answers longer than kMaxLabelledTextBytes are not parsed at all.
// The parser scans the text left to right: at each step it takes the match that starts
// earliest among all patterns (the earlier pattern in the list wins a tie), records its label
// and continues after it. The labels found, in order, are the batch's labels; a count other
// than the batch size leaves the whole batch unannotated.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace paddock::annotators {

// Judges answer in at most a few thousand tokens; a longer answer is not a verdict.
inline constexpr std::size_t kMaxLabelledTextBytes = 256 * 1024;

struct LabelPattern {
  int label = 0;
  std::string source;
  std::shared_ptr<const re2::RE2> regex;  // shared: compiled once, copied with the config
};

// Throws paddock::Error naming the pattern when it is malformed.
std::vector<LabelPattern> compile_label_patterns(const std::vector<std::string>& specs);

// The labels in order, at most `max_labels` + 1 of them (one more than a batch needs shows
// that the count is wrong). Empty when the text is longer than kMaxLabelledTextBytes.
std::vector<int> find_labels(std::string_view text, const std::vector<LabelPattern>& patterns,
                             std::size_t max_labels = kMaxLabelledTextBytes);

}  // namespace paddock::annotators
