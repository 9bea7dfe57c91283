// Atomic checkpoint directories with a `latest` marker.
#include "paddock/learning/checkpoint_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "paddock/error.hpp"

namespace paddock::learning {
namespace fs = std::filesystem;
namespace {

constexpr const char* kStepPrefix = "step-";
constexpr const char* kCompleteFile = "state.json";

bool is_complete(const fs::path& directory) {
  return fs::is_directory(directory) && fs::exists(directory / kCompleteFile);
}

// Flushes a file or directory to disk; best effort (some filesystems refuse directories).
void sync_path(const fs::path& path) {
  const int descriptor = ::open(path.c_str(), O_RDONLY);
  if (descriptor < 0) return;
  ::fsync(descriptor);
  ::close(descriptor);
}

std::vector<fs::path> complete_steps(const fs::path& root) {
  std::vector<fs::path> steps;
  if (!fs::is_directory(root)) return steps;
  for (const auto& entry : fs::directory_iterator(root)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kStepPrefix, 0) == 0 && is_complete(entry.path())) steps.push_back(entry.path());
  }
  std::sort(steps.begin(), steps.end(), [](const fs::path& a, const fs::path& b) {
    return CheckpointStore::step_of(a) < CheckpointStore::step_of(b);
  });
  return steps;
}

}  // namespace

void write_file_atomically(const fs::path& file, const std::string& text) {
  const fs::path temporary = file.string() + ".partial";
  {
    std::ofstream stream(temporary, std::ios::binary | std::ios::trunc);
    stream << text;
    stream.flush();
    if (!stream) throw Error("could not write " + temporary.string());
  }
  sync_path(temporary);
  fs::rename(temporary, file);
  sync_path(file.parent_path());
}

std::string read_whole_file(const fs::path& file) {
  std::ifstream stream(file, std::ios::binary);
  if (!stream) throw Error("could not read " + file.string());
  std::ostringstream text;
  text << stream.rdbuf();
  return text.str();
}

CheckpointStore::CheckpointStore(fs::path root, std::int64_t keep)
    : root_(std::move(root)), keep_(std::max<std::int64_t>(1, keep)) {}

std::int64_t CheckpointStore::step_of(const fs::path& directory) {
  const std::string name = directory.filename().string();
  try {
    return std::stoll(name.substr(std::string(kStepPrefix).size()));
  } catch (const std::exception&) {
    throw Error("not a checkpoint directory: " + directory.string());
  }
}

fs::path CheckpointStore::save(std::int64_t step,
                               const std::function<void(const fs::path&)>& write) {
  fs::create_directories(root_);
  const std::string name = kStepPrefix + std::to_string(step);
  const fs::path partial = root_ / (".partial-" + name);
  const fs::path final_directory = root_ / name;
  fs::remove_all(partial);
  fs::create_directories(partial);
  write(partial);  // state.json, the completeness mark, is written by `write` last
  if (!fs::exists(partial / kCompleteFile))
    throw Error("checkpoint writer left no " + std::string(kCompleteFile) + " in " +
                partial.string());
  sync_path(partial);
  fs::remove_all(final_directory);
  fs::rename(partial, final_directory);
  sync_path(root_);
  write_file_atomically(root_ / "latest", name + "\n");
  remove_old();
  return final_directory;
}

std::optional<fs::path> CheckpointStore::latest() const {
  const fs::path marker = root_ / "latest";
  std::optional<fs::path> named;
  if (fs::exists(marker)) {
    std::string name = read_whole_file(marker);
    while (!name.empty() && (name.back() == '\n' || name.back() == '\r')) name.pop_back();
    if (is_complete(root_ / name)) named = root_ / name;
  }
  const auto steps = complete_steps(root_);
  if (steps.empty()) return named;
  // A newer complete directory than the marker names means the kill came between the
  // rename and the marker; the directory is whole, so use it.
  if (!named || step_of(steps.back()) > step_of(*named)) return steps.back();
  return named;
}

void CheckpointStore::remove_old() {
  auto steps = complete_steps(root_);
  while (static_cast<std::int64_t>(steps.size()) > keep_) {
    fs::remove_all(steps.front());
    steps.erase(steps.begin());
  }
}

}  // namespace paddock::learning
