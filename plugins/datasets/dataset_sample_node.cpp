// `dataset_sample`: a seeded random subset of a Dataset (or all of it, shuffled).
#include "dataset_nodes.hpp"
#include "paddock/dataset.hpp"
#include "paddock/random.hpp"
#include "paddock/settings_schema.hpp"
#include "paddock/simple_node.hpp"

namespace paddock::datasets {
namespace {

struct DatasetSampleSettings {
  std::int64_t size = 0;
  bool shuffle = true;
};

SettingsSchema<DatasetSampleSettings> dataset_sample_schema() {
  using S = DatasetSampleSettings;
  SettingsSchema<S> schema;
  schema.integer("size", &S::size, "how many records to keep; 0 keeps all", 0.0)
      .boolean("shuffle", &S::shuffle, "draw at random (seeded) rather than take the first rows");
  return schema;
}

void run_dataset_sample(NodeContext& context) {
  const DatasetSampleSettings settings = dataset_sample_schema().read(context.params());
  const auto source = context.input<Dataset>("data");
  std::vector<std::size_t> order(source->size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (settings.shuffle) shuffle(order, context.rng());
  const std::int64_t wanted = settings.size;
  const std::size_t count =
      wanted == 0 ? order.size()
                  : std::min<std::size_t>(order.size(), static_cast<std::size_t>(wanted));
  if (static_cast<std::size_t>(wanted) > order.size()) {
    context.log().warn("asked for {} rows but the dataset has {}; keeping all", wanted,
                       order.size());
  }
  auto sample = std::make_shared<Dataset>();
  for (std::size_t i = 0; i < count; ++i) sample->add((*source)[order[i]]);
  context.set_output("data", sample);
}

}  // namespace

NodeTypeSpec dataset_sample_node_type() {
  NodeTypeSpec spec;
  spec.name = "dataset_sample";
  spec.kind = NodeKind::transform;
  spec.summary = "Keeps a seeded random subset of a Dataset's records.";
  spec.inputs = {{"data", "Dataset", "the records to sample from"}};
  spec.outputs = {{"data", "Dataset", "the sampled records"}};
  spec.params = dataset_sample_schema().specs();
  return make_node_type(std::move(spec), run_dataset_sample);
}

}  // namespace paddock::datasets
