// `transformer_load`: a model from a Hugging Face checkpoint directory, and the backend
// loader the host uses to read saved transformer models back.
#include <spdlog/spdlog.h>

#include <fstream>

#include "paddock/error.hpp"
#include "paddock/report.hpp"
#include "paddock/simple_node.hpp"
#include "paddock/torch/causal_lm.hpp"
#include "paddock/transformer/transformer_model.hpp"
#include "transformer_nodes.hpp"

namespace paddock::transformer {
namespace {

std::shared_ptr<Model> load_backend(const std::filesystem::path& directory,
                                    const std::string& device) {
  configure_torch_threads();
  return TransformerModel::load(directory, resolve_device(device));
}

// A checkpoint shipped for a world must have been made for the world this pipeline runs:
// every field of the `manifest` input must equal the one in paddock_provenance.json.
void check_manifest(const NodeContext& context, const std::filesystem::path& directory) {
  const auto required = context.input<Report>("manifest")->content();
  const std::filesystem::path file = directory / kProvenanceFile;
  const std::string where = "node '" + context.node_name() + "': " + file.string();
  std::ifstream stream(file);
  if (!stream)
    throw Error(where + " is missing, so the checkpoint cannot show which world it was made " +
                "for; export it with model_export, or leave the `manifest` input unconnected");
  nlohmann::json provenance;
  try {
    provenance = nlohmann::json::parse(stream);
  } catch (const nlohmann::json::exception& error) {
    throw Error(where + " is not valid JSON: " + error.what());
  }
  const auto recorded = provenance.find("manifest");
  if (recorded == provenance.end() || !recorded->is_object())
    throw Error(where + " records no manifest, so the checkpoint cannot show which world it was " +
                "made for");
  for (const auto& [key, value] : required.items()) {
    const auto found = recorded->find(key);
    if (found == recorded->end() || *found != value)
      throw Error(where + ": the checkpoint was made for " + key + " = " +
                  (found == recorded->end() ? std::string("(not recorded)") : found->dump()) +
                  ", but this pipeline's world has " + key + " = " + value.dump() +
                  "; pretrain a matching base (configs/world_base.toml) or run the world it " +
                  "was made for");
  }
}

void run_transformer_load(NodeContext& context) {
  configure_torch_threads();
  const auto& params = context.params();
  if (context.has_input("manifest")) check_manifest(context, params.string("path"));
  const torch::Device device = resolve_device(context.device());
  auto model = TransformerModel::load(params.string("path"), device);
  const auto& config = model->decoder().config();
  context.log().info("loaded {} model: {} layers, width {}, {:.1f}M parameters, on {}",
                     config.family == ModelFamily::gpt2 ? "GPT-2" : "LLaMA", config.layers,
                     config.hidden_size, static_cast<double>(config.parameter_count()) / 1e6,
                     device.str());
  for (const std::string& note : model->load_notes())
    context.log().warn("{}: {}", params.string("path"), note);
  context.set_output("model", model);
}

}  // namespace

ModelBackendSpec transformer_backend() {
  return {kBackendName, "GPT-2 and LLaMA decoders in LibTorch, Hugging Face checkpoint layout",
          &load_backend};
}

NodeTypeSpec transformer_load_node_type() {
  NodeTypeSpec spec;
  spec.name = "transformer_load";
  spec.kind = NodeKind::model;
  spec.summary = "Loads a GPT-2 or LLaMA checkpoint in the Hugging Face layout.";
  spec.doc =
      "The directory holds config.json, model.safetensors (or shards with "
      "model.safetensors.index.json) and tokenizer.json (or vocab.json + merges.txt) with "
      "tokenizer_config.json naming the special tokens. An optional paddock_prompt.json sets "
      "the instruction prompt template.";
  spec.inputs = {{"manifest", "Report",
                  "what the checkpoint must have been made for: each field must equal the one "
                  "recorded in its paddock_provenance.json (model_export writes it)",
                  /*optional=*/true}};
  spec.outputs = {{"model", "Model", "the loaded model"}};
  spec.params = {required_param("path", ParamType::path, "the checkpoint directory")};
  return make_node_type(std::move(spec), run_transformer_load);
}

}  // namespace paddock::transformer
