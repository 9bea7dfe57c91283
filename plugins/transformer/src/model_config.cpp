// config.json <-> ModelConfig for the GPT-2 and LLaMA families.
#include "paddock/transformer/model_config.hpp"
#include "paddock/core/json_text.hpp"

#include <fstream>
#include <optional>

#include "paddock/core/files.hpp"
#include "paddock/error.hpp"

namespace paddock::transformer {
namespace {

class ConfigReader {
 public:
  ConfigReader(const nlohmann::json& json, std::string source, std::string prefix = "")
      : json_(json), source_(std::move(source)), prefix_(std::move(prefix)) {}

  std::int64_t integer(const char* field) const {
    const auto* value = find(field);
    if (!value) fail(field, "is missing");
    if (!value->is_number_integer()) fail(field, "must be an integer");
    return value->get<std::int64_t>();
  }
  std::int64_t integer_or(const char* field, std::int64_t fallback) const {
    const auto* value = find(field);
    if (!value || value->is_null()) return fallback;
    if (!value->is_number_integer()) fail(field, "must be an integer or null");
    return value->get<std::int64_t>();
  }
  double number_or(const char* field, double fallback) const {
    const auto* value = find(field);
    if (!value || value->is_null()) return fallback;
    if (!value->is_number()) fail(field, "must be a number");
    return value->get<double>();
  }
  bool boolean_or(const char* field, bool fallback) const {
    const auto* value = find(field);
    if (!value || value->is_null()) return fallback;
    if (!value->is_boolean()) fail(field, "must be true or false");
    return value->get<bool>();
  }
  std::string string_or(const char* field, const std::string& fallback) const {
    const auto* value = find(field);
    if (!value || value->is_null()) return fallback;
    if (!value->is_string()) fail(field, "must be a string");
    return value->get<std::string>();
  }
  // A token id, or a list of them (LLaMA 3 lists every id that ends a turn): the first.
  std::int64_t token_id_or(const char* field, std::int64_t fallback) const {
    const auto* value = find(field);
    if (value && value->is_array()) {
      if (value->empty()) return fallback;
      for (const auto& id : *value)
        if (!id.is_number_integer()) fail(field, "must be an integer or a list of integers");
      return value->front().get<std::int64_t>();
    }
    return integer_or(field, fallback);
  }
  // A field Paddock's decoder does not implement: refused, by name, unless it has the value
  // that means "as usual".
  template <class Value>
  void require(const char* field, const Value& usual, const std::string& why) const {
    const auto* value = find(field);
    if (!value || value->is_null() || *value == usual) return;
    fail(field, "is " + value->dump() + "; " + why);
  }
  [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
    throw Error(source_ + ": field '" + prefix_ + field + "' " + problem);
  }
  // The object `field` (null or absent: none), read by a reader of its own whose errors
  // name it as `field.member`.
  std::optional<ConfigReader> object_or_none(const char* field) const {
    const auto* value = find(field);
    if (!value || value->is_null()) return std::nullopt;
    if (!value->is_object()) fail(field, "must be an object or null");
    return ConfigReader(*value, source_, prefix_ + field + ".");
  }
  std::size_t size() const { return json_.size(); }
  bool has(const char* field) const {
    const auto* value = find(field);
    return value && !value->is_null();
  }
  double positive_number(const char* field) const {
    if (!has(field)) fail(field, "is missing");
    const double value = number_or(field, 0.0);
    if (!(value > 0)) fail(field, "must be positive");
    return value;
  }

