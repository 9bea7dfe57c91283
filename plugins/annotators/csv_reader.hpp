// A CSV reader (RFC 4180: comma separated, fields optionally in double quotes, "" for a
// quote inside quotes, quoted fields may span lines; CRLF or LF line ends). Each record
// remembers the line it starts on, for error messages.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace paddock::annotators {

struct CsvRecord {
  std::size_t line = 0;  // 1-based line where the record starts
  std::vector<std::string> fields;
  std::string problem;  // non-empty when the record is malformed (e.g. an unclosed quote)
};

// Splits `text` into records; blank lines are skipped. Never throws.
std::vector<CsvRecord> read_csv_records(std::string_view text);

}  // namespace paddock::annotators
