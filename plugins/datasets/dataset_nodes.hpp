// Node types of the `datasets` plugin: reading, sampling and describing Datasets.
#pragma once

#include "paddock/node.hpp"

namespace paddock::datasets {

NodeTypeSpec dataset_file_node_type();
NodeTypeSpec dataset_sample_node_type();
NodeTypeSpec dataset_stats_node_type();
NodeTypeSpec dataset_concat_node_type();

}  // namespace paddock::datasets
