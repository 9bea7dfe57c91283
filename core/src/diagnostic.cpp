// Formatting of located diagnostics and "did you mean" suggestions.
#include "paddock/core/diagnostic.hpp"

#include <algorithm>
#include <numeric>

namespace paddock::core {
namespace {

std::string join_diagnostics(const std::vector<Diagnostic>& diagnostics) {
  std::string text;
  for (const Diagnostic& diagnostic : diagnostics) {
    if (!text.empty()) text += '\n';
    text += format_diagnostic(diagnostic);
  }
  return text;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> previous(b.size() + 1), current(b.size() + 1);
  std::iota(previous.begin(), previous.end(), 0);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

}  // namespace

std::string format_diagnostic(const Diagnostic& diagnostic) {
  std::string text;
  if (!diagnostic.location.file.empty()) {
    text += diagnostic.location.file;
    if (diagnostic.location.line > 0) {
      text += ":" + std::to_string(diagnostic.location.line);
      if (diagnostic.location.column > 0) text += ":" + std::to_string(diagnostic.location.column);
    }
    text += ": ";
  }
  text += "error: ";
  if (!diagnostic.node.empty()) {
    text += "node '" + diagnostic.node + "'";
    if (!diagnostic.plugin.empty()) text += " (plugin '" + diagnostic.plugin + "')";
    text += ": ";
  }
  return text + diagnostic.message;
}

PipelineError::PipelineError(std::vector<Diagnostic> diagnostics)
    : Error(join_diagnostics(diagnostics)), diagnostics_(std::move(diagnostics)) {}

std::string suggest_name(const std::string& wrong, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, wrong.size() / 3) + 1;
  for (const std::string& candidate : candidates) {
    const std::size_t distance = edit_distance(wrong, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best.empty() ? std::string() : "did you mean '" + best + "'?";
}

}  // namespace paddock::core
