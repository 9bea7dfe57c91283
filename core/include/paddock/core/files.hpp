// File helpers that never leave a half-written file behind, and the size and digest that
// let a reader tell a committed file from a damaged one.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace paddock::core {

// Writes `content` to a temporary file beside `file`, flushes it to disk, renames it over
// `file` and flushes the directory. Readers see the old file or the new one, never a partial
// one, and after a crash the new one stays.
void write_file_atomically(const std::filesystem::path& file, std::string_view content);

// fsync() of a directory, so the renames and creations in it survive a crash.
void sync_directory(const std::filesystem::path& directory);

// Throws paddock::Error unless `file` (after symbolic links) is a regular file: a FIFO, a
// device such as /dev/zero or a directory would block or never end.
void require_regular_file(const std::filesystem::path& file);

// The same, except that a missing file passes (for readers with their own message for it).
void refuse_special_file(const std::filesystem::path& file);

// The whole content of a regular file (require_regular_file).
std::string read_file(const std::filesystem::path& file);

struct FileSummary {
  std::uint64_t bytes = 0;
  std::string digest;  // FNV-1a 64 of the content, 16 hex digits
};

// Reads the whole file once.
FileSummary summarize_file(const std::filesystem::path& file);

}  // namespace paddock::core