 private:
  const nlohmann::json* find(const char* field) const {
    auto it = json_.find(field);
    return it == json_.end() ? nullptr : &*it;
  }
  const nlohmann::json& json_;
  std::string source_;
  std::string prefix_;  // "rope_scaling." inside that object: errors name the whole path
};

// rope_scaling's (or rope_parameters') type and values; `rope_type`, or the older `type`
// (Hugging Face copies `type` over `rope_type`: the two must agree). An object with other
// settings but no type is refused, not read as unscaled.
RopeScaling read_rope_scaling(const ConfigReader& read, bool holds_rope_theta) {
  const std::string rope_type = read.string_or("rope_type", "");
  const std::string old_type = read.string_or("type", "");
  if (!rope_type.empty() && !old_type.empty() && rope_type != old_type)
    read.fail("type", "is '" + old_type + "', but rope_type is '" + rope_type + "'");
  const std::string type = old_type.empty() ? rope_type : old_type;
  RopeScaling scaling;
  if (type.empty()) {
    if (read.size() > (holds_rope_theta && read.has("rope_theta") ? 1U : 0U))
      read.fail("rope_type", "is missing");
    return scaling;
  }
  if (type == "default") return scaling;
  if (type == "linear") {
    scaling.type = RopeScalingType::linear;
    scaling.factor = read.positive_number("factor");
  } else if (type == "llama3") {
    scaling.type = RopeScalingType::llama3;
    scaling.factor = read.positive_number("factor");
    scaling.low_frequency_factor = read.positive_number("low_freq_factor");
    scaling.high_frequency_factor = read.positive_number("high_freq_factor");
    if (!(scaling.high_frequency_factor > scaling.low_frequency_factor))
      read.fail("high_freq_factor", "must be greater than low_freq_factor");
    scaling.original_max_positions = read.integer("original_max_position_embeddings");
    if (scaling.original_max_positions <= 0)
      read.fail("original_max_position_embeddings", "must be positive");
  } else {
    read.fail(read.has("rope_type") ? "rope_type" : "type",
              "is '" + type + "'; supported: default, linear, llama3");
  }
  return scaling;
}

// LLaMA's rope_theta and rope_scaling, or the rope_parameters object newer files write in
// their place (which holds rope_theta too); both at once must agree.
void read_rotary_settings(const ConfigReader& read, ModelConfig& config) {
  config.rope_theta = read.number_or("rope_theta", 10000.0);
  const auto parameters = read.object_or_none("rope_parameters");
  const auto scaling = read.object_or_none("rope_scaling");
  if (parameters) {
    if (parameters->has("rope_theta")) {
      const double theta = parameters->number_or("rope_theta", 0.0);
      if (read.has("rope_theta") && theta != config.rope_theta)
        parameters->fail("rope_theta", "contradicts the top-level rope_theta");
      config.rope_theta = theta;
    }
    config.rope_scaling = read_rope_scaling(*parameters, /*holds_rope_theta=*/true);
    if (scaling && !(read_rope_scaling(*scaling, false) == config.rope_scaling))
      read.fail("rope_scaling", "contradicts rope_parameters");
  } else if (scaling) {
    config.rope_scaling = read_rope_scaling(*scaling, false);
  }
  if (!(config.rope_theta > 0)) read.fail("rope_theta", "must be positive");
}

}  // namespace

std::int64_t ModelConfig::parameter_count() const {
  const std::int64_t h = hidden_size, kv = kv_heads * head_dim();
  std::int64_t per_layer = 0, total = vocab_size * h;
  if (family == ModelFamily::gpt2) {
    per_layer = 4 * h + (h * 3 * h + 3 * h) + (h * h + h) +
                (h * intermediate_size + intermediate_size) + (intermediate_size * h + h);
    total += max_positions * h + 2 * h;
  } else {
    per_layer = 2 * h + h * h + 2 * h * kv + h * h + 3 * h * intermediate_size;
    total += h;
  }
  if (!tie_embeddings) total += vocab_size * h;
  return total + layers * per_layer;
}

void validate_model_config(const ModelConfig& config, const std::string& source) {
  auto positive = [&](std::int64_t value, const char* what) {
    if (value <= 0)
      throw Error(source + ": " + what + " must be positive, got " + std::to_string(value));
  };
  positive(config.vocab_size, "vocab_size");
  positive(config.hidden_size, "the hidden size");
  positive(config.layers, "the number of layers");
  positive(config.heads, "the number of attention heads");
  positive(config.kv_heads, "the number of key/value heads");
  positive(config.intermediate_size, "the intermediate size");
  positive(config.max_positions, "the maximum number of positions");
  if (config.hidden_size % config.heads != 0) {
    throw Error(source + ": hidden size " + std::to_string(config.hidden_size) +
                " is not divisible by the " + std::to_string(config.heads) + " attention heads");
  }
  if (config.heads % config.kv_heads != 0) {
    throw Error(source + ": " + std::to_string(config.heads) +
                " attention heads are not a multiple of " + std::to_string(config.kv_heads) +
                " key/value heads");
  }
  if (config.family == ModelFamily::llama && config.head_dim() % 2 != 0) {
    throw Error(source + ": rotary embeddings need an even head dimension");
  }
  if (!(config.norm_epsilon > 0)) throw Error(source + ": the norm epsilon must be positive");
}

ModelConfig parse_model_config(const nlohmann::json& json, const std::string& source) {
  if (!json.is_object()) throw Error(source + ": expected a JSON object");
  const ConfigReader read(json, source);
  std::string type = read.string_or("model_type", "");
  if (type.empty() && json.contains("architectures") && json["architectures"].is_array() &&
      !json["architectures"].empty() && json["architectures"][0].is_string()) {
    const std::string architecture = json["architectures"][0];
    if (architecture.rfind("GPT2", 0) == 0) type = "gpt2";
    if (architecture.rfind("Llama", 0) == 0) type = "llama";
    if (architecture.rfind("Mistral", 0) == 0) type = "mistral";
  }
  ModelConfig config;
  if (type == "gpt2") {
    config.family = ModelFamily::gpt2;
    config.vocab_size = read.integer("vocab_size");
    config.hidden_size = read.integer("n_embd");
    config.layers = read.integer("n_layer");
    config.heads = read.integer("n_head");
    config.kv_heads = config.heads;
    config.intermediate_size = read.integer_or("n_inner", 4 * config.hidden_size);
    config.max_positions = read.integer("n_positions");
    config.norm_epsilon = read.number_or("layer_norm_epsilon", 1e-5);
    config.tie_embeddings = read.boolean_or("tie_word_embeddings", true);
    const std::string activation = read.string_or("activation_function", "gelu_new");
    if (activation != "gelu_new" && activation != "gelu_pytorch_tanh") {
      read.fail("activation_function", "is '" + activation + "'; only gelu_new is supported");
    }
    // Both scale the attention scores; Hugging Face applies them in this order.
    config.scale_attention_by_head_dim = read.boolean_or("scale_attn_weights", true);
    config.scale_attention_by_layer = read.boolean_or("scale_attn_by_inverse_layer_idx", false);
    read.require("add_cross_attention", false,
                 "cross-attention (an encoder-decoder GPT-2) is not supported");
  } else if (type == "llama" || type == "mistral") {
    config.family = ModelFamily::llama;
    config.mistral = type == "mistral";
    // Hugging Face's LLaMA ignores a sliding_window; so does Paddock. Its Mistral reads an
    // absent one as 4096 (Mistral 7B v0.1's) and null as none.
    if (config.mistral) {
      config.sliding_window =
          json.contains("sliding_window") ? read.integer_or("sliding_window", 0) : 4096;
      if (config.sliding_window <= 0 && read.has("sliding_window"))
        read.fail("sliding_window", "must be positive or null");
    }
    config.vocab_size = read.integer("vocab_size");
    config.hidden_size = read.integer("hidden_size");
    config.layers = read.integer("num_hidden_layers");
    config.heads = read.integer("num_attention_heads");
    config.kv_heads = read.integer_or("num_key_value_heads", config.heads);
    config.intermediate_size = read.integer("intermediate_size");
    config.max_positions = read.integer("max_position_embeddings");
    config.norm_epsilon = read.number_or("rms_norm_eps", 1e-6);
    read_rotary_settings(read, config);
    config.tie_embeddings = read.boolean_or("tie_word_embeddings", false);
    const std::string activation = read.string_or("hidden_act", "silu");
    if (activation != "silu")
      read.fail("hidden_act", "is '" + activation + "'; only silu is supported");
    read.require("attention_bias", false, "biases on the attention projections are not supported");
    read.require("mlp_bias", false, "biases on the MLP projections are not supported");
    if (config.heads > 0 && config.hidden_size % config.heads == 0) {
      read.require("head_dim", config.hidden_size / config.heads,
                   "only hidden_size / num_attention_heads (" +
                       std::to_string(config.hidden_size / config.heads) + ") is supported");
    }
  } else if (type.empty()) {
    read.fail("model_type", "is missing (and no known architectures entry)");
  } else {
    read.fail("model_type", "is '" + type + "'; supported: gpt2, llama, mistral");
  }
  config.bos_token_id = read.token_id_or("bos_token_id", -1);
  config.eos_token_id = read.token_id_or("eos_token_id", -1);
  validate_model_config(config, source);
  return config;
}

ModelConfig read_model_config(const std::filesystem::path& file) {
  nlohmann::json json;
  try {
    json = core::parse_json_text<nlohmann::json>(core::read_file(file));
  } catch (const nlohmann::json::parse_error& error) {
    throw Error(file.string() + ": not valid JSON: " + error.what());
  }
  return parse_model_config(json, file.string());
}

nlohmann::json model_config_to_json(const ModelConfig& config) {
  nlohmann::json json;
  if (config.family == ModelFamily::gpt2) {
    json = {{"architectures", {"GPT2LMHeadModel"}},
            {"model_type", "gpt2"},
            {"vocab_size", config.vocab_size},
            {"n_embd", config.hidden_size},
            {"n_layer", config.layers},
            {"n_head", config.heads},
            {"n_inner", config.intermediate_size},
            {"n_positions", config.max_positions},
            // Its old alias: llama.cpp's converter, for one, reads only this.
            {"n_ctx", config.max_positions},
            {"layer_norm_epsilon", config.norm_epsilon},
            {"activation_function", "gelu_new"},
            {"scale_attn_weights", config.scale_attention_by_head_dim},
            {"scale_attn_by_inverse_layer_idx", config.scale_attention_by_layer},
            {"tie_word_embeddings", config.tie_embeddings}};
  } else {
    json = {{"architectures", {config.mistral ? "MistralForCausalLM" : "LlamaForCausalLM"}},
            {"model_type", config.mistral ? "mistral" : "llama"},
            {"vocab_size", config.vocab_size},
            {"hidden_size", config.hidden_size},
            {"num_hidden_layers", config.layers},
            {"num_attention_heads", config.heads},
            {"num_key_value_heads", config.kv_heads},
            {"intermediate_size", config.intermediate_size},
            {"max_position_embeddings", config.max_positions},
            {"rms_norm_eps", config.norm_epsilon},
            {"rope_theta", config.rope_theta},
            {"hidden_act", "silu"},
            {"tie_word_embeddings", config.tie_embeddings}};
    if (config.mistral) {
      json["sliding_window"] =
          config.sliding_window > 0 ? nlohmann::json(config.sliding_window) : nlohmann::json();
    }
    const RopeScaling& scaling = config.rope_scaling;
    if (scaling.type == RopeScalingType::linear) {
      json["rope_scaling"] = {{"rope_type", "linear"}, {"factor", scaling.factor}};
    } else if (scaling.type == RopeScalingType::llama3) {
      json["rope_scaling"] = {{"rope_type", "llama3"},
                              {"factor", scaling.factor},
                              {"low_freq_factor", scaling.low_frequency_factor},
                              {"high_freq_factor", scaling.high_frequency_factor},
                              {"original_max_position_embeddings", scaling.original_max_positions}};
    }
  }
  if (config.bos_token_id >= 0) json["bos_token_id"] = config.bos_token_id;
  if (config.eos_token_id >= 0) json["eos_token_id"] = config.eos_token_id;
  json["torch_dtype"] = "float32";
  return json;
}

}  // namespace paddock::transformer
