// `generate`: outputs of a model for a Dataset of Alpaca prompts, one row per sample.
#include "paddock/dataset.hpp"
#include "paddock/learning/generation.hpp"
#include "paddock/learning/learner_nodes.hpp"
#include "paddock/learning/model_access.hpp"
#include "paddock/simple_node.hpp"

namespace paddock::learning {
namespace {

struct GenerateSettings {
  GenerationOptions sampling = sampling_defaults(/*temperature=*/0.7);
  std::string generator_name;
};

SettingsSchema<GenerateSettings> generate_schema() {
  SettingsSchema<GenerateSettings> schema;
  schema.group(&GenerateSettings::sampling, generation_schema("batch_size", true))
      .text("generator_name", &GenerateSettings::generator_name,
            "the `generator` column's value (empty: the node's name)");
  return schema;
}

void run_generate(NodeContext& context) {
  configure_torch_threads();
  const auto model = context.input<Model>("model");
  TextGenerator& generator = require_text_generator(*model, context, "model");
  const auto prompts = context.input<Dataset>("prompts");
  const GenerateSettings settings = generate_schema().read(context.params());
  const GenerationOptions& options = settings.sampling;
  std::string name = settings.generator_name;
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

NodeTypeDeclaration generate_node_type() {
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
  const auto schema = generate_schema();
  spec.params = schema.specs();
  NodeTypeDeclaration declaration;
  declaration.spec = make_node_type(std::move(spec), run_generate);
  declaration.rules = schema.param_rules();
  declaration.required = {{"model", {capability::kGenerate}}};
  return declaration;
}

}  // namespace paddock::learning
