// Reading Alpaca-format and preference records with errors that name the node, the input
// port, the row and the column.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "paddock/capabilities.hpp"
#include "paddock/dataset.hpp"

namespace paddock::learning {

// Where a record came from, for error messages: "node 'sft': input 'data' row 12".
struct RecordSource {
  std::string node;
  std::string port;
};

std::string describe_row(const RecordSource& source, std::size_t row);

// A string column that must be present.
const std::string& required_text(const Record& record, std::string_view column,
                                 const RecordSource& source, std::size_t row);
// A string column that may be missing or null (then empty), as Alpaca's `input` is.
std::string optional_text(const Record& record, std::string_view column, const RecordSource& source,
                          std::size_t row);

// `instruction` and `input` of a record.
InstructionPrompt instruction_prompt(const Record& record, const RecordSource& source,
                                     std::size_t row);

// A pairwise preference: 1 or 2, 0 for a tie, nullopt when unannotated (missing, null or
// NaN). Anything else, 3 or "b" say, is an Error naming the row and the value.
std::optional<int> preference_label(const Record& record, const RecordSource& source,
                                    std::size_t row);

}  // namespace paddock::learning
