// The `datasets` plugin: Dataset sources and transforms every pipeline needs.
#include "dataset_nodes.hpp"
#include "paddock/plugin.hpp"

namespace {

void register_datasets(paddock::Registrar& registrar) {
  registrar.add_node_type(paddock::datasets::dataset_file_node_type());
  registrar.add_node_type(paddock::datasets::dataset_sample_node_type());
  registrar.add_node_type(paddock::datasets::dataset_stats_node_type());
  registrar.add_node_type(paddock::datasets::dataset_concat_node_type());
}

}  // namespace

PADDOCK_PLUGIN("datasets", "0.1.0", "Read, sample and describe Alpaca-format datasets.",
               register_datasets)
