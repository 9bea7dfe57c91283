// load_served_model: finding the backend and checking the model can generate.
#include "served_model.hpp"

#include <nlohmann/json.hpp>

#include "paddock/capabilities.hpp"
#include "paddock/core/files.hpp"
#include "paddock/error.hpp"

namespace paddock::serve {

LoadedModel load_served_model(const core::PluginRegistry& registry,
                              const std::filesystem::path& directory, std::string backend,
                              const std::string& device) {
  if (!std::filesystem::is_directory(directory))
    throw Error(directory.string() + ": not a directory; give a model checkpoint directory");
  const auto manifest = directory / "paddock_model.json";
  if (backend.empty() && std::filesystem::exists(manifest)) {
    try {
      backend = nlohmann::json::parse(core::read_file(manifest)).at("backend").get<std::string>();
    } catch (const nlohmann::json::exception& error) {
      throw Error(manifest.string() + ": " + error.what());
    }
  }
  if (backend.empty()) backend = "transformer";
  const ModelBackendSpec* spec = registry.find_model_backend(backend);
  if (spec == nullptr) {
    std::string known;
    for (const auto& plugin : registry.plugins())
      for (const auto& name : plugin->model_backends) known += (known.empty() ? "" : ", ") + name;
    throw Error("no loaded plugin provides the model backend '" + backend +
                "' (loaded: " + (known.empty() ? "none" : known) + "); check --plugin-path");
  }
  LoadedModel loaded;
  loaded.backend = backend;
  loaded.model = spec->load(directory, device);
  if (!loaded.model || loaded.model->as<TextGenerator>() == nullptr) {
    throw Error("the '" + backend + "' model in " + directory.string() +
                " cannot generate text (no TextGenerator capability), so it cannot be served");
  }
  return loaded;
}

}  // namespace paddock::serve
