// The JSON, JSON Lines and CSV readers for human annotation files.
#include "human_file_reader.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include <spdlog/fmt/fmt.h>
#include <nlohmann/json.hpp>

#include "csv_reader.hpp"
#include "paddock/core/files.hpp"
#include "paddock/core/json_text.hpp"
#include "paddock/error.hpp"
#include "utf8.hpp"

namespace paddock::annotators {
namespace {

constexpr const char* kTextFields[] = {"instruction", "input", "output_1", "output_2"};

std::string json_type_name(const nlohmann::json& value) {
  if (value.is_number()) return "a number";
  if (value.is_string()) return "a string";
  if (value.is_boolean()) return "a boolean";
  if (value.is_null()) return "null";
  if (value.is_array()) return "an array";
  return "an object";
}

// The label for a preference value, or empty. 1.5 is alpaca_eval's draw.
std::optional<int> preference_from_number(double value) {
  if (value == 0.0 || value == 1.5) return 0;
  if (value == 1.0) return 1;
  if (value == 2.0) return 2;
  return std::nullopt;
}

std::optional<int> preference_from_text(const std::string& text) {
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (used != text.size() || !std::isfinite(value)) return std::nullopt;
  return preference_from_number(value);
}

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// Validates one JSON object as a row; returns the problems found (empty = good).
std::vector<std::string> row_from_object(const nlohmann::json& object, HumanAnnotationRow& row) {
  std::vector<std::string> problems;
  if (!object.is_object()) return {"row is " + json_type_name(object) + ", not an object"};
  for (const char* field : kTextFields) {
    const auto found = object.find(field);
    if (found == object.end()) {
      problems.push_back(fmt::format("missing field '{}'", field));
    } else if (!found->is_string()) {
      problems.push_back(
          fmt::format("field '{}' must be a string, found {}", field, json_type_name(*found)));
    }
  }
  const auto preference = object.find("preference");
  if (preference == object.end()) {
    problems.push_back("missing field 'preference'");
  } else if (!preference->is_number()) {
    problems.push_back(
        fmt::format("field 'preference' must be a number, found {}", json_type_name(*preference)));
  } else if (const auto label = preference_from_number(preference->get<double>())) {
    row.preference = *label;
  } else {
    problems.push_back(fmt::format("bad preference value {} (expected 0, 1, 2, or 1.5 for a tie)",
                                   preference->dump()));
  }
  const auto annotator = object.find("annotator");
  if (annotator != object.end() && !annotator->is_null()) {
    if (annotator->is_string()) {
      row.annotator = annotator->get<std::string>();
    } else if (annotator->is_number_integer()) {
      row.annotator = annotator->dump();
    } else {
      problems.push_back(fmt::format("field 'annotator' must be a string or an integer, found {}",
                                     json_type_name(*annotator)));
    }
  }
  if (problems.empty()) {
    row.instruction = object["instruction"].get<std::string>();
    row.input = object["input"].get<std::string>();
    row.output_1 = object["output_1"].get<std::string>();
    row.output_2 = object["output_2"].get<std::string>();
  }
  return problems;
}

std::string join(const std::vector<std::string>& parts) {
  std::string text;
  for (const auto& part : parts) text += (text.empty() ? "" : "; ") + part;
  return text;
}

class Collector {
 public:
  Collector(HumanFileContents& contents, std::string file)
      : contents_(contents), file_(std::move(file)) {}
  void problem(std::size_t line, std::string message) {
    if (++contents_.problem_count <= kKeptRowProblems)
      contents_.problems.push_back({file_, line, std::move(message)});
  }
  void accept(std::size_t line, const nlohmann::json& object) {
    HumanAnnotationRow row;
    row.line = line;
    ++contents_.rows_seen;
    const auto problems = row_from_object(object, row);
    if (problems.empty()) {
      contents_.rows.push_back(std::move(row));
    } else {
      problem(line, join(problems));
    }
  }
  const std::string& file() const { return file_; }
  HumanFileContents& contents() { return contents_; }

