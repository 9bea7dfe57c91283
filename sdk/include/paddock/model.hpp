// Model: a loaded model backend. The base interface is what every backend has (persistence
// and a list of capabilities); capabilities such as generation, log-prob scoring, reward
// and training are separate interfaces a backend also implements, found with as<T>().
// New capabilities are new interfaces, so adding one never breaks an existing plugin.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "paddock/artifact.hpp"

namespace paddock {

class PADDOCK_API Model : public Artifact {
 public:
  ~Model() override;
  std::string_view type_name() const override { return artifact_type::kModel; }

  // The name of the backend that can load this model again (see ModelBackendSpec).
  virtual std::string backend() const = 0;
  virtual std::vector<std::string> capabilities() const = 0;
  // Writes a checkpoint directory that the backend's loader reads back.
  virtual void save(const std::filesystem::path& directory) const = 0;
  // Since ABI 2.0. Sentences a host shows when it has loaded the model: what its user should
  // know about the checkpoint (a padded vocabulary whose extra ids are never sampled, ...).
  virtual std::vector<std::string> load_notes() const { return {}; }

  template <class Capability>
  Capability* as() {
    return dynamic_cast<Capability*>(this);
  }
  template <class Capability>
  const Capability* as() const {
    return dynamic_cast<const Capability*>(this);
  }
};

// What the host needs to load a persisted Model: the backend's name and its loader. The
// host writes `paddock_model.json` ({"backend": NAME}) beside every saved checkpoint.
struct ModelBackendSpec {
  std::string name;
  std::string description;
  std::shared_ptr<Model> (*load)(const std::filesystem::path& directory, const std::string& device);
};

}  // namespace paddock
