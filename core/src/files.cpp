// Atomic file writes (temporary file, fsync, rename) and whole-file reads.
#include "paddock/core/files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "paddock/error.hpp"

namespace paddock::core {
namespace {

std::string system_error_text() {
  return std::strerror(errno);
}

}  // namespace

void write_file_atomically(const std::filesystem::path& file, std::string_view content) {
  const std::filesystem::path temporary =
      file.parent_path() / ("." + file.filename().string() + ".tmp-" + std::to_string(::getpid()));
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error("cannot write " + temporary.string() + ": " + system_error_text());
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string reason = system_error_text();
      ::close(fd);
      ::unlink(temporary.c_str());
      throw Error("cannot write " + temporary.string() + ": " + reason);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const std::string reason = system_error_text();
    ::unlink(temporary.c_str());
    throw Error("cannot flush " + temporary.string() + ": " + reason);
  }
  if (::rename(temporary.c_str(), file.c_str()) != 0) {
    const std::string reason = system_error_text();
    ::unlink(temporary.c_str());
    throw Error("cannot rename " + temporary.string() + " to " + file.string() + ": " + reason);
  }
}

std::string read_file(const std::filesystem::path& file) {
  std::ifstream stream(file, std::ios::binary);
  if (!stream) throw Error("cannot open " + file.string() + ": " + system_error_text());
  std::ostringstream content;
  content << stream.rdbuf();
  if (stream.bad()) throw Error("cannot read " + file.string());
  return content.str();
}

}  // namespace paddock::core
