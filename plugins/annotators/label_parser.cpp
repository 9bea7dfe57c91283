// Compiling label patterns with RE2 and scanning completions for labels.
#include "label_parser.hpp"

#include <re2/re2.h>

#include <optional>

#include "paddock/error.hpp"

namespace paddock::annotators {
namespace {

// A pattern is a line of configuration, not a program: this caps what RE2 may build for it.
constexpr std::int64_t kMaxPatternMemoryBytes = 8 << 20;

// Where one pattern next matches at or after some position.
struct NextMatch {
  bool searched = false;
  bool none = false;  // no match from the last search on: none from any later position either
  std::size_t start = 0, end = 0;
};

}  // namespace

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
    RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(kMaxPatternMemoryBytes);
    // (?m): ^ and $ match at line breaks too, as they did under the ECMAScript engine.
    auto regex = std::make_shared<const RE2>("(?m)" + pattern.source, options);
    if (!regex->ok()) {
      throw Error("parse pattern '" + spec + "' is not a valid RE2 regular expression: " +
                  regex->error() + " (see docs/annotators.md for the syntax)");
    }
    pattern.regex = std::move(regex);
    patterns.push_back(std::move(pattern));
  }
  if (patterns.empty()) throw Error("an API judge needs at least one parse pattern");
  return patterns;
}

std::vector<int> find_labels(std::string_view text, const std::vector<LabelPattern>& patterns,
                             std::size_t max_labels) {
  std::vector<int> labels;
  if (text.size() > kMaxLabelledTextBytes) return labels;
  const re2::StringPiece whole(text.data(), text.size());
  // Each pattern's next match is remembered while it lies ahead, so a long answer costs one
  // pass per pattern, not one per label.
  std::vector<NextMatch> next(patterns.size());
  std::size_t position = 0;
  while (position <= text.size() && labels.size() <= max_labels) {
    std::optional<std::size_t> best;
    for (std::size_t k = 0; k < patterns.size(); ++k) {
      NextMatch& match = next[k];
      if (match.none) continue;
      if (!match.searched || match.start < position) {
        re2::StringPiece found;
        match.searched = true;
        if (!patterns[k].regex->Match(whole, position, text.size(), RE2::UNANCHORED, &found, 1)) {
          match.none = true;
          continue;
        }
        match.start = found.data() == nullptr
                          ? position
                          : static_cast<std::size_t>(found.data() - text.data());
        match.end = match.start + found.size();
      }
      if (!best || match.start < next[*best].start) best = k;
    }
    if (!best) break;
    const NextMatch& chosen = next[*best];
    labels.push_back(patterns[*best].label);
    position = chosen.end > chosen.start ? chosen.end : chosen.start + 1;
  }
  return labels;
}

}  // namespace paddock::annotators
