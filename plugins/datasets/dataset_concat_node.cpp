// `dataset_concat`: several Datasets one after the other, e.g. two splits as one training set.
#include "dataset_nodes.hpp"
#include "paddock/dataset.hpp"
#include "paddock/simple_node.hpp"

namespace paddock::datasets {
namespace {

void run_dataset_concat(NodeContext& context) {
  auto joined = std::make_shared<Dataset>();
  for (const auto& artifact : context.inputs("data")) {
    for (const Record& record : std::dynamic_pointer_cast<Dataset>(artifact)->records())
      joined->add(record);
  }
  context.log().info("{} records from {} datasets", joined->size(), context.inputs("data").size());
  context.set_output("data", joined);
}

}  // namespace

NodeTypeSpec dataset_concat_node_type() {
  NodeTypeSpec spec;
  spec.name = "dataset_concat";
  spec.kind = NodeKind::transform;
  spec.summary = "Concatenates Datasets in the order given.";
  spec.inputs = {
      {"data", "Dataset", "the datasets to join", /*optional=*/false, /*multiple=*/true}};
  spec.outputs = {{"data", "Dataset", "all their records"}};
  return make_node_type(std::move(spec), run_dataset_concat);
}

}  // namespace paddock::datasets
