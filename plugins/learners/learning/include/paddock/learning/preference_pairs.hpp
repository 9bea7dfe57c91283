// Pairwise preference records (instruction, input, output_1, output_2, preference) read
// into pairs; ties and unannotated rows are skipped and counted.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "paddock/capabilities.hpp"
#include "paddock/dataset.hpp"
#include "paddock/learning/record_fields.hpp"

namespace paddock::learning {

struct PreferencePair {
  std::size_t row = 0;  // in the input Dataset
  InstructionPrompt prompt;
  std::string output_1;
  std::string output_2;
  int preference = 1;  // 1: output_1 is better, 2: output_2 is better

  const std::string& chosen() const { return preference == 1 ? output_1 : output_2; }
  const std::string& rejected() const { return preference == 1 ? output_2 : output_1; }
};

struct PreferencePairs {
  std::vector<PreferencePair> pairs;
  std::size_t ties = 0;
  std::size_t unannotated = 0;
};

// Errors name the row and column for a missing output or a preference outside {0, 1, 2}.
PreferencePairs read_preference_pairs(const Dataset& data, const RecordSource& source);

}  // namespace paddock::learning
