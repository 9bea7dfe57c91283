// Helpers shared by the transformer I/O tests: a private temporary directory per test, file
// reading/writing, and a matcher for error messages.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "paddock/error.hpp"

namespace paddock::transformer::testing {

class TemporaryDirectory {
 public:
  TemporaryDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "paddock-io-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TemporaryDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

inline void write_text(const std::filesystem::path& file, const std::string& content) {
  std::ofstream out(file, std::ios::binary);
  out << content;
}

inline std::string read_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

inline std::filesystem::path test_data(const std::string& name) {
  return std::filesystem::path(PADDOCK_TRANSFORMER_IO_TEST_DATA) / name;
}

// The message of the paddock::Error `action` throws; fails the test when none is thrown.
inline std::string error_message(const std::function<void()>& action) {
  try {
    action();
  } catch (const paddock::Error& error) {
    return error.what();
  } catch (const std::exception& error) {
    ADD_FAILURE() << "expected paddock::Error, got another exception: " << error.what();
    return "";
  }
  ADD_FAILURE() << "expected paddock::Error, nothing was thrown";
  return "";
}

}  // namespace paddock::transformer::testing
