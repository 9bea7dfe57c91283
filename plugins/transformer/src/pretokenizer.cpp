// Hand-written matchers for the GPT-2 and LLaMA-3 pre-tokenization regexes.
#include "paddock/transformer/pretokenizer.hpp"

#include <cstdint>

#include "paddock/transformer/unicode_classes.hpp"
#include "paddock/transformer/utf8.hpp"

namespace paddock::transformer {
namespace {

constexpr std::string_view kGpt2Regex =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
constexpr std::string_view kLlama3Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

enum class CharClass : std::uint8_t { letter, number, space, other };

// The text as code points with their classes; invalid bytes are `other`.
class CodePoints {
 public:
  explicit CodePoints(std::string_view text) {
    for (std::size_t position = 0; position < text.size();) {
      const DecodedCodePoint decoded = decode_utf8(text, position);
      const char32_t value = decoded.valid ? decoded.value : 0xFFFFFFFFu;
      values_.push_back(value);
      classes_.push_back(classify(decoded));
      offsets_.push_back(position);
      position += decoded.length;
    }
    offsets_.push_back(text.size());
  }

  std::size_t size() const { return values_.size(); }
  std::size_t offset(std::size_t i) const { return offsets_[i]; }
  // Out-of-range indexes read as a non-matching sentinel, which keeps the matchers short.
  char32_t value(std::size_t i) const { return i < values_.size() ? values_[i] : 0xFFFFFFFFu; }
  bool is(std::size_t i, CharClass c) const { return i < classes_.size() && classes_[i] == c; }
  bool is_newline(std::size_t i) const { return value(i) == '\r' || value(i) == '\n'; }
  std::size_t run_end(std::size_t i, CharClass c) const {
    while (is(i, c)) ++i;
    return i;
  }

 private:
  static CharClass classify(const DecodedCodePoint& decoded) {
    if (!decoded.valid) return CharClass::other;
    if (is_unicode_letter(decoded.value)) return CharClass::letter;
    if (is_unicode_number(decoded.value)) return CharClass::number;
    if (is_unicode_whitespace(decoded.value)) return CharClass::space;
    return CharClass::other;
  }

