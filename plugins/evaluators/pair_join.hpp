// Joining a system's outputs with the reference outputs on (instruction, input), and turning
// each matched row into a PreferencePair: output_1 = reference, output_2 = system output
// (AlpacaFarm's convention, so preference 2 means the system won).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "paddock/annotator.hpp"
#include "paddock/dataset.hpp"

namespace paddock::evaluators {

struct JoinedPairs {
  std::vector<PreferencePair> pairs;
  std::vector<std::size_t> output_rows;     // for each pair, its row in the system's outputs
  std::vector<std::size_t> reference_rows;  // for each pair, its row in the reference
  std::vector<std::size_t> unmatched_output_rows;
  std::vector<std::size_t> unmatched_reference_rows;
};

// Both datasets need string columns `instruction` and `output`; `input` may be missing
// (read as empty). A key that occurs k times on both sides is matched occurrence by
// occurrence, in row order. Each pair's metadata holds the other columns of both rows: the
// reference row's first, then the system row's (the system's value wins where both have a
// column). Throws paddock::Error naming the dataset, row and column for a malformed row.
JoinedPairs join_on_instruction(const Dataset& outputs, const Dataset& reference);

// "instruction" (and " / input" when not empty), shortened to `limit` characters, for
// messages about unmatched rows.
std::string describe_row(const Record& record, std::size_t limit = 80);

}  // namespace paddock::evaluators
