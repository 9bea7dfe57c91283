// One `paddock run` per workdir: an exclusive flock() on WORKDIR/.paddock.lock held for the
// whole run. The kernel releases it when the process ends however it ends (kill -9
// included), so a crash never leaves a stale lock; the file holds the owner's pid for the
// refusal message.
#pragma once

#include <filesystem>

namespace paddock::core {

class WorkdirLock {
 public:
  // Creates the workdir when needed and takes the lock. Throws paddock::Error with a
  // sentence naming the workdir (and the other run's pid) when another process holds it.
  explicit WorkdirLock(const std::filesystem::path& workdir);
  ~WorkdirLock();
  WorkdirLock(const WorkdirLock&) = delete;
  WorkdirLock& operator=(const WorkdirLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace paddock::core
