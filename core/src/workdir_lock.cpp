// The workdir lock of `paddock run`.
#include "paddock/core/workdir_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "paddock/error.hpp"

namespace paddock::core {
namespace {

constexpr const char* kLockFile = ".paddock.lock";

// The pid the holder wrote, for the message; empty when unreadable.
std::string holder_of(int fd) {
  char text[32] = {};
  const ssize_t got = ::pread(fd, text, sizeof text - 1, 0);
  if (got <= 0) return "";
  std::string pid(text, static_cast<std::size_t>(got));
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid.find_first_not_of("0123456789") == std::string::npos ? pid : "";
}

}  // namespace

WorkdirLock::WorkdirLock(const std::filesystem::path& workdir) {
  std::filesystem::create_directories(workdir);
  const std::filesystem::path file = workdir / kLockFile;
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw Error("cannot open the workdir lock " + file.string() + ": " + std::strerror(errno));
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    const std::string holder = error == EWOULDBLOCK ? holder_of(fd_) : "";
    ::close(fd_);
    fd_ = -1;
    if (error == EWOULDBLOCK) {
      throw Error("another `paddock run`" + (holder.empty() ? "" : " (pid " + holder + ")") +
                  " is using the workdir " + workdir.string() +
                  "; wait for it to finish, or give this run another workdir "
                  "(--set pipeline.workdir=DIR)");
    }
    throw Error("cannot lock the workdir " + workdir.string() + ": " + std::strerror(error));
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) == 0) {
    [[maybe_unused]] const ssize_t written = ::pwrite(fd_, pid.data(), pid.size(), 0);
  }
}

WorkdirLock::~WorkdirLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

}  // namespace paddock::core