 private:
  HumanFileContents& contents_;
  std::string file_;
};

std::string encoding_problem(std::string_view text, std::size_t offset) {
  return fmt::format("bad encoding: invalid UTF-8 byte 0x{:02X} at byte {} of the row",
                     static_cast<unsigned char>(text[offset]), offset + 1);
}

void read_jsonl(const std::string& text, Collector& out) {
  std::size_t start = 0, line = 1;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view row(text.data() + start, end - start);
    if (!row.empty() && row.back() == '\r') row.remove_suffix(1);
    if (row.find_first_not_of(" \t") != std::string_view::npos) {
      if (const auto bad = find_invalid_utf8(row)) {
        ++out.contents().rows_seen;
        out.problem(line, encoding_problem(row, *bad));
      } else {
        try {
          out.accept(line, core::parse_json_text<nlohmann::json>(row));
        } catch (const nlohmann::json::parse_error& error) {
          ++out.contents().rows_seen;
          out.problem(line, fmt::format("invalid JSON at column {}: {}", error.byte, error.what()));
        }
      }
    }
    start = end + 1;
    ++line;
  }
}

// Offsets [begin, end) of the top-level elements of a JSON array, found by scanning
// strings and nesting; the caller parses the text afterwards.
std::vector<std::pair<std::size_t, std::size_t>> top_level_spans(const std::string& text) {
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  int depth = 0;
  bool in_string = false, escaped = false, expecting = false;
  std::size_t begin = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (depth == 1 && expecting && !space && c != ']') {
      begin = i;
      expecting = false;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth == 1) expecting = true;
    } else if (c == ']' || c == '}') {
      if (depth == 1 && !expecting) spans.emplace_back(begin, i);
      --depth;
    } else if (c == ',' && depth == 1) {
      spans.emplace_back(begin, i);
      expecting = true;
    }
  }
  return spans;
}

void read_json_array(std::string text, Collector& out) {
  std::vector<std::size_t> line_starts{0};
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') line_starts.push_back(i + 1);
  }
  const auto line_of = [&line_starts](std::size_t offset) {
    return static_cast<std::size_t>(
        std::upper_bound(line_starts.begin(), line_starts.end(), offset) - line_starts.begin());
  };
  // Invalid UTF-8 bytes are replaced by '?' (same length, so offsets hold) and the rows
  // holding them are reported as badly encoded.
  std::vector<std::size_t> bad_bytes;
  std::size_t from = 0;
  while (const auto bad = find_invalid_utf8(std::string_view(text).substr(from))) {
    bad_bytes.push_back(from + *bad);
    text[from + *bad] = '?';
    from += *bad + 1;
  }
  nlohmann::json document;
  try {
    document = core::parse_json_text<nlohmann::json>(text);
  } catch (const nlohmann::json::parse_error& error) {
    const std::size_t offset = error.byte > 0 ? error.byte - 1 : 0;
    const std::size_t line = line_of(offset);
    throw Error(fmt::format("{}:{}:{}: not valid JSON: {}", out.file(), line,
                            offset - line_starts[line - 1] + 1, error.what()));
  }
  if (!document.is_array()) {
    throw Error(out.file() + ":1:1: expected a JSON array of annotation objects");
  }
  const auto spans = top_level_spans(text);
  for (std::size_t i = 0; i < document.size(); ++i) {
    // Named copies, not a structured binding: clang before 16 cannot capture those.
    const std::pair<std::size_t, std::size_t> span =
        i < spans.size() ? spans[i] : std::pair<std::size_t, std::size_t>{};
    const std::size_t begin = span.first, end = span.second;
    const std::size_t line = line_of(begin);
    const auto bad = std::find_if(bad_bytes.begin(), bad_bytes.end(),
                                  [begin, end](std::size_t b) { return b >= begin && b < end; });
    if (bad != bad_bytes.end()) {
      ++out.contents().rows_seen;
      out.problem(line_of(*bad), fmt::format("bad encoding: invalid UTF-8 byte in the row "
                                             "starting on line {}",
                                             line));
      continue;
    }
    out.accept(line, document[i]);
  }
}

