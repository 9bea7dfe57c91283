// File helpers that never leave a half-written file behind.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace paddock::core {

// Writes `content` to a temporary file beside `file`, flushes it to disk, then renames it
// over `file`. Readers see the old file or the new one, never a partial one.
void write_file_atomically(const std::filesystem::path& file, std::string_view content);

std::string read_file(const std::filesystem::path& file);

}  // namespace paddock::core
