// Loading the model `paddock serve` serves: a checkpoint directory read by the model backend
// its paddock_model.json names (or the one given), through the plugins' registered loaders,
// so the host itself needs no LibTorch and any backend with TextGenerator can be served.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "paddock/core/plugin_registry.hpp"
#include "paddock/model.hpp"

namespace paddock::serve {

struct LoadedModel {
  std::shared_ptr<Model> model;
  std::string backend;
};

// `backend` empty: the one in DIRECTORY/paddock_model.json, else "transformer".
LoadedModel load_served_model(const core::PluginRegistry& registry,
                              const std::filesystem::path& directory, std::string backend,
                              const std::string& device);

}  // namespace paddock::serve