  std::vector<char32_t> values_;
  std::vector<CharClass> classes_;
  std::vector<std::size_t> offsets_;
};

char32_t ascii_lower(char32_t c) {
  return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

// 's 't 're 've 'm 'll 'd at i; returns the end or i when none matches.
std::size_t match_contraction(const CodePoints& text, std::size_t i, bool fold_case) {
  if (text.value(i) != '\'') return i;
  const auto at = [&](std::size_t k) {
    return fold_case ? ascii_lower(text.value(k)) : text.value(k);
  };
  const char32_t first = at(i + 1);
  if (first == 's' || first == 't' || first == 'm' || first == 'd') return i + 2;
  const char32_t second = at(i + 2);
  if ((first == 'r' || first == 'v') && second == 'e') return i + 3;
  if (first == 'l' && second == 'l') return i + 3;
  return i;
}

// ` ?X+` for class X; returns the end or i.
std::size_t match_optional_space_then_run(const CodePoints& text, std::size_t i, CharClass c) {
  std::size_t start = i;
  if (text.value(i) == ' ' && text.is(i + 1, c)) start = i + 1;
  return text.is(start, c) ? text.run_end(start, c) : i;
}

// `\s+(?!\S)|\s+` at a whitespace character i.
std::size_t match_trailing_whitespace(const CodePoints& text, std::size_t i) {
  const std::size_t end = text.run_end(i, CharClass::space);
  if (end == text.size() || end - i == 1) return end;
  return end - 1;  // leave the last space to prefix the next word
}

std::size_t match_gpt2(const CodePoints& text, std::size_t i) {
  if (std::size_t end = match_contraction(text, i, /*fold_case=*/false); end != i) return end;
  for (CharClass c : {CharClass::letter, CharClass::number, CharClass::other}) {
    if (std::size_t end = match_optional_space_then_run(text, i, c); end != i) return end;
  }
  return match_trailing_whitespace(text, i);
}

std::size_t match_llama3(const CodePoints& text, std::size_t i) {
  if (std::size_t end = match_contraction(text, i, /*fold_case=*/true); end != i) return end;
  // [^\r\n\p{L}\p{N}]?\p{L}+
  if (text.is(i, CharClass::letter)) return text.run_end(i, CharClass::letter);
  if ((text.is(i, CharClass::space) || text.is(i, CharClass::other)) && !text.is_newline(i) &&
      text.is(i + 1, CharClass::letter)) {
    return text.run_end(i + 1, CharClass::letter);
  }
  // \p{N}{1,3}
  if (text.is(i, CharClass::number)) {
    std::size_t end = i + 1;
    while (end < i + 3 && text.is(end, CharClass::number)) ++end;
    return end;
  }
  // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
  if (std::size_t end = match_optional_space_then_run(text, i, CharClass::other); end != i) {
    while (text.is_newline(end)) ++end;
    return end;
  }
  // \s*[\r\n]+ : up to and including the last newline of the whitespace run.
  const std::size_t run_end = text.run_end(i, CharClass::space);
  for (std::size_t k = run_end; k > i; --k) {
    if (text.is_newline(k - 1)) return k;
  }
  return match_trailing_whitespace(text, i);
}

}  // namespace

std::vector<std::string_view> split_pretokens(std::string_view text, PreTokenizerPattern pattern) {
  std::vector<std::string_view> pieces;
  if (text.empty()) return pieces;
  if (pattern == PreTokenizerPattern::whole_text) {
    pieces.push_back(text);
    return pieces;
  }
  const CodePoints code_points(text);
  for (std::size_t i = 0; i < code_points.size();) {
    const std::size_t end = pattern == PreTokenizerPattern::gpt2 ? match_gpt2(code_points, i)
                                                                 : match_llama3(code_points, i);
    pieces.push_back(
        text.substr(code_points.offset(i), code_points.offset(end) - code_points.offset(i)));
    i = end;
  }
  return pieces;
}

std::vector<std::string_view> split_pretokens(std::string_view text, PreTokenizerPattern pattern,
                                              DigitSplitting digits) {
  if (digits == DigitSplitting::none) return split_pretokens(text, pattern);
  std::vector<std::string_view> pieces;
  auto split_stretch = [&](std::size_t begin, std::size_t end) {
    for (std::string_view piece : split_pretokens(text.substr(begin, end - begin), pattern))
      pieces.push_back(piece);
  };
  std::size_t stretch = 0;  // start of the text not yet split
  for (std::size_t position = 0; position < text.size();) {
    const DecodedCodePoint decoded = decode_utf8(text, position);
    if (!decoded.valid || !is_unicode_number(decoded.value)) {
      position += decoded.length;
      continue;
    }
    split_stretch(stretch, position);
    std::size_t end = position + decoded.length;
    while (digits == DigitSplitting::runs && end < text.size()) {
      const DecodedCodePoint next = decode_utf8(text, end);
      if (!next.valid || !is_unicode_number(next.value)) break;
      end += next.length;
    }
    pieces.push_back(text.substr(position, end - position));
    stretch = position = end;
  }
  split_stretch(stretch, text.size());
  return pieces;
}

std::string_view pretokenizer_regex(PreTokenizerPattern pattern) {
  switch (pattern) {
    case PreTokenizerPattern::gpt2:
      return kGpt2Regex;
    case PreTokenizerPattern::llama3:
      return kLlama3Regex;
    case PreTokenizerPattern::whole_text:
      break;
  }
  return {};
}

std::optional<PreTokenizerPattern> pretokenizer_pattern_for_regex(std::string_view regex) {
  if (regex == kGpt2Regex) return PreTokenizerPattern::gpt2;
  if (regex == kLlama3Regex) return PreTokenizerPattern::llama3;
  return std::nullopt;
}

}  // namespace paddock::transformer
