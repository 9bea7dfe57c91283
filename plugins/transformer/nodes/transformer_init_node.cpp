// `transformer_init`: a freshly initialised model, with a byte-level BPE tokenizer trained
// on a corpus Dataset (or read from a file), for worlds small enough to train from scratch.
#include <spdlog/spdlog.h>

#include "paddock/dataset.hpp"
#include "paddock/simple_node.hpp"
#include "paddock/torch/causal_lm.hpp"
#include "paddock/transformer/bpe_trainer.hpp"
#include "paddock/transformer/tokenizer_directory.hpp"
#include "paddock/transformer/transformer_model.hpp"
#include "transformer_nodes.hpp"

namespace paddock::transformer {
namespace {

BpeTokenizer make_tokenizer(NodeContext& context) {
  const auto& params = context.params();
  if (params.has("tokenizer") && !params.string("tokenizer").empty()) {
    return load_tokenizer(params.string("tokenizer"));
  }
  if (!context.has_input("corpus")) {
    throw Error("give either a `corpus` input to train a tokenizer on or a `tokenizer` file");
  }
  const auto corpus = context.input<Dataset>("corpus");
  std::vector<std::string> texts;
  for (const Record& record : corpus->records()) {
    for (const std::string& column : params.string_list("text_columns")) {
      auto it = record.find(column);
      if (it != record.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
        texts.push_back(it->get<std::string>());
      }
    }
  }
  if (texts.empty())
    throw Error("the corpus has no text in the columns " +
                nlohmann::json(params.string_list("text_columns")).dump());
  BpeTrainerOptions options;
  options.vocab_size = static_cast<std::size_t>(params.integer("vocab_size"));
  if (params.boolean("split_digits")) options.digits = DigitSplitting::individual;
  options.roles.eos = params.string("eos_token");
  options.roles.pad = params.string("pad_token");
  options.special_tokens = {options.roles.eos, options.roles.pad};
  if (!params.string("bos_token").empty()) {
    options.roles.bos = params.string("bos_token");
    options.special_tokens.push_back(options.roles.bos);
  }
  BpeTokenizer tokenizer = train_bpe_tokenizer(texts, options);
  context.log().info("trained a {}-token BPE tokenizer on {} texts", tokenizer.vocab_size(),
                     texts.size());
  return tokenizer;
}

void run_transformer_init(NodeContext& context) {
  configure_torch_threads();
  const auto& params = context.params();
  BpeTokenizer tokenizer = make_tokenizer(context);
  ModelConfig config;
  config.family = params.string("family") == "llama" ? ModelFamily::llama : ModelFamily::gpt2;
  config.vocab_size = static_cast<std::int64_t>(tokenizer.vocab_size());
  config.hidden_size = params.integer("hidden_size");
  config.layers = params.integer("layers");
  config.heads = params.integer("heads");
  config.kv_heads = params.integer("kv_heads") > 0 ? params.integer("kv_heads") : config.heads;
  config.intermediate_size =
      params.integer("intermediate_size") > 0 ? params.integer("intermediate_size")
      : config.family == ModelFamily::gpt2    ? 4 * config.hidden_size
                                              : (8 * config.hidden_size / 3 + 63) / 64 * 64;
  config.max_positions = params.integer("max_positions");
  config.tie_embeddings = params.boolean("tie_embeddings");
  config.norm_epsilon = config.family == ModelFamily::gpt2 ? 1e-5 : 1e-6;
  if (tokenizer.eos_id()) config.eos_token_id = *tokenizer.eos_id();
  if (tokenizer.bos_id()) config.bos_token_id = *tokenizer.bos_id();
  validate_model_config(config, "node '" + context.node_name() + "'");
  PromptTemplate prompt_template;
  prompt_template.with_input = params.string("prompt_with_input");
  prompt_template.without_input = params.string("prompt_without_input");
  const torch::Device device = resolve_device(context.device());
  auto model = std::make_shared<TransformerModel>(
      Decoder::initialise(config, context.seed(), device), Decoder::WeightMap{},
      std::move(tokenizer), prompt_template);
  context.log().info(
      "initialised a {} model: {} layers, width {}, {} heads, vocabulary {}, {:.2f}M parameters",
      params.string("family"), config.layers, config.hidden_size, config.heads, config.vocab_size,
      static_cast<double>(config.parameter_count()) / 1e6);
  context.set_output("model", model);
}

}  // namespace

NodeTypeSpec transformer_init_node_type() {
  const PromptTemplate defaults;
  NodeTypeSpec spec;
  spec.name = "transformer_init";
  spec.kind = NodeKind::model;
  spec.summary =
      "A freshly initialised GPT-2 or LLaMA model with a BPE tokenizer trained on a corpus.";
  spec.doc =
      "Weights are drawn from the node's seed. The tokenizer is trained on the corpus's text "
      "columns unless `tokenizer` names a tokenizer.json or a directory holding one.";
  spec.inputs = {{"corpus", "Dataset", "texts to train the tokenizer on", /*optional=*/true}};
  spec.outputs = {{"model", "Model", "the untrained model"}};
  spec.params = {
      string_param("family", "gpt2", "architecture family", {"gpt2", "llama"}),
      integer_param("vocab_size", 2048, "tokenizer size when training one", 260.0, 1e6),
      integer_param("hidden_size", 256, "model width", 8.0),
      integer_param("layers", 4, "transformer blocks", 1.0),
      integer_param("heads", 4, "attention heads", 1.0),
      integer_param("kv_heads", 0, "key/value heads for grouped-query attention (0 = heads)", 0.0),
      integer_param("intermediate_size", 0, "MLP width (0 = 4x width for GPT-2, ~8/3x for LLaMA)",
                    0.0),
      integer_param("max_positions", 512, "longest sequence in tokens", 8.0),
      boolean_param("tie_embeddings", true, "share the token embedding with the output layer"),
      path_param("tokenizer", "",
                 "an existing tokenizer.json (or its directory) instead of training one"),
      {"text_columns", ParamType::string_list, "corpus columns the tokenizer learns from",
       nlohmann::json::array({"instruction", "input", "output"})},
      boolean_param("split_digits", false,
                    "a trained tokenizer keeps every digit a token of its own (Hugging Face's "
                    "Digits pre-tokenizer), so arithmetic is learnable digit by digit"),
      string_param("eos_token", "<|endoftext|>", "end-of-sequence token of a trained tokenizer"),
      string_param("pad_token", "<|pad|>", "padding token of a trained tokenizer"),
      string_param("bos_token", "",
                   "beginning-of-sequence token of a trained tokenizer (empty: none)"),
      string_param("prompt_with_input", defaults.with_input,
                   "prompt template for instructions with an input"),
      string_param("prompt_without_input", defaults.without_input,
                   "prompt template for instructions without one"),
  };
  return make_node_type(std::move(spec), run_transformer_init);
}

}  // namespace paddock::transformer
