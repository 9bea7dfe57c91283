// Atomic file writes (temporary file, fsync, rename, fsync of the directory), whole-file
// reads, and the size and digest of a committed file.
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

std::string system_error_text(int error = errno) {
  return std::strerror(error);
}

std::string hex64(std::uint64_t value) {
  static const char* digits = "0123456789abcdef";
  std::string text(16, '0');
  for (int i = 15; i >= 0; --i, value >>= 4) text[i] = digits[value & 15];
  return text;
}

}  // namespace

void sync_directory(const std::filesystem::path& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw Error("cannot open " + directory.string() + ": " + system_error_text());
  const bool synced = ::fsync(fd) == 0;
  const int sync_error = errno;
  ::close(fd);
  if (!synced) {
    throw Error("cannot flush the directory " + directory.string() + ": " +
                system_error_text(sync_error));
  }
}

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
  // close() always runs, also after a failed fsync, so no descriptor leaks.
  const bool synced = ::fsync(fd) == 0;
  const int sync_error = errno;
  const bool closed = ::close(fd) == 0;
  if (!synced || !closed) {
    const std::string reason = system_error_text(synced ? errno : sync_error);
    ::unlink(temporary.c_str());
    throw Error("cannot flush " + temporary.string() + ": " + reason);
  }
  if (::rename(temporary.c_str(), file.c_str()) != 0) {
    const std::string reason = system_error_text();
    ::unlink(temporary.c_str());
    throw Error("cannot rename " + temporary.string() + " to " + file.string() + ": " + reason);
  }
  // The rename lives in the directory: without this a crash may bring back the old file.
  sync_directory(file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path());
}

void refuse_special_file(const std::filesystem::path& file) {
  std::error_code error;
  if (std::filesystem::status(file, error).type() == std::filesystem::file_type::not_found) return;
  require_regular_file(file);
}

void require_regular_file(const std::filesystem::path& file) {
  std::error_code error;
  const auto status = std::filesystem::status(file, error);  // follows symbolic links
  if (error) throw Error("cannot open " + file.string() + ": " + error.message());
  if (status.type() == std::filesystem::file_type::regular) return;
  const char* kind = "a special file";
  switch (status.type()) {
    case std::filesystem::file_type::directory:
      kind = "a directory";
      break;
    case std::filesystem::file_type::fifo:
      kind = "a FIFO";
      break;
    case std::filesystem::file_type::character:
    case std::filesystem::file_type::block:
      kind = "a device";
      break;
    case std::filesystem::file_type::socket:
      kind = "a socket";
      break;
    default:
      break;
  }
  throw Error(file.string() + " is " + kind +
              ", not a regular file; Paddock reads its inputs only from regular files");
}

std::string read_file(const std::filesystem::path& file) {
  require_regular_file(file);
  std::ifstream stream(file, std::ios::binary);
  if (!stream) throw Error("cannot open " + file.string() + ": " + system_error_text());
  std::ostringstream content;
  content << stream.rdbuf();
  if (stream.bad()) throw Error("cannot read " + file.string());
  return content.str();
}

FileSummary summarize_file(const std::filesystem::path& file) {
  require_regular_file(file);
  std::ifstream stream(file, std::ios::binary);
  if (!stream) throw Error("cannot open " + file.string() + ": " + system_error_text());
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a, as paddock/seed.hpp's fnv1a_64
  std::uint64_t bytes = 0;
  std::string buffer(1 << 20, '\0');
  while (stream) {
    stream.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto got = static_cast<std::size_t>(stream.gcount());
    for (std::size_t i = 0; i < got; ++i) {
      hash ^= static_cast<unsigned char>(buffer[i]);
      hash *= 0x100000001b3ULL;
    }
    bytes += got;
  }
  if (stream.bad()) throw Error("cannot read " + file.string());
  return {bytes, hex64(hash)};
}

}  // namespace paddock::core
