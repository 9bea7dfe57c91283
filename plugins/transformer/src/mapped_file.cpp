// mmap(2) of a whole file, read-only and private.
#include "paddock/transformer/mapped_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "paddock/error.hpp"

namespace paddock::transformer {

MappedFile::MappedFile(const std::filesystem::path& file) : path_(file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error("cannot open " + file.string() + ": " + std::strerror(errno));
  struct stat status {};
  if (::fstat(fd, &status) != 0) {
    const std::string reason = std::strerror(errno);
    ::close(fd);
    throw Error("cannot stat " + file.string() + ": " + reason);
  }
  if (!S_ISREG(status.st_mode)) {
    ::close(fd);
    throw Error("cannot map " + file.string() + ": it is not a regular file");
  }
  size_ = static_cast<std::size_t>(status.st_size);
  if (size_ > 0) {
    void* address = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (address == MAP_FAILED) {
      const std::string reason = std::strerror(errno);
      ::close(fd);
      throw Error("cannot map " + file.string() + ": " + reason);
    }
    data_ = static_cast<const std::byte*>(address);
  }
  ::close(fd);  // the mapping keeps the file alive
}

MappedFile::~MappedFile() {
  release();
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : path_(std::move(other.path_)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    release();
    path_ = std::move(other.path_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

void MappedFile::release() {
  if (data_ != nullptr) ::munmap(const_cast<std::byte*>(data_), size_);
  data_ = nullptr;
  size_ = 0;
}

}  // namespace paddock::transformer
