// A Jinja template, parsed once and rendered many times (from several threads at once): the
// engine behind Hugging Face chat templates in `paddock serve`. It follows jinja2 as Hugging
// Face configures it (trim_blocks, lstrip_blocks, loop controls, a sandbox without
// mutation); see docs/serve.md for what is supported.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "jinja_ast.hpp"
#include "jinja_error.hpp"
#include "jinja_render.hpp"
#include "jinja_value.hpp"

namespace paddock::serve::jinja {

class Template {
 public:
  // Throws JinjaError (syntax) with the line and column of the problem.
  explicit Template(std::string_view source) : body_(std::make_shared<const Body>(parse(source))) {}

  // Throws JinjaError (raised or render).
  std::string render(const Variables& variables, const RenderLimits& limits = {}) const {
    return jinja::render(*body_, variables, limits);
  }

 private:
  static Body parse(std::string_view source);

  std::shared_ptr<const Body> body_;
};

}  // namespace paddock::serve::jinja
