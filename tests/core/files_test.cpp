// write_file_atomically's durability, watched through an fsync() interposed in this test
// executable (libpaddock_core.so calls fsync through the PLT, so this definition wins): the
// directory is fsynced after the rename, and a failing fsync still closes the file.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <vector>

#include "paddock/core/files.hpp"
#include "paddock/error.hpp"
#include "test_support.hpp"

namespace {

std::vector<std::string> directories_synced;
bool fail_regular_file_fsync = false;

std::string path_of(int fd) {
  std::error_code error;
  return std::filesystem::read_symlink("/proc/self/fd/" + std::to_string(fd), error).string();
}

}  // namespace

extern "C" int fsync(int fd) {
  using Fsync = int (*)(int);
  static const auto real = reinterpret_cast<Fsync>(::dlsym(RTLD_NEXT, "fsync"));
  struct stat status {};
  if (::fstat(fd, &status) == 0) {
    if (S_ISDIR(status.st_mode)) directories_synced.push_back(path_of(fd));
    if (S_ISREG(status.st_mode) && fail_regular_file_fsync) {
      errno = EIO;
      return -1;
    }
  }
  return real(fd);
}

namespace paddock::core {
namespace {

std::size_t open_descriptors() {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd"))
    ++count;
  return count;
}

TEST(WriteFileAtomically, FsyncsTheDirectoryAfterTheRename) {
  testing::TempDir dir;
  directories_synced.clear();
  write_file_atomically(dir / "done.json", "{}\n");
  EXPECT_EQ(testing::read_text(dir / "done.json"), "{}\n");
  ASSERT_EQ(directories_synced.size(), 1u);
  EXPECT_EQ(std::filesystem::canonical(directories_synced[0]),
            std::filesystem::canonical(dir.path()));
}

TEST(WriteFileAtomically, AFailedFsyncClosesTheFileAndLeavesNothingBehind) {
  testing::TempDir dir;
  const std::size_t before = open_descriptors();
  fail_regular_file_fsync = true;
  try {
    write_file_atomically(dir / "done.json", "{}\n");
    ADD_FAILURE() << "a failed fsync must fail the write";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("cannot flush"), std::string::npos) << error.what();
  }
  fail_regular_file_fsync = false;
  EXPECT_EQ(open_descriptors(), before);  // the descriptor was closed
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

}  // namespace
}  // namespace paddock::core
