// Splitting Jinja template text into tokens: text between tags, and the names, literals and
// operators inside {{ }} and {% %}. Comments {# #} are dropped. Whitespace control works as
// jinja2's lexer applies it: '-' on a tag strips the whitespace on that side, '+' keeps it,
// trim_blocks drops the first newline after a block or comment tag, lstrip_blocks drops the
// spaces and tabs between a line's start and a block or comment tag. Like jinja2, newlines
// are normalized to "\n" and one trailing newline of the template is dropped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "jinja_error.hpp"

namespace paddock::serve::jinja {

enum class TokenKind {
  text,            // template text to print as it is
  variable_begin,  // {{
  variable_end,    // }}
  block_begin,     // {%
  block_end,       // %}
  name,
  string,  // the value, escapes resolved
  integer,
  floating,
  operator_,  // + - * / // % ** ~ == != < <= > >= = . , : | ( ) [ ] { } ;
  end,        // after the last token
};

struct Token {
  TokenKind kind = TokenKind::end;
  std::string text;  // text, name, string value or operator spelling
  std::int64_t integer = 0;
  double floating = 0;
  SourcePosition position;
};

struct LexerOptions {
  bool trim_blocks = true;  // as Hugging Face renders chat templates
  bool lstrip_blocks = true;
};

// Throws JinjaError (syntax) with the line and column of what could not be read.
std::vector<Token> tokenize(std::string_view source, const LexerOptions& options = {});

// How a token is named in "expected ..." messages.
std::string describe(const Token& token);

}  // namespace paddock::serve::jinja
