// The `transformer` plugin: GPT-2 and LLaMA decoders in LibTorch, Hugging Face checkpoints
// and byte-level BPE tokenizers.
#include "paddock/plugin.hpp"
#include "transformer_nodes.hpp"

namespace {

void register_transformer(paddock::Registrar& registrar) {
  registrar.add_node_type(paddock::transformer::transformer_init_node_type());
  registrar.add_node_type(paddock::transformer::transformer_load_node_type());
  registrar.add_node_type(paddock::transformer::model_export_node_type());
  registrar.add_model_backend(paddock::transformer::transformer_backend());
}

}  // namespace

PADDOCK_PLUGIN(
    "transformer", "0.1.0",
    "Decoder-only transformers (GPT-2, LLaMA) in LibTorch with Hugging Face checkpoints.",
    register_transformer)
