// Dataset: a table of records (JSON objects). Alpaca-format data carries `instruction`,
// `input` and `output`; preference data `output_1`, `output_2` and `preference`; any other
// column travels along untouched. Persisted as JSON Lines, one record per line.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "paddock/artifact.hpp"
#include "paddock/error.hpp"

namespace paddock {

using Record = nlohmann::ordered_json;

class PADDOCK_API Dataset : public Artifact {
 public:
  Dataset() = default;
  explicit Dataset(std::vector<Record> records);
  ~Dataset() override;

  std::string_view type_name() const override { return artifact_type::kDataset; }

  const std::vector<Record>& records() const { return records_; }
  std::vector<Record>& records() { return records_; }
  std::size_t size() const { return records_.size(); }
  bool empty() const { return records_.empty(); }
  const Record& operator[](std::size_t row) const { return records_[row]; }
  void add(Record record);

  // Reads .jsonl (one object per line) or .json (an array of objects, AlpacaFarm's release
  // format). Errors name the file, line and column.
  static Dataset load(const std::filesystem::path& file);
  // Writes JSON Lines through a temporary file and a rename: never half-written.
  void save_jsonl(const std::filesystem::path& file) const;

 private:
  std::vector<Record> records_;
};

// A record's string column; throws naming the column and row when missing or not a string.
PADDOCK_API const std::string& text_column(const Record& record, std::string_view column,
                                           std::size_t row);

}  // namespace paddock
