// Reading preference records into pairs.
#include "paddock/learning/preference_pairs.hpp"

namespace paddock::learning {

PreferencePairs read_preference_pairs(const Dataset& data, const RecordSource& source) {
  PreferencePairs result;
  for (std::size_t row = 0; row < data.size(); ++row) {
    const Record& record = data[row];
    const std::optional<int> label = preference_label(record, source, row);
    PreferencePair pair;
    pair.row = row;
    pair.prompt = instruction_prompt(record, source, row);
    pair.output_1 = required_text(record, "output_1", source, row);
    pair.output_2 = required_text(record, "output_2", source, row);
    if (!label) {
      ++result.unannotated;
      continue;
    }
    if (*label == 0) {
      ++result.ties;
      continue;
    }
    pair.preference = *label;
    result.pairs.push_back(std::move(pair));
  }
  return result;
}

}  // namespace paddock::learning
