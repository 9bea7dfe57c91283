// Reading human preference annotations in AlpacaFarm's format from JSON (an array of
// objects), JSON Lines or CSV. Fields: instruction, input, output_1, output_2, preference
// (0 tie, 1, 2; 1.5 is read as a tie, as alpaca_eval writes draws) and optional annotator.
// Malformed rows are collected with their file and line instead of stopping the read.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace paddock::annotators {

struct HumanAnnotationRow {
  std::string instruction;
  std::string input;
  std::string output_1;
  std::string output_2;
  int preference = 0;
  std::string annotator;  // empty when the file has none
  std::size_t line = 0;
};

struct RowProblem {
  std::string file;
  std::size_t line = 0;
  std::string message;
  std::string describe() const;  // "FILE:LINE: MESSAGE"
};

// A file of millions of bad rows must not cost millions of messages: the first
// kKeptRowProblems problems are kept in full, the rest only counted.
inline constexpr std::size_t kKeptRowProblems = 100;

struct HumanFileContents {
  std::vector<HumanAnnotationRow> rows;
  std::vector<RowProblem> problems;  // the first kKeptRowProblems malformed rows
  std::size_t problem_count = 0;     // every malformed row
  std::size_t rows_seen = 0;         // rows read, good and bad
};

enum class HumanFileFormat { automatic, json, jsonl, csv };
HumanFileFormat parse_human_file_format(const std::string& name);

// Reads every row; malformed rows go to `problems`. Throws paddock::Error (with file, line
// and column) only when the file cannot be read as a whole: missing, not a regular file (a
// FIFO or /dev/zero would never end), not valid JSON as an array, or a CSV header without
// the required columns.
HumanFileContents read_human_file(const std::filesystem::path& file,
                                  HumanFileFormat format = HumanFileFormat::automatic);
// The same from text in memory; `file` is used in messages and to pick the format.
HumanFileContents read_human_text(const std::string& text, const std::string& file,
                                  HumanFileFormat format);

}  // namespace paddock::annotators
