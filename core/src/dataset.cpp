// Dataset persistence: JSON Lines and JSON arrays in, JSON Lines out, with located errors.
#include "paddock/dataset.hpp"
#include "paddock/core/json_text.hpp"

#include <sstream>

#include "paddock/core/files.hpp"
#include "paddock/error.hpp"

namespace paddock {
namespace {

// Byte offset -> 1-based line and column within `text`.
std::pair<std::size_t, std::size_t> line_and_column(const std::string& text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

std::string where(const std::filesystem::path& file, std::size_t line, std::size_t column) {
  return file.string() + ":" + std::to_string(line) + ":" + std::to_string(column);
}

Dataset load_json_lines(const std::filesystem::path& file, const std::string& text) {
  std::vector<Record> records;
  std::size_t line_start = 0, line_number = 0;
  while (line_start < text.size()) {
    std::size_t line_end = text.find('\n', line_start);
    if (line_end == std::string::npos) line_end = text.size();
    ++line_number;
    std::string_view line(text.data() + line_start, line_end - line_start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") != std::string_view::npos) {
      Record record;
      try {
        record = core::parse_json_text<Record>(line);
      } catch (const nlohmann::json::parse_error& error) {
        const std::size_t column = error.byte == 0 ? 1 : error.byte;
        throw Error(where(file, line_number, column) + ": not valid JSON: " + error.what());
      }
      if (!record.is_object()) {
        throw Error(where(file, line_number, 1) + ": expected a JSON object per line, found " +
                    std::string(record.type_name()));
      }
      records.push_back(std::move(record));
    }
    line_start = line_end + 1;
  }
  return Dataset(std::move(records));
}

Dataset load_json_array(const std::filesystem::path& file, const std::string& text) {
  Record document;
  try {
    document = core::parse_json_text<Record>(text);
  } catch (const nlohmann::json::parse_error& error) {
    auto [line, column] = line_and_column(text, error.byte == 0 ? 0 : error.byte - 1);
    throw Error(where(file, line, column) + ": not valid JSON: " + error.what());
  }
  if (!document.is_array()) {
    throw Error(file.string() + ": expected a JSON array of records, found " +
                std::string(document.type_name()));
  }
  std::vector<Record> records;
  records.reserve(document.size());
  for (std::size_t i = 0; i < document.size(); ++i) {
    if (!document[i].is_object()) {
      throw Error(file.string() + ": element " + std::to_string(i) + " is not a JSON object but " +
                  std::string(document[i].type_name()));
    }
    records.push_back(std::move(document[i]));
  }
  return Dataset(std::move(records));
}

}  // namespace

Dataset::Dataset(std::vector<Record> records) : records_(std::move(records)) {}

void Dataset::add(Record record) {
  records_.push_back(std::move(record));
}

Dataset Dataset::load(const std::filesystem::path& file) {
  const std::string text = core::read_file(file);
  const std::string extension = file.extension().string();
  if (extension == ".json") return load_json_array(file, text);
  if (extension == ".jsonl") return load_json_lines(file, text);
  throw Error(file.string() + ": unknown dataset format '" + extension +
              "' (expected .json or .jsonl)");
}

void Dataset::save_jsonl(const std::filesystem::path& file) const {
  std::string content;
  for (const Record& record : records_) {
    content +=
        record.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::strict);
    content += '\n';
  }
  core::write_file_atomically(file, content);
}

const std::string& text_column(const Record& record, std::string_view column, std::size_t row) {
  auto it = record.find(column);
  if (it == record.end()) {
    throw Error("row " + std::to_string(row) + " has no column '" + std::string(column) + "'");
  }
  if (!it->is_string()) {
    throw Error("row " + std::to_string(row) + ": column '" + std::string(column) + "' is " +
                std::string(it->type_name()) + ", expected a string");
  }
  return it->get_ref<const std::string&>();
}

}  // namespace paddock
