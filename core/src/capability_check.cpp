// Model capabilities against a port's declaration.
#include "paddock/core/capability_check.hpp"

#include <algorithm>

#include "paddock/model.hpp"

namespace paddock::core {

std::string missing_capabilities(const Artifact& artifact, const std::vector<std::string>& wanted) {
  const auto* model = dynamic_cast<const Model*>(&artifact);
  if (!model) return "";
  const std::vector<std::string> has = model->capabilities();
  std::string missing;
  for (const auto& capability : wanted) {
    if (std::find(has.begin(), has.end(), capability) == has.end())
      missing += (missing.empty() ? "" : ", ") + capability;
  }
  return missing;
}

std::string listed_capabilities(const Artifact& artifact) {
  const auto* model = dynamic_cast<const Model*>(&artifact);
  if (!model) return "";
  std::string text;
  for (const auto& capability : model->capabilities())
    text += (text.empty() ? "" : ", ") + capability;
  return text.empty() ? "none" : text;
}

}  // namespace paddock::core
