// How well a system answers the world's tasks, per family, measured with the hidden utility's
// own checker: the figures behind the world's calibration against a model.
#pragma once

#include <cstddef>
#include <map>
#include <string>

#include "paddock/dataset.hpp"

namespace paddock::world {

struct FamilyScore {
  std::size_t rows = 0;
  double correctness = 0;    // mean of measure_response(...).correctness
  double fully_correct = 0;  // share of rows with correctness 1
  double utility = 0;        // mean hidden utility (the task's world version's mean human)
  double words = 0;          // mean response length in words
};

struct SystemTaskScores {
  std::string generator;
  FamilyScore overall;
  std::map<std::string, FamilyScore> families;    // ordered by family name
  std::map<std::string, FamilyScore> categories;  // in_context, recall, computing, hard
};

// Scores every row of `outputs` (world records with an `output` column). `where` names the
// caller in errors, which also name the row. The generator is the first row's `generator`
// column, or `fallback_name` when there is none.
SystemTaskScores score_world_outputs(const Dataset& outputs, const std::string& fallback_name,
                                     std::string_view where);

}  // namespace paddock::world
