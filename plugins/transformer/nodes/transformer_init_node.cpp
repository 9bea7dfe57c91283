// `transformer_init`: a freshly initialised model, with a byte-level BPE tokenizer trained
// on a corpus Dataset (or read from a file), for worlds small enough to train from scratch.
#include <spdlog/spdlog.h>

#include "paddock/dataset.hpp"
#include "paddock/settings_schema.hpp"
#include "paddock/simple_node.hpp"
#include "paddock/torch/causal_lm.hpp"
#include "paddock/transformer/bpe_trainer.hpp"
#include "paddock/transformer/tokenizer_directory.hpp"
#include "paddock/transformer/transformer_model.hpp"
#include "transformer_nodes.hpp"

namespace paddock::transformer {
namespace {

struct TransformerInitSettings {
  std::string family = "gpt2";
  std::int64_t vocab_size = 2048;
  std::int64_t hidden_size = 256;
  std::int64_t layers = 4;
  std::int64_t heads = 4;
  std::int64_t kv_heads = 0;
  std::int64_t intermediate_size = 0;
  std::int64_t max_positions = 512;
  bool tie_embeddings = true;
  std::string tokenizer;
  std::vector<std::string> text_columns = {"instruction", "input", "output"};
  bool split_digits = false;
  std::string eos_token = "<|endoftext|>";
  std::string pad_token = "<|pad|>";
  std::string bos_token;
  std::string prompt_with_input = PromptTemplate{}.with_input;
  std::string prompt_without_input = PromptTemplate{}.without_input;
};

SettingsSchema<TransformerInitSettings> transformer_init_schema() {
  using S = TransformerInitSettings;
  SettingsSchema<S> schema;
  schema.text("family", &S::family, "architecture family", {"gpt2", "llama"})
      .integer("vocab_size", &S::vocab_size, "tokenizer size when training one", 260.0, 1e6)
      .integer("hidden_size", &S::hidden_size, "model width", 8.0)
      .integer("layers", &S::layers, "transformer blocks", 1.0)
      .integer("heads", &S::heads, "attention heads", 1.0)
      .integer("kv_heads", &S::kv_heads, "key/value heads for grouped-query attention (0 = heads)",
               0.0)
      .integer("intermediate_size", &S::intermediate_size,
               "MLP width (0 = 4x width for GPT-2, ~8/3x for LLaMA)", 0.0)
      .integer("max_positions", &S::max_positions, "longest sequence in tokens", 8.0)
      .boolean("tie_embeddings", &S::tie_embeddings,
               "share the token embedding with the output layer")
      .path("tokenizer", &S::tokenizer,
            "an existing tokenizer.json (or its directory) instead of training one")
      .strings("text_columns", &S::text_columns, "corpus columns the tokenizer learns from")
      .boolean("split_digits", &S::split_digits,
               "a trained tokenizer keeps every digit a token of its own (Hugging Face's "
               "Digits pre-tokenizer), so arithmetic is learnable digit by digit")
      .text("eos_token", &S::eos_token, "end-of-sequence token of a trained tokenizer")
      .text("pad_token", &S::pad_token, "padding token of a trained tokenizer")
      .text("bos_token", &S::bos_token,
            "beginning-of-sequence token of a trained tokenizer (empty: none)")
      .text("prompt_with_input", &S::prompt_with_input,
            "prompt template for instructions with an input")
      .text("prompt_without_input", &S::prompt_without_input,
            "prompt template for instructions without one");
  return schema;
}

BpeTokenizer make_tokenizer(NodeContext& context, const TransformerInitSettings& settings) {
  if (!settings.tokenizer.empty()) return load_tokenizer(settings.tokenizer);
  if (!context.has_input("corpus")) {
    throw Error("give either a `corpus` input to train a tokenizer on or a `tokenizer` file");
  }
  const auto corpus = context.input<Dataset>("corpus");
  std::vector<std::string> texts;
  for (const Record& record : corpus->records()) {
    for (const std::string& column : settings.text_columns) {
      auto it = record.find(column);
      if (it != record.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
        texts.push_back(it->get<std::string>());
      }
    }
  }
  if (texts.empty())
    throw Error("the corpus has no text in the columns " +
                nlohmann::json(settings.text_columns).dump());
  BpeTrainerOptions options;
  options.vocab_size = static_cast<std::size_t>(settings.vocab_size);
  if (settings.split_digits) options.digits = DigitSplitting::individual;
  options.roles.eos = settings.eos_token;
  options.roles.pad = settings.pad_token;
  options.special_tokens = {options.roles.eos, options.roles.pad};
  if (!settings.bos_token.empty()) {
    options.roles.bos = settings.bos_token;
    options.special_tokens.push_back(options.roles.bos);
  }
  BpeTokenizer tokenizer = train_bpe_tokenizer(texts, options);
  context.log().info("trained a {}-token BPE tokenizer on {} texts", tokenizer.vocab_size(),
                     texts.size());
  return tokenizer;
}

void run_transformer_init(NodeContext& context) {
  configure_torch_threads();
  const TransformerInitSettings settings = transformer_init_schema().read(context.params());
  BpeTokenizer tokenizer = make_tokenizer(context, settings);
  ModelConfig config;
  config.family = settings.family == "llama" ? ModelFamily::llama : ModelFamily::gpt2;
  config.vocab_size = static_cast<std::int64_t>(tokenizer.vocab_size());
  config.hidden_size = settings.hidden_size;
  config.layers = settings.layers;
  config.heads = settings.heads;
  config.kv_heads = settings.kv_heads > 0 ? settings.kv_heads : config.heads;
  config.intermediate_size = settings.intermediate_size > 0 ? settings.intermediate_size
                             : config.family == ModelFamily::gpt2
                                 ? 4 * config.hidden_size
                                 : (8 * config.hidden_size / 3 + 63) / 64 * 64;
  config.max_positions = settings.max_positions;
  config.tie_embeddings = settings.tie_embeddings;
  config.norm_epsilon = config.family == ModelFamily::gpt2 ? 1e-5 : 1e-6;
  if (tokenizer.eos_id()) config.eos_token_id = *tokenizer.eos_id();
  if (tokenizer.bos_id()) config.bos_token_id = *tokenizer.bos_id();
  validate_model_config(config, "node '" + context.node_name() + "'");
  PromptTemplate prompt_template;
  prompt_template.with_input = settings.prompt_with_input;
  prompt_template.without_input = settings.prompt_without_input;
  const torch::Device device = resolve_device(context.device());
  auto model = std::make_shared<TransformerModel>(
      Decoder::initialise(config, context.seed(), device), Decoder::WeightMap{},
      std::move(tokenizer), prompt_template);
  context.log().info(
      "initialised a {} model: {} layers, width {}, {} heads, vocabulary {}, {:.2f}M parameters",
      settings.family, config.layers, config.hidden_size, config.heads, config.vocab_size,
      static_cast<double>(config.parameter_count()) / 1e6);
  context.set_output("model", model);
}

}  // namespace

NodeTypeSpec transformer_init_node_type() {
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
  spec.params = transformer_init_schema().specs();
  return make_node_type(std::move(spec), run_transformer_init);
}

}  // namespace paddock::transformer
