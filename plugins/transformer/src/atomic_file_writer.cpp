// Temporary file + fsync + rename, written incrementally so large checkpoints need no copy
// in memory.
#include "paddock/transformer/atomic_file_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

#include "paddock/error.hpp"

namespace paddock::transformer {
namespace {

std::string errno_text() {
  return std::strerror(errno);
}

std::filesystem::path temporary_path_for(const std::filesystem::path& destination) {
  static std::atomic<unsigned> counter{0};
  return destination.parent_path() /
         ("." + destination.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
          std::to_string(counter.fetch_add(1)));
}

}  // namespace

AtomicFileWriter::AtomicFileWriter(std::filesystem::path destination)
    : destination_(std::move(destination)), temporary_(temporary_path_for(destination_)) {
  fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw Error("cannot write " + destination_.string() + " (temporary " + temporary_.string() +
                "): " + errno_text());
  }
}

AtomicFileWriter::~AtomicFileWriter() {
  abandon();
}

void AtomicFileWriter::write(std::string_view text) {
  write(std::as_bytes(std::span<const char>(text.data(), text.size())));
}

void AtomicFileWriter::write(std::span<const std::byte> bytes) {
  if (fd_ < 0) throw Error("cannot write " + destination_.string() + ": the writer is closed");
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string reason = errno_text();
      abandon();
      throw Error("cannot write " + destination_.string() + ": " + reason);
    }
    written += static_cast<std::size_t>(n);
  }
}

void AtomicFileWriter::commit() {
  if (fd_ < 0) throw Error("cannot commit " + destination_.string() + ": the writer is closed");
  if (::fsync(fd_) != 0) {
    const std::string reason = errno_text();
    abandon();
    throw Error("cannot flush " + destination_.string() + ": " + reason);
  }
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) {
    const std::string reason = errno_text();
    ::unlink(temporary_.c_str());
    throw Error("cannot close " + destination_.string() + ": " + reason);
  }
  if (::rename(temporary_.c_str(), destination_.c_str()) != 0) {
    const std::string reason = errno_text();
    ::unlink(temporary_.c_str());
    throw Error("cannot rename " + temporary_.string() + " to " + destination_.string() + ": " +
                reason);
  }
  // Make the rename itself durable.
  const std::filesystem::path directory =
      destination_.parent_path().empty() ? "." : destination_.parent_path();
  const int directory_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (directory_fd >= 0) {
    ::fsync(directory_fd);
    ::close(directory_fd);
  }
}

void AtomicFileWriter::abandon() noexcept {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
    ::unlink(temporary_.c_str());
  }
}

}  // namespace paddock::transformer
