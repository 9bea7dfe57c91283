// Parsing Jinja tokens into statements and expressions, with jinja2's grammar and operator
// precedence (filters and tests bind tighter than arithmetic; `**` groups to the left).
// Unknown tags, filters and tests are syntax errors, as jinja2 reports them when it
// compiles a template.
#pragma once

#include <string_view>

#include "jinja_ast.hpp"
#include "jinja_lexer.hpp"

namespace paddock::serve::jinja {

// How deeply a template may nest: brackets, unary operators, operator and filter chains
// (`a ~ b ~ c` is two levels) and blocks. Evaluating and freeing a template recurse once per
// level, so a template from an untrusted checkpoint must not choose the depth.
inline constexpr int kMaxTemplateNesting = 256;

// Throws JinjaError (syntax) with the line and column and what was expected.
Body parse_template(std::string_view source, const LexerOptions& options = {});

}  // namespace paddock::serve::jinja
