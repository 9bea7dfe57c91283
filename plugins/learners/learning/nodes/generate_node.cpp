// `generate`: outputs of a model for a Dataset of Alpaca prompts, one row per sample.
#include "paddock/dataset.hpp"
#include "paddock/learning/generation.hpp"
#include "paddock/learning/learner_nodes.hpp"
#include "paddock/learning/model_access.hpp"
#include "paddock/simple_node.hpp"

namespace paddock::learning {
namespace {

void run_generate(NodeContext& context) {
  configure_torch_threads();
  const auto model = context.input<Model>("model");
  TextGenerator& generator = require_text_generator(*model, context, "model");
  const auto prompts = context.input<Dataset>("prompts");
  const GenerationOptions options = read_generation_options(context.params());
  std::string name = context.params().string("generator_name");
  if (name.empty()) name = context.node_name();
  const auto samples =
      generate_for_rows(context, generator, *prompts, {context.node_name(), "prompts"}, options,
                        context.seed(), "generate");
  auto outputs = std::make_shared<Dataset>();
  for (std::size_t row = 0; row < prompts->size(); ++row) {
    for (std::size_t s = 0; s < samples[row].size(); ++s)
      outputs->add(
          output_row((*prompts)[row], samples[row][s], name, static_cast<std::int64_t>(s)));
  }
  context.log().info("generate: {} outputs for {} prompts as generator '{}'", outputs->size(),
                     prompts->size(), name);
  context.set_output("outputs", outputs);
}

}  // namespace

NodeTypeSpec generate_node_type() {
  GenerationOptions defaults;
  defaults.temperature = 0.7;
  defaults.top_p = 0.9;
  defaults.max_new_tokens = 128;
  defaults.batch_size = 16;
  NodeTypeSpec spec;
  spec.name = "generate";
  spec.kind = NodeKind::transform;
  spec.summary = "Generates outputs for Alpaca prompts with a model.";
  spec.doc =
      "Each prompt row becomes samples_per_prompt rows: the row with `output` set to the "
      "generation, `generator` to generator_name and `sample` to the sample's index; every "
      "other column is kept. Sampling is seeded from the node's seed; a row's samples depend on "
      "the seed, its position and the decoding parameters, not on batch_size.";
  spec.inputs = {
      {"model", "Model", "any model that generates text"},
      {"prompts", "Dataset", "records with instruction and (optional) input"},
  };
  spec.outputs = {{"outputs", "Dataset", "the prompt rows with their outputs"}};
  spec.params = generation_param_specs(defaults, /*with_samples_per_prompt=*/true);
  spec.params.push_back(string_param("generator_name", "",
                                     "the `generator` column's value (empty: the node's name)"));
  return make_node_type(std::move(spec), run_generate);
}

}  // namespace paddock::learning
