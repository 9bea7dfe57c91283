// Training checkpoints under a directory (usually work_dir()/checkpoints):
//
//   step-N/            one complete checkpoint (model/, parameters.pt, optimizer.pt,
//                      rng.txt, state.json, and whatever the learner adds)
//   latest             "step-N", rewritten last, after step-N/ is complete
//
// A checkpoint is written into .partial-step-N/ and renamed into place, so a kill at any
// moment leaves either the previous checkpoint or the new one, never half of one.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace paddock::learning {

class CheckpointStore {
 public:
  // `keep` complete checkpoints are kept; older ones are removed after a new one lands.
  explicit CheckpointStore(std::filesystem::path root, std::int64_t keep = 2);

  const std::filesystem::path& root() const { return root_; }

  // Calls `write(directory)` to fill a fresh temporary directory, then publishes it as
  // step-N and points `latest` at it. Returns the final directory.
  std::filesystem::path save(std::int64_t step,
                             const std::function<void(const std::filesystem::path&)>& write);

  // The newest complete checkpoint: the one `latest` names, or, when the marker is missing
  // or stale (a kill between the rename and the marker), the highest complete step-N/.
  std::optional<std::filesystem::path> latest() const;

  // The step a checkpoint directory holds (from its name).
  static std::int64_t step_of(const std::filesystem::path& directory);

 private:
  void remove_old();

  std::filesystem::path root_;
  std::int64_t keep_;
};

// Writes a small text file through a temporary file and a rename.
void write_file_atomically(const std::filesystem::path& file, const std::string& text);
std::string read_whole_file(const std::filesystem::path& file);

}  // namespace paddock::learning
