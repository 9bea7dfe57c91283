// Persistence of artifacts: Datasets as data.jsonl, Reports as report.json, Models as the
// backend's checkpoint directory plus paddock_model.json naming the backend.
#include "paddock/core/artifact_store.hpp"

#include "paddock/core/files.hpp"
#include "paddock/dataset.hpp"
#include "paddock/model.hpp"
#include "paddock/report.hpp"

namespace paddock::core {
namespace {

constexpr const char* kDatasetFile = "data.jsonl";
constexpr const char* kReportFile = "report.json";
constexpr const char* kModelManifest = "paddock_model.json";

}  // namespace

bool is_persistable(std::string_view artifact_type) {
  return artifact_type == artifact_type::kDataset || artifact_type == artifact_type::kReport ||
         artifact_type == artifact_type::kModel;
}

void save_artifact(const Artifact& artifact, const std::filesystem::path& directory) {
  std::filesystem::create_directories(directory);
  if (auto* dataset = dynamic_cast<const Dataset*>(&artifact)) {
    dataset->save_jsonl(directory / kDatasetFile);
  } else if (auto* report = dynamic_cast<const Report*>(&artifact)) {
    write_file_atomically(directory / kReportFile, report->content().dump(2) + "\n");
  } else if (auto* model = dynamic_cast<const Model*>(&artifact)) {
    model->save(directory);
    write_file_atomically(directory / kModelManifest,
                          nlohmann::json{{"backend", model->backend()}}.dump(2) + "\n");
  } else {
    throw Error("cannot persist an artifact of type " + std::string(artifact.type_name()));
  }
}

std::shared_ptr<Artifact> load_artifact(std::string_view artifact_type,
                                        const std::filesystem::path& directory,
                                        const PluginRegistry& registry, const std::string& device) {
  if (artifact_type == artifact_type::kDataset) {
    return std::make_shared<Dataset>(Dataset::load(directory / kDatasetFile));
  }
  if (artifact_type == artifact_type::kReport) {
    const auto file = directory / kReportFile;
    try {
      return std::make_shared<Report>(nlohmann::ordered_json::parse(read_file(file)));
    } catch (const nlohmann::json::exception& error) {
      throw Error(file.string() + ": not a valid report: " + error.what());
    }
  }
  if (artifact_type == artifact_type::kModel) {
    const auto manifest_file = directory / kModelManifest;
    std::string backend;
    try {
      backend = nlohmann::json::parse(read_file(manifest_file)).at("backend").get<std::string>();
    } catch (const nlohmann::json::exception& error) {
      throw Error(manifest_file.string() + ": not a valid model manifest: " + error.what());
    }
    const ModelBackendSpec* spec = registry.find_model_backend(backend);
    if (!spec) {
      throw Error(manifest_file.string() + ": model backend '" + backend +
                  "' is not provided by any loaded plugin");
    }
    return spec->load(directory, device);
  }
  throw Error("artifacts of type " + std::string(artifact_type) + " are not persisted");
}

}  // namespace paddock::core
