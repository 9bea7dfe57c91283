// Rendering a parsed Jinja template: statements run, expressions evaluated with Python's
// semantics, under limits so a hostile template cannot run for long or grow without bound.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "jinja_ast.hpp"

namespace paddock::serve::jinja {

struct RenderLimits {
  std::size_t max_output_bytes = 8u << 20;  // also the largest string an expression may make
  std::int64_t max_steps = 1'000'000;       // statements run, loop iterations and calls
  int max_call_depth = 64;                  // nested macro calls
};

using Variables = std::vector<std::pair<std::string, Value>>;

// The text of `body` with `variables` (and the global functions) in scope. Throws JinjaError:
// raised from raise_exception(), render otherwise, with the line and column.
std::string render(const Body& body, const Variables& variables, const RenderLimits& limits = {});

}  // namespace paddock::serve::jinja
