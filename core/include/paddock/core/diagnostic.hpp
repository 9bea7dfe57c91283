// Located error messages for pipelines and plugins: "file:line:col: error: node 'x' (plugin
// 'p' 1.0): what went wrong".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "paddock/error.hpp"

namespace paddock::core {

struct SourceLocation {
  std::string file;
  std::uint32_t line = 0;  // 1-based; 0 when unknown
  std::uint32_t column = 0;
};

struct Diagnostic {
  SourceLocation location;
  std::string node;    // empty when not about a node
  std::string plugin;  // "name version", empty when unknown
  std::string message;
};

std::string format_diagnostic(const Diagnostic& diagnostic);

// Thrown when a pipeline does not parse or validate; carries every problem found.
class PipelineError : public Error {
 public:
  explicit PipelineError(std::vector<Diagnostic> diagnostics);
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

// "did you mean 'x'?" for a misspelt name, or an empty string when nothing is close.
std::string suggest_name(const std::string& wrong, const std::vector<std::string>& candidates);

}  // namespace paddock::core
