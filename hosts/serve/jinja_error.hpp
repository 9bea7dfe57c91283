// The one error type of the Jinja engine (jinja_*.cpp): what went wrong and where in the
// template. Syntax errors come from the lexer and parser; render errors from evaluating a
// template; raised errors from the template's own raise_exception("...").
#pragma once

#include <stdexcept>
#include <string>

namespace paddock::serve::jinja {

struct SourcePosition {
  int line = 0;  // 1-based; 0: unknown
  int column = 0;
};

class JinjaError : public std::runtime_error {
 public:
  enum class Kind { syntax, render, raised };

  JinjaError(Kind kind, std::string message, SourcePosition position = {})
      : std::runtime_error(located(message, position)),
        kind_(kind),
        message_(std::move(message)),
        position_(position) {}

  Kind kind() const { return kind_; }
  // Without the position.
  const std::string& message() const { return message_; }
  const SourcePosition& position() const { return position_; }
  bool has_position() const { return position_.line > 0; }
  // The same error, placed at `position` (used where an error surfaces without one).
  JinjaError at(SourcePosition position) const { return JinjaError(kind_, message_, position); }

 private:
  static std::string located(const std::string& message, SourcePosition position) {
    if (position.line <= 0) return message;
    return std::to_string(position.line) + ":" + std::to_string(position.column) + ": " + message;
  }

  Kind kind_;
  std::string message_;
  SourcePosition position_;
};

// A render error at no particular place yet; the renderer adds the position of the
// expression or statement being evaluated.
inline JinjaError render_error(std::string message) {
  return JinjaError(JinjaError::Kind::render, std::move(message));
}

}  // namespace paddock::serve::jinja
