// libFuzzer target for the human annotation readers: the first byte picks the format (JSON
// array, JSON Lines, CSV, or auto-detection), the rest is the file. Every input must give
// rows and located problems, or throw paddock::Error; nothing else.
#include "fuzz_support.hpp"
#include "human_file_reader.hpp"
#include "paddock/error.hpp"

using paddock::annotators::HumanFileFormat;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr HumanFileFormat kFormats[] = {HumanFileFormat::json, HumanFileFormat::jsonl,
                                                 HumanFileFormat::csv, HumanFileFormat::automatic};
  static const char* const kNames[] = {"fuzz/human.json", "fuzz/human.jsonl", "fuzz/human.csv",
                                       "fuzz/human.txt"};
  const std::size_t choice = data[0] % 4;
  const std::string text(paddock::fuzzing::as_text(data + 1, size - 1));
  try {
    const auto contents =
        paddock::annotators::read_human_text(text, kNames[choice], kFormats[choice]);
    if (contents.problems.size() > paddock::annotators::kKeptRowProblems) __builtin_trap();
    if (contents.rows.size() + contents.problem_count > contents.rows_seen) __builtin_trap();
    for (const auto& problem : contents.problems) (void)problem.describe();
  } catch (const paddock::Error&) {
  }
  return 0;
}
