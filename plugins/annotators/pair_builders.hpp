// Building preference pairs from system outputs.
//   head_to_head: two output Datasets joined on (instruction, input); a key that occurs k
//     times on both sides is matched occurrence by occurrence in row order.
//   pairs_from_samples: several outputs per instruction (rows sharing instruction and
//     input, or an array column per row) paired by a seeded derangement.
// Pair rows hold instruction, input, output_1, output_2 and the source rows' other columns
// merged (merge_extra_columns in pair_records.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "paddock/dataset.hpp"

namespace paddock::annotators {

struct HeadToHeadResult {
  Dataset pairs;
  Dataset unmatched;  // the unmatched rows, each with a column `side` = 1 or 2
  std::size_t unmatched_1 = 0;
  std::size_t unmatched_2 = 0;
};

// Throws paddock::Error naming the dataset, row and column for a malformed row.
HeadToHeadResult pairs_head_to_head(const Dataset& outputs_1, const Dataset& outputs_2,
                                    const std::string& output_column);

struct SampleOptions {
  std::string output_column = "output";       // one output per row
  std::string outputs_column = "outputs";     // or an array of outputs per row
  bool drop_identical = true;                 // skip pairs of identical texts
  std::size_t max_pairs_per_instruction = 0;  // 0 = all
  std::uint64_t seed = 0;
};

struct SampleResult {
  Dataset pairs;
  std::size_t instructions = 0;
  std::size_t instructions_too_few = 0;  // fewer than two outputs
  std::size_t identical_dropped = 0;
};

// For each (instruction, input) with n >= 2 outputs o_0..o_{n-1} in row order: a uniformly
// random cyclic derangement d (one cycle through all n outputs, so no fixed points and, for
// n >= 3, no 2-cycles), drawn by Sattolo's algorithm with
// mt19937_64(derive_seed(seed, instruction \x1f input)) and uniform_below; pairs
// (o_i, o_{d(i)}) for i = 0..n-1, skipping a pair whose reverse was already made. So n = 2
// gives one pair and n >= 3 gives n pairs in which each output is output_1 once and
// output_2 once.
SampleResult pairs_from_samples(const Dataset& samples, const SampleOptions& options);

// A uniformly random single-cycle permutation of 0..n-1 (n >= 2), a derangement.
std::vector<std::size_t> random_derangement(std::size_t n, std::uint64_t seed);

}  // namespace paddock::annotators
