// `noisy_ensemble`: AlpacaFarm's training-time annotator over a pool of judges.
#include <memory>

#include "annotator_nodes.hpp"
#include "noisy_ensemble.hpp"
#include "paddock/seed.hpp"
#include "paddock/settings_schema.hpp"
#include "paddock/simple_node.hpp"

namespace paddock::annotators {
namespace {

struct NoisyEnsembleSettings {
  double p_label_flip = 0.25;
  std::int64_t seed = -1;
  std::string seed_label;
};

SettingsSchema<NoisyEnsembleSettings> noisy_ensemble_schema() {
  using S = NoisyEnsembleSettings;
  SettingsSchema<S> schema;
  schema
      .number("p_label_flip", &S::p_label_flip,
              "label noise: with probability 2p a row's label is a fair coin (AlpacaFarm "
              "used 0.25 for training data, 0 for evaluation)",
              /*minimum=*/0.0, /*maximum=*/0.5)
      .integer("seed", &S::seed,
               "base seed S; -1 uses the node's seed derive_seed(pipeline seed, node "
               "name). Set it to share judge choices across nodes or pipelines",
               /*minimum=*/-1.0)
      .text("seed_label", &S::seed_label,
            "when set, S becomes derive_seed(S, seed_label): another draw of judges, "
            "swaps and noise without renaming the node");
  return schema;
}

void run_noisy_ensemble(NodeContext& context) {
  const NoisyEnsembleSettings settings = noisy_ensemble_schema().read(context.params());
  std::vector<std::shared_ptr<Annotator>> inputs;
  for (const auto& artifact : context.inputs("judges")) {
    auto annotator = std::dynamic_pointer_cast<Annotator>(artifact);
    if (!annotator) throw Error("noisy_ensemble: an input on 'judges' is not an Annotator");
    inputs.push_back(std::move(annotator));
  }
  NoisyEnsembleOptions options;
  options.name = context.node_name();
  options.p_label_flip = settings.p_label_flip;
  options.seed = settings.seed >= 0 ? static_cast<std::uint64_t>(settings.seed) : context.seed();
  if (!settings.seed_label.empty()) options.seed = derive_seed(options.seed, settings.seed_label);
  auto ensemble = std::make_shared<NoisyEnsembleAnnotator>(std::move(inputs), options);
  std::string names;
  for (const auto& judge : ensemble->judges()) names += (names.empty() ? "" : ", ") + judge->name();
  context.log().info("noisy ensemble of {} judges ({}), p_label_flip {}", ensemble->judges().size(),
                     names, options.p_label_flip);
  context.set_output("annotator", std::move(ensemble));
}

}  // namespace

NodeTypeSpec noisy_ensemble_node_type() {
  NodeTypeSpec spec;
  spec.name = "noisy_ensemble";
  spec.kind = NodeKind::annotator;
  spec.summary =
      "AlpacaFarm's noisy pool annotator: one judge per instruction, swaps, label noise.";
  spec.doc =
      "Deduplicates pairs, ties identical outputs, picks one judge per row uniformly by "
      "derive_seed(S, instruction) (all pairs of an instruction share a judge), replaces the "
      "label by a fair coin with probability 2 * p_label_flip before any judge call, and "
      "shows the outputs in a random order per row (undone after). A judge with members() "
      "(world_personas, an api_llm pool) counts as its members. S is the node's seed, or "
      "`seed`, then derive_seed(S, seed_label) when seed_label is set. See docs/annotators.md.";
  PortSpec judges{"judges", "Annotator", "the judges (pools count as their members)"};
  judges.multiple = true;
  spec.inputs = {judges};
  spec.outputs = {{"annotator", "Annotator", "the ensemble"}};
  spec.params = noisy_ensemble_schema().specs();
  return make_node_type(std::move(spec), run_noisy_ensemble);
}

}  // namespace paddock::annotators
