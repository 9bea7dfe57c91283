// A decoder-only transformer's shape, read from and written to a Hugging Face config.json.
// Two families share one implementation: GPT-2 (learned positions, LayerNorm, GELU, tied
// embeddings, fused QKV) and LLaMA (RoPE, RMSNorm, SwiGLU, grouped-query attention).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace paddock::transformer {

enum class ModelFamily : std::uint8_t { gpt2, llama };

// LLaMA's rotary scaling, config.json's rope_scaling (rope_parameters in newer files):
// linear divides every frequency by `factor`; llama3 (LLaMA 3.1 and later) divides the low
// frequencies by it, keeps the high ones and blends between (rotary.hpp).
enum class RopeScalingType : std::uint8_t { none, linear, llama3 };

struct RopeScaling {
  RopeScalingType type = RopeScalingType::none;
  double factor = 1.0;
  double low_frequency_factor = 1.0;        // llama3
  double high_frequency_factor = 4.0;       // llama3
  std::int64_t original_max_positions = 0;  // llama3: the context it was trained on

  bool operator==(const RopeScaling&) const = default;
};

struct ModelConfig {
  ModelFamily family = ModelFamily::gpt2;
  std::int64_t vocab_size = 0;
  std::int64_t hidden_size = 0;
  std::int64_t layers = 0;
  std::int64_t heads = 0;
  std::int64_t kv_heads = 0;           // LLaMA's grouped-query attention; = heads for GPT-2
  std::int64_t intermediate_size = 0;  // MLP width
  std::int64_t max_positions = 0;
  double norm_epsilon = 1e-5;
  double rope_theta = 10000.0;  // LLaMA only
  RopeScaling rope_scaling;     // LLaMA only
  // Mistral's checkpoints: the LLaMA architecture, saved back as model_type "mistral", whose
  // attention sees only the last `sliding_window` positions (0: all). Paddock attends to the
  // whole sequence, the same thing up to the window, so runs no longer sequences.
  bool mistral = false;
  std::int64_t sliding_window = 0;
  bool tie_embeddings = true;  // output layer shares the token embedding
  // GPT-2's scale_attn_weights (scores / sqrt(head_dim)) and scale_attn_by_inverse_layer_idx
  // (scores / (layer + 1)); LLaMA always divides by sqrt(head_dim) alone.
  bool scale_attention_by_head_dim = true;
  bool scale_attention_by_layer = false;
  std::int64_t bos_token_id = -1;
  std::int64_t eos_token_id = -1;

  std::int64_t head_dim() const { return hidden_size / heads; }
  // The longest sequence Paddock runs: max_positions, or a shorter sliding window.
  std::int64_t context_length() const {
    return sliding_window > 0 && sliding_window < max_positions ? sliding_window : max_positions;
  }
  std::int64_t parameter_count() const;  // without reward and value heads
};

// Reads config.json; throws paddock::Error naming the file and the field for an unknown
// architecture, a missing or mistyped field, or inconsistent sizes.
ModelConfig read_model_config(const std::filesystem::path& file);
ModelConfig parse_model_config(const nlohmann::json& json, const std::string& source);
// Checks the sizes fit together; throws paddock::Error naming `source` otherwise.
void validate_model_config(const ModelConfig& config, const std::string& source);
// The config.json a Hugging Face library would write for this model.
nlohmann::json model_config_to_json(const ModelConfig& config);

}  // namespace paddock::transformer