std::string join_names(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

void read_csv(const std::string& text, Collector& out) {
  std::vector<CsvRecord> records = read_csv_records(text);
  if (records.empty()) return;
  const CsvRecord& header = records.front();
  std::vector<std::string> columns;
  for (const auto& name : header.fields) columns.push_back(trim(name));
  const auto column_of = [&columns](const std::string& name) -> std::optional<std::size_t> {
    const auto found = std::find(columns.begin(), columns.end(), name);
    if (found == columns.end()) return std::nullopt;
    return static_cast<std::size_t>(found - columns.begin());
  };
  for (const char* required : {"instruction", "input", "output_1", "output_2", "preference"}) {
    if (!column_of(required)) {
      throw Error(fmt::format("{}:{}: the CSV header has no column '{}' (columns: {})", out.file(),
                              header.line, required, join_names(columns)));
    }
  }
  const auto annotator_column = column_of("annotator");
  for (std::size_t r = 1; r < records.size(); ++r) {
    const CsvRecord& record = records[r];
    ++out.contents().rows_seen;
    if (!record.problem.empty()) {
      out.problem(record.line, "malformed CSV: " + record.problem);
      continue;
    }
    std::vector<std::string> problems;
    if (record.fields.size() != columns.size()) {
      problems.push_back(fmt::format("row has {} fields but the header has {}",
                                     record.fields.size(), columns.size()));
    }
    for (std::size_t f = 0; f < record.fields.size(); ++f) {
      if (const auto bad = find_invalid_utf8(record.fields[f])) {
        problems.push_back(fmt::format("bad encoding: invalid UTF-8 byte 0x{:02X} in field '{}'",
                                       static_cast<unsigned char>(record.fields[f][*bad]),
                                       f < columns.size() ? columns[f] : std::to_string(f + 1)));
      }
    }
    if (!problems.empty()) {
      out.problem(record.line, join(problems));
      continue;
    }
    HumanAnnotationRow row;
    row.line = record.line;
    row.instruction = record.fields[*column_of("instruction")];
    row.input = record.fields[*column_of("input")];
    row.output_1 = record.fields[*column_of("output_1")];
    row.output_2 = record.fields[*column_of("output_2")];
    const std::string preference = trim(record.fields[*column_of("preference")]);
    if (preference.empty()) {
      out.problem(record.line, "missing value for field 'preference'");
      continue;
    }
    const auto label = preference_from_text(preference);
    if (!label) {
      out.problem(record.line, fmt::format("bad preference value '{}' (expected 0, 1, 2, or 1.5 "
                                           "for a tie)",
                                           preference));
      continue;
    }
    row.preference = *label;
    if (annotator_column) row.annotator = trim(record.fields[*annotator_column]);
    out.contents().rows.push_back(std::move(row));
  }
}

}  // namespace

std::string RowProblem::describe() const {
  return fmt::format("{}:{}: {}", file, line, message);
}

HumanFileFormat parse_human_file_format(const std::string& name) {
  if (name == "json") return HumanFileFormat::json;
  if (name == "jsonl") return HumanFileFormat::jsonl;
  if (name == "csv") return HumanFileFormat::csv;
  if (name == "auto" || name.empty()) return HumanFileFormat::automatic;
  throw Error("unknown human annotation format '" + name + "' (auto, json, jsonl or csv)");
}

HumanFileContents read_human_text(const std::string& text, const std::string& file,
                                  HumanFileFormat format) {
  if (format == HumanFileFormat::automatic) {
    const std::string extension = std::filesystem::path(file).extension().string();
    if (extension == ".csv") {
      format = HumanFileFormat::csv;
    } else if (extension == ".jsonl") {
      format = HumanFileFormat::jsonl;
    } else {
      const auto first = text.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
      format = first != std::string::npos && text[first] == '[' ? HumanFileFormat::json
                                                                : HumanFileFormat::jsonl;
    }
  }
  HumanFileContents contents;
  Collector collector(contents, file);
  switch (format) {
    case HumanFileFormat::json:
      read_json_array(text, collector);
      break;
    case HumanFileFormat::csv:
      read_csv(text, collector);
      break;
    default:
      read_jsonl(text, collector);
      break;
  }
  return contents;
}

HumanFileContents read_human_file(const std::filesystem::path& file, HumanFileFormat format) {
  std::string text;
  try {
    text = core::read_file(file);  // regular files only
  } catch (const Error& error) {
    throw Error(std::string("cannot read the human annotation file: ") + error.what());
  }
  return read_human_text(text, file.string(), format);
}

}  // namespace paddock::annotators
