// `dataset_file`: a Dataset read from a JSON Lines or JSON-array file, checked for the
// columns the pipeline says it needs.
#include "dataset_nodes.hpp"
#include "paddock/dataset.hpp"
#include "paddock/settings_schema.hpp"
#include "paddock/simple_node.hpp"

namespace paddock::datasets {
namespace {

struct DatasetFileSettings {
  std::vector<std::string> required_columns = {"instruction", "input", "output"};
  bool allow_empty = false;
};

SettingsSchema<DatasetFileSettings> dataset_file_schema() {
  using S = DatasetFileSettings;
  SettingsSchema<S> schema;
  schema.strings("required_columns", &S::required_columns, "columns every record must have")
      .boolean("allow_empty", &S::allow_empty, "accept a file with no records");
  return schema;
}

void run_dataset_file(NodeContext& context) {
  const DatasetFileSettings settings = dataset_file_schema().read(context.params());
  // `path` is required (no default), so it stays outside the schema.
  const std::string file = context.params().string("path");
  auto dataset = std::make_shared<Dataset>(Dataset::load(file));
  const auto& required = settings.required_columns;
  for (std::size_t row = 0; row < dataset->size(); ++row) {
    for (const std::string& column : required) {
      if (!(*dataset)[row].contains(column)) {
        throw Error(file + ": record " + std::to_string(row + 1) + " has no column '" + column +
                    "'");
      }
    }
  }
  if (dataset->empty() && !settings.allow_empty) {
    throw Error(file + ": the dataset is empty");
  }
  context.set_output("data", dataset);
}

}  // namespace

NodeTypeSpec dataset_file_node_type() {
  NodeTypeSpec spec;
  spec.name = "dataset_file";
  spec.kind = NodeKind::source;
  spec.summary = "Reads a Dataset from a .jsonl or .json (array of records) file.";
  spec.outputs = {{"data", "Dataset", "the records of the file"}};
  // `path` is required: a plain ParamSpec, declared first as before.
  spec.params = {required_param("path", ParamType::path, "the file to read")};
  for (ParamSpec& param : dataset_file_schema().specs()) spec.params.push_back(std::move(param));
  return make_node_type(std::move(spec), run_dataset_file);
}

}  // namespace paddock::datasets
