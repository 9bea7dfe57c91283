// Streams a file into a temporary beside its destination; commit() flushes it to disk and
// renames it into place, so readers see the old file or the complete new one, never a part.
// Destroying an uncommitted writer deletes the temporary.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string_view>

namespace paddock::transformer {

class AtomicFileWriter {
 public:
  explicit AtomicFileWriter(std::filesystem::path destination);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  void write(std::span<const std::byte> bytes);
  void write(std::string_view text);
  // fsync, rename over the destination, fsync the directory. Throws paddock::Error on failure.
  void commit();

 private:
  void abandon() noexcept;

  std::filesystem::path destination_;
  std::filesystem::path temporary_;
  int fd_ = -1;
};

}  // namespace paddock::transformer
