// Column access on Alpaca-format and preference records.
#include "paddock/learning/record_fields.hpp"

#include <cmath>

#include "paddock/error.hpp"

namespace paddock::learning {
namespace {

std::string column_list(const Record& record) {
  std::string names;
  for (const auto& [key, value] : record.items()) names += (names.empty() ? "" : ", ") + key;
  return names.empty() ? "none" : names;
}

}  // namespace

std::string describe_row(const RecordSource& source, std::size_t row) {
  return "node '" + source.node + "': input '" + source.port + "' row " + std::to_string(row);
}

const std::string& required_text(const Record& record, std::string_view column,
                                 const RecordSource& source, std::size_t row) {
  const auto found = record.find(std::string(column));
  if (found == record.end()) {
    throw Error(describe_row(source, row) + " has no column '" + std::string(column) +
                "' (it has: " + column_list(record) + ")");
  }
  if (!found->is_string()) {
    throw Error(describe_row(source, row) + ": column '" + std::string(column) +
                "' should be a string but is " + found->dump());
  }
  return found->get_ref<const std::string&>();
}

std::string optional_text(const Record& record, std::string_view column, const RecordSource& source,
                          std::size_t row) {
  const auto found = record.find(std::string(column));
  if (found == record.end() || found->is_null()) return {};
  if (!found->is_string()) {
    throw Error(describe_row(source, row) + ": column '" + std::string(column) +
                "' should be a string but is " + found->dump());
  }
  return found->get<std::string>();
}

InstructionPrompt instruction_prompt(const Record& record, const RecordSource& source,
                                     std::size_t row) {
  return {required_text(record, "instruction", source, row),
          optional_text(record, "input", source, row)};
}

std::optional<int> preference_label(const Record& record, const RecordSource& source,
                                    std::size_t row) {
  const auto found = record.find("preference");
  if (found == record.end()) {
    throw Error(describe_row(source, row) +
                " has no column 'preference' (1 = output_1 better, 2 = output_2 better, 0 = "
                "tie; it has: " +
                column_list(record) + ")");
  }
  if (found->is_null()) return std::nullopt;
  if (found->is_number()) {
    const double value = found->get<double>();
    if (std::isnan(value)) return std::nullopt;
    if (value == 0.0 || value == 1.0 || value == 2.0) return static_cast<int>(value);
  }
  throw Error(describe_row(source, row) + ": preference " + found->dump() +
              " is not 1 (output_1 better), 2 (output_2 better), 0 (tie) or null (unannotated)");
}

}  // namespace paddock::learning
