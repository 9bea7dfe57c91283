// A read-only memory map of a whole file, unmapped when the object goes away.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>

namespace paddock::transformer {

class MappedFile {
 public:
  // Maps `file` read-only; throws paddock::Error naming the file when it cannot.
  explicit MappedFile(const std::filesystem::path& file);
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const std::byte> bytes() const { return {data_, size_}; }
  std::size_t size() const { return size_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  void release();

  std::filesystem::path path_;
  const std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace paddock::transformer
