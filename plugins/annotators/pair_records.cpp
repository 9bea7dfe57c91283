// Dataset rows to PreferencePairs and back.
#include "pair_records.hpp"

#include "paddock/error.hpp"

namespace paddock::annotators {
namespace {

const std::string& string_field(const Record& record, const char* column, std::size_t row,
                                std::string_view what) {
  const auto found = record.find(column);
  if (found == record.end() || !found->is_string()) {
    throw Error(std::string(what) + ": row " + std::to_string(row) + ": column '" + column +
                "' is " + (found == record.end() ? "missing" : "not a string"));
  }
  return found->get_ref<const std::string&>();
}

}  // namespace

std::string input_column(const Record& record, std::size_t row, std::string_view what) {
  const auto found = record.find("input");
  if (found == record.end() || found->is_null()) return "";
  if (!found->is_string()) {
    throw Error(std::string(what) + ": row " + std::to_string(row) +
                ": column 'input' is not a string");
  }
  return found->get<std::string>();
}

PreferencePair pair_from_record(const Record& record, std::size_t row, std::string_view what) {
  if (!record.is_object()) {
    throw Error(std::string(what) + ": row " + std::to_string(row) + " is not an object");
  }
  PreferencePair pair;
  pair.instruction = string_field(record, "instruction", row, what);
  pair.input = input_column(record, row, what);
  pair.output_1 = string_field(record, "output_1", row, what);
  pair.output_2 = string_field(record, "output_2", row, what);
  for (const auto& [column, value] : record.items()) {
    if (column == "instruction" || column == "input" || column == "output_1" ||
        column == "output_2" || column == "preference" || column == "annotator") {
      continue;
    }
    pair.metadata[column] = value;
  }
  return pair;
}

void merge_extra_columns(Record& target, const Record& first, const Record& second,
                         const std::set<std::string>& skip) {
  for (const auto& [column, value] : first.items()) {
    if (skip.count(column)) continue;
    const auto other = second.find(column);
    if (other == second.end() || *other == value) {
      target[column] = value;
    } else {
      target[column + "_1"] = value;
      target[column + "_2"] = *other;
    }
  }
  for (const auto& [column, value] : second.items()) {
    if (skip.count(column) || first.contains(column)) continue;
    target[column] = value;
  }
}

}  // namespace paddock::annotators
