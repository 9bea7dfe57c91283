// Helpers shared by the transformer I/O tests: a private temporary directory per test, file
// reading/writing, and a matcher for error messages.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "../support/test_support.hpp"
#include "paddock/error.hpp"

namespace paddock::transformer::testing {

// The shared helpers (tests/support): a private temporary directory per test, file I/O.
using paddock::testing::read_text;
using paddock::testing::TempDir;
using paddock::testing::write_text;

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
