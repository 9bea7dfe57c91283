// Dataset files: round trips, and located errors for every kind of bad input.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "paddock/dataset.hpp"
#include "test_support.hpp"

namespace paddock {
namespace {

using testing::TempDir;
using testing::write_text;

std::string load_error(const std::filesystem::path& file) {
  try {
    Dataset::load(file);
  } catch (const Error& error) {
    return error.what();
  }
  return "no error";
}

TEST(Dataset, JsonLinesRoundTripKeepsColumnsAndUnicode) {
  TempDir dir;
  Dataset data;
  data.add({{"instruction", "Say hi"}, {"input", ""}, {"output", "héllo 👋"}, {"score", 3}});
  data.add({{"instruction", "Count"}, {"input", "a b"}, {"output", "2"}, {"extra", {1, 2}}});
  data.save_jsonl(dir / "data.jsonl");
  const Dataset loaded = Dataset::load(dir / "data.jsonl");
  ASSERT_EQ(loaded.size(), 2u);
  EXPECT_EQ(loaded[0]["output"], "héllo 👋");
  EXPECT_EQ(loaded[1]["extra"][1], 2);
  EXPECT_EQ(loaded.records(), data.records());
}

TEST(Dataset, ReadsJsonArrayFiles) {
  TempDir dir;
  write_text(dir / "eval.json", R"([{"instruction": "a", "input": "", "output": "b"}])");
  EXPECT_EQ(Dataset::load(dir / "eval.json").size(), 1u);
}

TEST(Dataset, SkipsBlankLinesAndCarriageReturns) {
  TempDir dir;
  write_text(dir / "d.jsonl", "{\"a\": 1}\r\n\n{\"a\": 2}\n");
  EXPECT_EQ(Dataset::load(dir / "d.jsonl").size(), 2u);
}

TEST(Dataset, BadJsonLineNamesFileLineAndColumn) {
  TempDir dir;
  write_text(dir / "d.jsonl", "{\"a\": 1}\n{\"a\": }\n");
  const std::string error = load_error(dir / "d.jsonl");
  EXPECT_NE(error.find("d.jsonl:2:"), std::string::npos) << error;
  EXPECT_NE(error.find("not valid JSON"), std::string::npos) << error;
}

TEST(Dataset, ANumberTooLargeForADoubleIsLocatedLikeAnyBadJson) {
  // nlohmann reports 1e999 as out_of_range, without a place; it used to escape the loader.
  TempDir dir;
  write_text(dir / "d.jsonl", "{\"a\": 1}\n{\"a\": 1e999}\n");
  std::string error = load_error(dir / "d.jsonl");
  // Column 11: the number's last character, where the parser stopped.
  EXPECT_NE(error.find("d.jsonl:2:11: not valid JSON: [json.exception.parse_error.406] parse "
                       "error at byte 11: number overflow parsing '1e999'"),
            std::string::npos)
      << error;
  write_text(dir / "d.json", "[\n  {\"a\": -2e400}\n]");
  error = load_error(dir / "d.json");
  EXPECT_NE(error.find("d.json:2:"), std::string::npos) << error;
  EXPECT_NE(error.find("not valid JSON"), std::string::npos) << error;
}

TEST(Dataset, NonObjectLineIsRejected) {
  TempDir dir;
  write_text(dir / "d.jsonl", "{\"a\": 1}\n[1, 2]\n");
  EXPECT_NE(load_error(dir / "d.jsonl").find("d.jsonl:2:1: expected a JSON object"),
            std::string::npos);
}

TEST(Dataset, InvalidUtf8IsRejectedWithLocation) {
  TempDir dir;
  write_text(dir / "d.jsonl", "{\"a\": \"ok\"}\n{\"a\": \"\xff\"}\n");
  EXPECT_NE(load_error(dir / "d.jsonl").find("d.jsonl:2:"), std::string::npos);
}

TEST(Dataset, BadJsonArrayNamesLineAndColumn) {
  TempDir dir;
  write_text(dir / "d.json", "[\n  {\"a\": 1},\n  {\"a\" 2}\n]");
  const std::string error = load_error(dir / "d.json");
  EXPECT_NE(error.find("d.json:3:"), std::string::npos) << error;
}

TEST(Dataset, ArrayWithNonObjectElementIsRejected) {
  TempDir dir;
  write_text(dir / "d.json", "[{\"a\": 1}, 3]");
  EXPECT_NE(load_error(dir / "d.json").find("element 1 is not a JSON object"), std::string::npos);
}

TEST(Dataset, UnknownExtensionAndMissingFileAreClear) {
  TempDir dir;
  write_text(dir / "d.csv", "a,b\n");
  EXPECT_NE(load_error(dir / "d.csv").find("unknown dataset format '.csv'"), std::string::npos);
  EXPECT_NE(load_error(dir / "missing.jsonl").find("cannot open"), std::string::npos);
}

// A `path` of /dev/zero or a FIFO read forever; only regular files are read now.
TEST(Dataset, FifosDevicesAndDirectoriesAreRefused) {
  TempDir dir;
  ASSERT_EQ(::mkfifo((dir / "pipe.jsonl").c_str(), 0600), 0);
  EXPECT_NE(load_error(dir / "pipe.jsonl").find("pipe.jsonl is a FIFO, not a regular file"),
            std::string::npos)
      << load_error(dir / "pipe.jsonl");
  std::filesystem::create_symlink("/dev/zero", dir / "zero.jsonl");
  EXPECT_NE(load_error(dir / "zero.jsonl").find("is a device, not a regular file"),
            std::string::npos)
      << load_error(dir / "zero.jsonl");
  std::filesystem::create_directory(dir / "folder.json");
  EXPECT_NE(load_error(dir / "folder.json").find("is a directory"), std::string::npos);
}

TEST(Dataset, TextColumnNamesRowAndColumn) {
  const Record record = {{"instruction", 3}};
  try {
    text_column(record, "instruction", 7);
    FAIL();
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(), "row 7: column 'instruction' is number, expected a string");
  }
  EXPECT_THROW(text_column(record, "output", 0), Error);
}

TEST(Dataset, SaveLeavesNoTemporaryFiles) {
  TempDir dir;
  Dataset data;
  data.add({{"a", 1}});
  data.save_jsonl(dir / "d.jsonl");
  data.save_jsonl(dir / "d.jsonl");
  int files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path()))
    ++files;
  EXPECT_EQ(files, 1);
}

}  // namespace
}  // namespace paddock
