// The (instruction, input) join of system outputs with reference outputs.
#include "pair_join.hpp"

#include <deque>
#include <map>
#include <utility>

#include "paddock/error.hpp"

namespace paddock::evaluators {

namespace {

using Key = std::pair<std::string, std::string>;

std::string string_column(const Record& record, const char* column, std::size_t row,
                          const char* dataset, bool required) {
  auto found = record.find(column);
  if (found == record.end() || found->is_null()) {
    if (!required) return {};
    throw Error(std::string(dataset) + " row " + std::to_string(row + 1) + " has no column '" +
                column + "'");
  }
  if (!found->is_string()) {
    throw Error(std::string(dataset) + " row " + std::to_string(row + 1) + ": column '" + column +
                "' is not a string");
  }
  return found->get<std::string>();
}

Key row_key(const Record& record, std::size_t row, const char* dataset) {
  if (!record.is_object()) {
    throw Error(std::string(dataset) + " row " + std::to_string(row + 1) + " is not a record");
  }
  return {string_column(record, "instruction", row, dataset, /*required=*/true),
          string_column(record, "input", row, dataset, /*required=*/false)};
}

void copy_extra_columns(const Record& record, nlohmann::ordered_json& metadata) {
  for (const auto& item : record.items()) {
    const std::string& column = item.key();
    if (column == "instruction" || column == "input" || column == "output") continue;
    metadata[column] = item.value();
  }
}

}  // namespace

JoinedPairs join_on_instruction(const Dataset& outputs, const Dataset& reference) {
  std::map<Key, std::deque<std::size_t>> reference_by_key;
  for (std::size_t row = 0; row < reference.size(); ++row) {
    reference_by_key[row_key(reference[row], row, "reference")].push_back(row);
  }

  JoinedPairs joined;
  std::vector<bool> reference_used(reference.size(), false);
  for (std::size_t row = 0; row < outputs.size(); ++row) {
    const Record& system_record = outputs[row];
    Key key = row_key(system_record, row, "outputs");
    auto candidates = reference_by_key.find(key);
    if (candidates == reference_by_key.end() || candidates->second.empty()) {
      joined.unmatched_output_rows.push_back(row);
      continue;
    }
    const std::size_t reference_row = candidates->second.front();
    candidates->second.pop_front();
    reference_used[reference_row] = true;
    const Record& reference_record = reference[reference_row];

    PreferencePair pair;
    pair.instruction = key.first;
    pair.input = key.second;
    pair.output_1 = string_column(reference_record, "output", reference_row, "reference", true);
    pair.output_2 = string_column(system_record, "output", row, "outputs", true);
    copy_extra_columns(reference_record, pair.metadata);
    copy_extra_columns(system_record, pair.metadata);
    joined.pairs.push_back(std::move(pair));
    joined.output_rows.push_back(row);
    joined.reference_rows.push_back(reference_row);
  }
  for (std::size_t row = 0; row < reference.size(); ++row) {
    if (!reference_used[row]) joined.unmatched_reference_rows.push_back(row);
  }
  return joined;
}

std::string describe_row(const Record& record, std::size_t limit) {
  std::string text;
  if (auto instruction = record.find("instruction");
      instruction != record.end() && instruction->is_string()) {
    text = instruction->get<std::string>();
  }
  if (auto input = record.find("input"); input != record.end() && input->is_string() &&
                                         !input->get_ref<const std::string&>().empty()) {
    text += " / " + input->get<std::string>();
  }
  if (text.size() > limit) {
    // Cut at a UTF-8 character boundary.
    std::size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut) + "...";
  }
  return text;
}

}  // namespace paddock::evaluators
