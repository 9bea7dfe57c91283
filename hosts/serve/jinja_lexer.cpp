// The Jinja lexer: template text and tags to tokens, with jinja2's whitespace control.
#include "jinja_lexer.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <limits>

#include "jinja_text.hpp"

namespace paddock::serve::jinja {
namespace {

// Longest first, so that "//" is not read as two "/".
constexpr std::array<std::string_view, 27> kOperators = {
    "//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]",
    "(",  ")",  "{",  "}",  ">",  "<",  "=", ".", ":", "|", ",", ";", "!"};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_name_char(char c) {
  return is_name_start(c) || is_digit(c);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string normalize_newlines(std::string_view source) {
  std::string text;
  text.reserve(source.size());
  for (std::size_t at = 0; at < source.size(); ++at) {
    if (source[at] == '\r') {
      text += '\n';
      if (at + 1 < source.size() && source[at + 1] == '\n') ++at;
    } else {
      text += source[at];
    }
  }
  if (!text.empty() && text.back() == '\n') text.pop_back();  // keep_trailing_newline=False
  return text;
}

class Lexer {
 public:
  Lexer(std::string source, const LexerOptions& options)
      : source_(std::move(source)), options_(options) {
    line_starts_.push_back(0);
    for (std::size_t at = 0; at < source_.size(); ++at)
      if (source_[at] == '\n') line_starts_.push_back(at + 1);
  }

  std::vector<Token> run() {
    while (position_ < source_.size()) {
      const std::size_t opener = find_opener(position_);
      if (opener == std::string::npos) {
        add_text(source_.substr(position_), position_);
        break;
      }
      const char kind = source_[opener + 1];
      const char sign =
          opener + 2 < source_.size() && (source_[opener + 2] == '-' || source_[opener + 2] == '+')
              ? source_[opener + 2]
              : '\0';
      add_text(stripped_text(source_.substr(position_, opener - position_), sign, kind != '{'),
               position_);
      const std::size_t content = opener + 2 + (sign != '\0' ? 1 : 0);
      if (kind == '#') {
        read_comment(opener, content);
      } else if (kind == '%' && read_raw(opener, content)) {
        continue;
      } else {
        read_tag(opener, content, kind == '%');
      }
    }
    Token end;
    end.kind = TokenKind::end;
    end.position = position_of(source_.size());
    tokens_.push_back(end);
    return std::move(tokens_);
  }

 private:
  // Columns count code points. Tokens come in order, so counting goes on from the last
  // token's place on the same line: a template on one long line stays linear.
  SourcePosition position_of(std::size_t offset) const {
    const auto line = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset) - 1;
    const std::size_t line_index = static_cast<std::size_t>(line - line_starts_.begin());
    if (line_index != counted_line_ || offset < counted_offset_) {
      counted_line_ = line_index;
      counted_offset_ = *line;
      counted_columns_ = 0;
    }
    counted_columns_ += code_point_count(
        std::string_view(source_).substr(counted_offset_, offset - counted_offset_));
    counted_offset_ = offset;
    return {static_cast<int>(line_index) + 1, static_cast<int>(counted_columns_) + 1};
  }

  [[noreturn]] void fail(const std::string& message, std::size_t offset) const {
    throw JinjaError(JinjaError::Kind::syntax, message, position_of(offset));
  }

  std::size_t find_opener(std::size_t from) const {
    for (std::size_t at = source_.find('{', from); at != std::string::npos;
         at = source_.find('{', at + 1)) {
      if (at + 1 < source_.size() &&
          (source_[at + 1] == '{' || source_[at + 1] == '%' || source_[at + 1] == '#'))
        return at;
    }
    return std::string::npos;
  }

  // The text before a tag, after the tag's '-' or lstrip_blocks took their whitespace.
  std::string stripped_text(std::string text, char sign, bool block_or_comment) const {
    if (sign == '-') return python_strip(text, std::nullopt, false, true);
    if (sign == '+' || !options_.lstrip_blocks || !block_or_comment) return text;
    const std::size_t newline = text.rfind('\n');
    const std::size_t line_start = newline == std::string::npos ? 0 : newline + 1;
    if (line_start == 0 && !line_starting_) return text;
    if (line_start == text.size()) return text;
    const std::string rest = text.substr(line_start);
    for (const char32_t c : to_code_points(rest))
      if (!is_python_space(c)) return text;
    text.resize(line_start);
    return text;
  }

  void add_text(std::string text, std::size_t offset) {
    if (text.empty()) return;
    Token token;
    token.kind = TokenKind::text;
    token.text = std::move(text);
    token.position = position_of(offset);
    tokens_.push_back(std::move(token));
  }

  void add(TokenKind kind, std::string text, std::size_t offset) {
    Token token;
    token.kind = kind;
    token.text = std::move(text);
    token.position = position_of(offset);
    tokens_.push_back(std::move(token));
  }

  std::size_t skip_spaces(std::size_t at) const {
    while (at < source_.size() && is_space(source_[at])) ++at;
    return at;
  }

  // After a tag's closing characters: "-" takes the whitespace that follows, trim_blocks
  // one newline (block and comment tags only).
  std::size_t finish_tag(std::size_t after_close, char sign, bool trim) {
    std::size_t at = after_close;
    if (sign == '-') {
      at = skip_spaces(at);
    } else if (sign != '+' && trim && options_.trim_blocks && at < source_.size() &&
               source_[at] == '\n') {
      ++at;
    }
    line_starting_ = at > 0 && source_[at - 1] == '\n';
    return at;
  }

  void read_comment(std::size_t opener, std::size_t content) {
    const std::size_t close = source_.find("#}", content);
    if (close == std::string::npos) fail("the comment is not closed: '#}' is missing", opener);
    char sign = '\0';
    if (close > content && (source_[close - 1] == '-' || source_[close - 1] == '+'))
      sign = source_[close - 1];
    position_ = finish_tag(close + 2, sign, /*trim=*/true);
  }

  // Matches "[-+]?\s*NAME\s*(-%}|%})" at `at`; returns the offset after "%}" (and whether
  // the close had '-') or npos.
  std::size_t match_tag_named(std::size_t at, std::string_view name, char& close_sign) const {
    at = skip_spaces(at);
    if (source_.compare(at, name.size(), name) != 0) return std::string::npos;
    at = skip_spaces(at + name.size());
    close_sign = '\0';
    if (at < source_.size() && (source_[at] == '-' || source_[at] == '+'))
      close_sign = source_[at++];
    if (source_.compare(at, 2, "%}") != 0) return std::string::npos;
    return at + 2;
  }

  bool read_raw(std::size_t opener, std::size_t content) {
    char close_sign = '\0';
    const std::size_t after = match_tag_named(content, "raw", close_sign);
    if (after == std::string::npos || close_sign == '+') return false;
    // jinja2 applies no trim_blocks after {% raw %}.
    std::size_t body = close_sign == '-' ? skip_spaces(after) : after;
    line_starting_ = body > 0 && source_[body - 1] == '\n';
    for (std::size_t at = source_.find("{%", body); at != std::string::npos;
         at = source_.find("{%", at + 1)) {
      char sign = '\0';
      std::size_t name_at = at + 2;
      if (name_at < source_.size() && (source_[name_at] == '-' || source_[name_at] == '+'))
        sign = source_[name_at++];
      char end_sign = '\0';
      const std::size_t end_after = match_tag_named(name_at, "endraw", end_sign);
      if (end_after == std::string::npos) continue;
      add_text(stripped_text(source_.substr(body, at - body), sign, true), body);
      position_ = finish_tag(end_after, end_sign, /*trim=*/true);
      return true;
    }
    fail("the raw block is not closed: '{% endraw %}' is missing", opener);
  }

  void read_tag(std::size_t opener, std::size_t content, bool block) {
    add(block ? TokenKind::block_begin : TokenKind::variable_begin, block ? "{%" : "{{", opener);
    std::vector<char> open_brackets;
    std::size_t at = content;
    while (true) {
      at = skip_spaces(at);
      if (at >= source_.size()) {
        fail(std::string("the '") + (block ? "{%" : "{{") + "' tag is not closed: expected '" +
                 (block ? "%}" : "}}") + "' before the end of the template",
             opener);
      }
      if (open_brackets.empty()) {
        const std::string_view close = block ? "%}" : "}}";
        char sign = '\0';
        std::size_t close_at = at;
        if ((source_[at] == '-' || (block && source_[at] == '+')) &&
            source_.compare(at + 1, 2, close) == 0) {
          sign = source_[at];
          close_at = at + 1;
        }
        if (source_.compare(close_at, 2, close) == 0) {
          add(block ? TokenKind::block_end : TokenKind::variable_end, std::string(close), at);
          position_ = finish_tag(close_at + 2, sign, block);
          return;
        }
      }
      const char c = source_[at];
      if (is_digit(c)) {
        at = read_number(at);
      } else if (is_name_start(c)) {
        const std::size_t start = at;
        while (at < source_.size() && is_name_char(source_[at])) ++at;
        add(TokenKind::name, source_.substr(start, at - start), start);
      } else if (c == '\'' || c == '"') {
        at = read_string(at);
      } else {
        std::string_view spelling;
        for (const std::string_view candidate : kOperators) {
          if (source_.compare(at, candidate.size(), candidate) == 0) {
            spelling = candidate;
            break;
          }
        }
        if (spelling.empty() || spelling == "!") {
          const auto code_points = to_code_points(std::string_view(source_).substr(at, 4));
          std::string shown;
          append_utf8(shown, code_points.empty() ? U'?' : code_points[0]);
          fail("unexpected character '" + shown + "' inside a tag", at);
        }
        if (spelling == "(" || spelling == "[" || spelling == "{") {
          open_brackets.push_back(spelling == "(" ? ')' : spelling == "[" ? ']' : '}');
        } else if (spelling == ")" || spelling == "]" || spelling == "}") {
          if (open_brackets.empty()) fail("unexpected '" + std::string(spelling) + "'", at);
          if (open_brackets.back() != spelling[0]) {
            fail("unexpected '" + std::string(spelling) + "', expected '" +
                     std::string(1, open_brackets.back()) + "'",
                 at);
          }
          open_brackets.pop_back();
        }
        add(TokenKind::operator_, std::string(spelling), at);
        at += spelling.size();
      }
    }
  }

  std::size_t read_digits(std::size_t at, std::string& digits) const {
    while (at < source_.size()) {
      if (is_digit(source_[at])) {
        digits += source_[at++];
      } else if (source_[at] == '_' && at + 1 < source_.size() && is_digit(source_[at + 1]) &&
                 !digits.empty()) {
        ++at;
      } else {
        break;
      }
    }
    return at;
  }

  std::size_t read_number(std::size_t start) {
    std::size_t at = start;
    if (source_[at] == '0' && at + 1 < source_.size() &&
        (source_[at + 1] == 'x' || source_[at + 1] == 'X')) {
      at += 2;
      std::uint64_t value = 0;
      const std::size_t digits_start = at;
      for (; at < source_.size() && (hex_value(source_[at]) >= 0 || source_[at] == '_'); ++at) {
        if (source_[at] == '_') continue;
        if (value > (std::numeric_limits<std::uint64_t>::max() >> 4))
          fail("the integer is too large", start);
        value = value * 16 + static_cast<std::uint64_t>(hex_value(source_[at]));
      }
      if (at == digits_start) fail("a hexadecimal integer needs digits", start);
      if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        fail("the integer is too large", start);
      Token token;
      token.kind = TokenKind::integer;
      token.integer = static_cast<std::int64_t>(value);
      token.text = source_.substr(start, at - start);
      token.position = position_of(start);
      tokens_.push_back(std::move(token));
      return at;
    }
    std::string digits;
    at = read_digits(at, digits);
    bool is_float = false;
    const bool after_dot = start > 0 && source_[start - 1] == '.';
    if (!after_dot && at + 1 < source_.size() && source_[at] == '.' && is_digit(source_[at + 1])) {
      digits += '.';
      at = read_digits(at + 1, digits);
      is_float = true;
    }
    if (!after_dot && at < source_.size() && (source_[at] == 'e' || source_[at] == 'E')) {
      std::size_t exponent = at + 1;
      std::string exponent_text = "e";
      if (exponent < source_.size() && (source_[exponent] == '+' || source_[exponent] == '-'))
        exponent_text += source_[exponent++];
      if (exponent < source_.size() && is_digit(source_[exponent])) {
        std::string exponent_digits;
        at = read_digits(exponent, exponent_digits);
        digits += exponent_text + exponent_digits;
        is_float = true;
      }
    }
    Token token;
    token.position = position_of(start);
    token.text = source_.substr(start, at - start);
    if (is_float) {
      token.kind = TokenKind::floating;
      // strtod, not stod: beyond double's range Python gives inf or 0, stod throws.
      token.floating = std::strtod(digits.c_str(), nullptr);
    } else {
      token.kind = TokenKind::integer;
      const std::size_t first_nonzero = std::min(digits.find_first_not_of('0'), digits.size());
      const std::string significant = digits.substr(first_nonzero);
      if (significant.size() > 19 ||
          (significant.size() == 19 && significant > "9223372036854775807"))
        fail("the integer " + token.text + " is too large (integers here are 64-bit)", start);
      token.integer = significant.empty() ? 0 : std::stoll(significant);
    }
    tokens_.push_back(std::move(token));
    return at;
  }

  // A quoted string with Python's escapes (\n, \t, \\, \', \", \xhh, \uhhhh, \Uhhhhhhhh,
  // octal); an unknown escape keeps its backslash.
  std::size_t read_string(std::size_t start) {
    const char quote = source_[start];
    std::string value;
    std::size_t at = start + 1;
    while (true) {
      if (at >= source_.size())
        fail("the string is not closed: a " + std::string(1, quote) + " is missing", start);
      const char c = source_[at];
      if (c == quote) break;
      if (c != '\\') {
        value += c;
        ++at;
        continue;
      }
      if (at + 1 >= source_.size()) fail("the string is not closed", start);
      const char escaped = source_[at + 1];
      at += 2;
      switch (escaped) {
        case '\n':
          break;
        case '\\':
          value += '\\';
          break;
        case '\'':
          value += '\'';
          break;
        case '"':
          value += '"';
          break;
        case 'a':
          value += '\a';
          break;
        case 'b':
          value += '\b';
          break;
        case 'f':
          value += '\f';
          break;
        case 'n':
          value += '\n';
          break;
        case 'r':
          value += '\r';
          break;
        case 't':
          value += '\t';
          break;
        case 'v':
          value += '\v';
          break;
        case 'x':
        case 'u':
        case 'U': {
          const int length = escaped == 'x' ? 2 : escaped == 'u' ? 4 : 8;
          char32_t code_point = 0;
          for (int index = 0; index < length; ++index) {
            const int digit = at < source_.size() ? hex_value(source_[at]) : -1;
            if (digit < 0) {
              fail(std::string("truncated \\") + escaped + " escape in the string", start);
            }
            code_point = code_point * 16 + static_cast<char32_t>(digit);
            ++at;
          }
          if (code_point > 0x10FFFF) fail("the escape names no Unicode character", start);
          append_utf8(value, code_point);
          break;
        }
        default:
          if (escaped >= '0' && escaped <= '7') {
            char32_t code_point = static_cast<char32_t>(escaped - '0');
            for (int index = 0;
                 index < 2 && at < source_.size() && source_[at] >= '0' && source_[at] <= '7';
                 ++index) {
              code_point = code_point * 8 + static_cast<char32_t>(source_[at++] - '0');
            }
            append_utf8(value, code_point);
          } else {
            value += '\\';
            value += escaped;
          }
      }
    }
    add(TokenKind::string, std::move(value), start);
    return at + 1;
  }

  std::string source_;
  LexerOptions options_;
  std::vector<std::size_t> line_starts_;
  mutable std::size_t counted_line_ = 0;  // position_of's place: line, offset, columns
  mutable std::size_t counted_offset_ = 0;
  mutable std::size_t counted_columns_ = 0;
  std::vector<Token> tokens_;
  std::size_t position_ = 0;
  bool line_starting_ = true;
};

}  // namespace

std::vector<Token> tokenize(std::string_view source, const LexerOptions& options) {
  return Lexer(normalize_newlines(source), options).run();
}

std::string describe(const Token& token) {
  switch (token.kind) {
    case TokenKind::text:
      return "template text";
    case TokenKind::variable_begin:
      return "'{{'";
    case TokenKind::variable_end:
      return "'}}'";
    case TokenKind::block_begin:
      return "'{%'";
    case TokenKind::block_end:
      return "'%}'";
    case TokenKind::name:
      return "'" + token.text + "'";
    case TokenKind::string:
      return "a string";
    case TokenKind::integer:
    case TokenKind::floating:
      return "the number " + token.text;
    case TokenKind::operator_:
      return "'" + token.text + "'";
    default:
      return "the end of the template";
  }
}

}  // namespace paddock::serve::jinja
