// The RFC 4180 CSV reader.
#include "csv_reader.hpp"

namespace paddock::annotators {

std::vector<CsvRecord> read_csv_records(std::string_view text) {
  std::vector<CsvRecord> records;
  std::size_t i = 0, line = 1;
  if (text.starts_with("\xEF\xBB\xBF")) i = 3;  // a byte-order mark
  while (i < text.size()) {
    if (text[i] == '\n' || text[i] == '\r') {  // blank line
      if (text[i] == '\n') ++line;
      ++i;
      continue;
    }
    CsvRecord record;
    record.line = line;
    std::string field;
    bool done = false;
    while (!done) {
      if (i < text.size() && text[i] == '"') {
        ++i;
        bool closed = false;
        while (i < text.size()) {
          if (text[i] == '"') {
            if (i + 1 < text.size() && text[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            closed = true;
            break;
          }
          if (text[i] == '\n') ++line;
          field += text[i++];
        }
        if (!closed) {
          record.problem = "unclosed quoted field";
          record.fields.push_back(std::move(field));
          records.push_back(std::move(record));
          return records;
        }
        // After a closing quote only a separator or the line end may follow.
        while (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          if (record.problem.empty()) record.problem = "text after a closing quote";
          ++i;
        }
      } else {
        while (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          field += text[i++];
        }
      }
      record.fields.push_back(std::move(field));
      field.clear();
      if (i < text.size() && text[i] == ',') {
        ++i;
        continue;
      }
      if (i < text.size() && text[i] == '\r') ++i;
      if (i < text.size() && text[i] == '\n') {
        ++i;
        ++line;
      }
      done = true;
    }
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace paddock::annotators
