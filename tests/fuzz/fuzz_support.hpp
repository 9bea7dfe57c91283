// What the libFuzzer targets share: the input as text, a scratch directory of this process
// for the targets whose parser reads files, and writing a file there.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace paddock::fuzzing {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A directory of this process under the temporary directory, made on first use and reused
// by every input (each input overwrites the files it needs).
inline const std::filesystem::path& scratch_directory() {
  static const std::filesystem::path directory = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "paddock-fuzz-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    return std::filesystem::path(pattern);
  }();
  return directory;
}

inline std::filesystem::path write_scratch_file(const std::string& name, std::string_view text) {
  const std::filesystem::path file = scratch_directory() / name;
  std::ofstream stream(file, std::ios::binary | std::ios::trunc);
  stream.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!stream) std::abort();
  return file;
}

// Where an input holding two parts splits: the ASCII record separator, a byte no parser
// gives a meaning to and a seed can be written with (CMake strings cannot hold NUL).
inline constexpr char kPartSeparator = '\x1e';

// `text` cut at the first kPartSeparator: the part before, and the part after (a view with
// no data when there is no separator).
inline std::pair<std::string_view, std::string_view> split_parts(std::string_view text) {
  const std::size_t at = text.find(kPartSeparator);
  if (at == std::string_view::npos) return {text, {}};
  return {text.substr(0, at), text.substr(at + 1)};
}

inline std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

}  // namespace paddock::fuzzing
