// What every world annotator shares: reading the hidden task from a pair's metadata, the
// per-pair seed (so a label never depends on batching or row order), and the Bradley-Terry
// draw of a label from two scores.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "paddock/annotator.hpp"
#include "task.hpp"

namespace paddock::world {

// The task behind a pair: its instruction and input plus the hidden columns that pair
// builders copy into PreferencePair::metadata. Throws naming the annotator and the row.
Task task_from_pair(const PreferencePair& pair, std::size_t row, std::string_view annotator);

// Throws, naming the annotator and the row, when a pair comes from another world version
// than the annotator judges for: its weights would silently be the wrong humans'.
void require_world_version(const Task& task, int annotator_version, std::size_t row,
                           std::string_view annotator);

// derive_seed(stream_seed, instruction \x1f input \x1f output_1 \x1f output_2).
std::uint64_t pair_seed(std::uint64_t stream_seed, const PreferencePair& pair);

// P(output_2 preferred) = 1 / (1 + exp(-(score_2 - score_1) / temperature)).
double bradley_terry(double score_1, double score_2, double temperature);

// Draws the label from `probability_output_2` with a generator seeded by `seed`.
Annotation draw_annotation(double probability_output_2, std::uint64_t seed, std::string annotator,
                           std::string raw);

// Identical outputs are a tie (0), as in AlpacaFarm.
Annotation tie_annotation(std::string annotator);

}  // namespace paddock::world
