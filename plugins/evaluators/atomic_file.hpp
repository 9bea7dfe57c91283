// Writing report files so that a reader never sees a half-written one.
#pragma once

#include <filesystem>
#include <string_view>

namespace paddock::evaluators {

// Writes `content` to a temporary file beside `file`, flushes it, then renames it over
// `file`. Creates the parent directory. Throws paddock::Error naming the file on failure.
void write_file_atomically(const std::filesystem::path& file, std::string_view content);

}  // namespace paddock::evaluators
