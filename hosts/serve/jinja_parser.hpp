// Parsing Jinja tokens into statements and expressions, with jinja2's grammar and operator
// precedence (filters and tests bind tighter than arithmetic; `**` groups to the left).
// Unknown tags, filters and tests are syntax errors, as jinja2 reports them when it
// compiles a template.
#pragma once

#include <string_view>

#include "jinja_ast.hpp"
#include "jinja_lexer.hpp"

namespace paddock::serve::jinja {

// Throws JinjaError (syntax) with the line and column and what was expected.
Body parse_template(std::string_view source, const LexerOptions& options = {});

}  // namespace paddock::serve::jinja
