// Atomic file writes: temporary file, fsync, rename.
#include "atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "paddock/error.hpp"

namespace paddock::evaluators {

namespace {

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& what) {
  throw Error("cannot write " + file.string() + ": " + what + " (" + std::strerror(errno) + ")");
}

}  // namespace

void write_file_atomically(const std::filesystem::path& file, std::string_view content) {
  std::error_code error;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), error);
  if (error)
    throw Error("cannot create directory " + file.parent_path().string() + ": " + error.message());

  std::string temporary = file.string() + ".tmp-XXXXXX";
  const int descriptor = ::mkstemp(temporary.data());
  if (descriptor < 0) fail(file, "cannot create a temporary file");
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(descriptor, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(descriptor);
      ::unlink(temporary.c_str());
      fail(file, "write failed");
    }
    written += static_cast<std::size_t>(n);
  }
  // mkstemp creates the file 0600; reports are meant to be read like any other output.
  ::fchmod(descriptor, 0644);
  if (::fsync(descriptor) != 0 || ::close(descriptor) != 0) {
    ::unlink(temporary.c_str());
    fail(file, "flush failed");
  }
  if (::rename(temporary.c_str(), file.c_str()) != 0) {
    ::unlink(temporary.c_str());
    fail(file, "rename failed");
  }
}

}  // namespace paddock::evaluators
