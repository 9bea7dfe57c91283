// `dataset_file`: a Dataset read from a JSON Lines or JSON-array file, checked for the
// columns the pipeline says it needs.
#include "dataset_nodes.hpp"
#include "paddock/dataset.hpp"
#include "paddock/simple_node.hpp"

namespace paddock::datasets {
namespace {

void run_dataset_file(NodeContext& context) {
  const std::string file = context.params().string("path");
  auto dataset = std::make_shared<Dataset>(Dataset::load(file));
  const auto required = context.params().string_list("required_columns");
  for (std::size_t row = 0; row < dataset->size(); ++row) {
    for (const std::string& column : required) {
      if (!(*dataset)[row].contains(column)) {
        throw Error(file + ": record " + std::to_string(row + 1) + " has no column '" + column +
                    "'");
      }
    }
  }
  if (dataset->empty() && !context.params().boolean("allow_empty")) {
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
  spec.params = {
      required_param("path", ParamType::path, "the file to read"),
      {"required_columns", ParamType::string_list, "columns every record must have",
       nlohmann::json::array({"instruction", "input", "output"})},
      boolean_param("allow_empty", false, "accept a file with no records"),
  };
  return make_node_type(std::move(spec), run_dataset_file);
}

}  // namespace paddock::datasets
