// Compiling label patterns and scanning completions for labels.
#include "label_parser.hpp"

#include "paddock/error.hpp"

namespace paddock::annotators {

std::vector<LabelPattern> compile_label_patterns(const std::vector<std::string>& specs) {
  std::vector<LabelPattern> patterns;
  for (const std::string& spec : specs) {
    const auto colon = spec.find(':');
    const std::string label = colon == std::string::npos ? "" : spec.substr(0, colon);
    if (label != "0" && label != "1" && label != "2") {
      throw Error("parse pattern '" + spec +
                  "' must start with the label it stands for: \"1:REGEX\", \"2:REGEX\" or "
                  "\"0:REGEX\" (a tie)");
    }
    LabelPattern pattern;
    pattern.label = label[0] - '0';
    pattern.source = spec.substr(colon + 1);
    if (pattern.source.empty()) throw Error("parse pattern '" + spec + "' has an empty regex");
    try {
      pattern.regex = std::regex(pattern.source, std::regex::ECMAScript | std::regex::multiline);
    } catch (const std::regex_error& error) {
      throw Error("parse pattern '" + spec +
                  "' is not a valid regular expression: " + error.what());
    }
    patterns.push_back(std::move(pattern));
  }
  if (patterns.empty()) throw Error("an API judge needs at least one parse pattern");
  return patterns;
}

std::vector<int> find_labels(std::string_view text, const std::vector<LabelPattern>& patterns) {
  std::vector<int> labels;
  std::size_t position = 0;
  while (position <= text.size()) {
    std::size_t best_start = std::string_view::npos, best_end = 0;
    int best_label = 0;
    for (const LabelPattern& pattern : patterns) {
      std::match_results<std::string_view::const_iterator> match;
      auto flags = std::regex_constants::match_default;
      if (position > 0) flags |= std::regex_constants::match_prev_avail;
      if (!std::regex_search(text.begin() + static_cast<std::ptrdiff_t>(position), text.end(),
                             match, pattern.regex, flags)) {
        continue;
      }
      const std::size_t start = position + static_cast<std::size_t>(match.position(0));
      if (start < best_start) {
        best_start = start;
        best_end = start + static_cast<std::size_t>(match.length(0));
        best_label = pattern.label;
      }
    }
    if (best_start == std::string_view::npos) break;
    labels.push_back(best_label);
    position = best_end > best_start ? best_end : best_start + 1;
  }
  return labels;
}

}  // namespace paddock::annotators
