// Saving artifacts into a node's output directory and loading them back.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "paddock/artifact.hpp"
#include "paddock/core/plugin_registry.hpp"

namespace paddock::core {

// Whether an artifact type is written to disk between runs (Annotators are not: the node
// that makes one runs again when needed).
bool is_persistable(std::string_view artifact_type);

void save_artifact(const Artifact& artifact, const std::filesystem::path& directory);

std::shared_ptr<Artifact> load_artifact(std::string_view artifact_type,
                                        const std::filesystem::path& directory,
                                        const PluginRegistry& registry, const std::string& device);

}  // namespace paddock::core
