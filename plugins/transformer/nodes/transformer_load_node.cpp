// `transformer_load`: a model from a Hugging Face checkpoint directory, and the backend
// loader the host uses to read saved transformer models back.
#include <spdlog/spdlog.h>

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

void run_transformer_load(NodeContext& context) {
  configure_torch_threads();
  const auto& params = context.params();
  const torch::Device device = resolve_device(context.device());
  auto model = TransformerModel::load(params.string("path"), device);
  const auto& config = model->decoder().config();
  context.log().info("loaded {} model: {} layers, width {}, {:.1f}M parameters, on {}",
                     config.family == ModelFamily::gpt2 ? "GPT-2" : "LLaMA", config.layers,
                     config.hidden_size, static_cast<double>(config.parameter_count()) / 1e6,
                     device.str());
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
  spec.outputs = {{"model", "Model", "the loaded model"}};
  spec.params = {required_param("path", ParamType::path, "the checkpoint directory")};
  return make_node_type(std::move(spec), run_transformer_load);
}

}  // namespace paddock::transformer
