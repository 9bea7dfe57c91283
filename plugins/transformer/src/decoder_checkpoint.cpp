// Decoder weights <-> Hugging Face safetensors checkpoints.
#include "paddock/transformer/decoder_checkpoint.hpp"

#include <torch/torch.h>

#include <sstream>

#include "paddock/core/files.hpp"
#include "paddock/error.hpp"
#include "paddock/transformer/sharded_checkpoint.hpp"
#include "paddock/transformer/tensor_values.hpp"

namespace paddock::transformer {
namespace {

bool is_head(const std::string& name) {
  return name.rfind("score.", 0) == 0 || name.rfind("value_head.", 0) == 0;
}

// GPT-2 checkpoints saved from GPT2LMHeadModel prefix names with "transformer.".
std::string canonical_name(const std::string& name, ModelFamily family) {
  if (family == ModelFamily::gpt2 && name.rfind("transformer.", 0) == 0) return name.substr(12);
  return name;
}

bool is_ignored(const std::string& name, const ModelConfig& config) {
  const auto ends_with = [&](const char* suffix) {
    const std::string s(suffix);
    return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
  };
  if (config.family == ModelFamily::gpt2 &&
      (ends_with(".attn.bias") || ends_with(".attn.masked_bias"))) {
    return true;  // causal-mask buffers of older GPT-2 checkpoints, not weights
  }
  if (ends_with("rotary_emb.inv_freq")) return true;  // recomputed from rope_theta
  return config.tie_embeddings && name == "lm_head.weight";
}

torch::Tensor to_tensor(const TensorView& view) {
  std::vector<float> values = tensor_to_floats(view);
  return torch::from_blob(values.data(), view.shape, torch::kFloat32).clone();
}

}  // namespace

DecoderCheckpoint load_decoder_checkpoint(const std::filesystem::path& directory,
                                          torch::Device device) {
  const ModelConfig config = read_model_config(directory / "config.json");
  const SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint::open(directory);
  const Decoder shape_only(config, {});
  const auto required = Decoder::weight_shapes(config);

  Decoder::WeightMap weights, heads;
  for (const std::string& stored_name : checkpoint.tensor_names()) {
    const std::string name = canonical_name(stored_name, config.family);
    if (is_ignored(name, config)) continue;
    const TensorView& view = checkpoint.tensor(stored_name);
    torch::Tensor tensor = to_tensor(view);
    if (shape_only.stored_transposed(name)) tensor = tensor.t().contiguous();
    if (is_head(name)) {
      heads[name] = tensor.to(device);
      continue;
    }
    if (required.count(name) == 0) {
      throw Error(directory.string() + ": unexpected tensor '" + stored_name + "' for a " +
                  (config.family == ModelFamily::gpt2 ? "GPT-2" : "LLaMA") + " model with " +
                  std::to_string(config.layers) + " layers");
    }
    weights[name] = tensor.to(device);
  }
  for (const auto& [name, shape] : required) {
    auto it = weights.find(name);
    if (it == weights.end()) throw Error(directory.string() + ": missing tensor '" + name + "'");
    if (it->second.sizes() != c10::IntArrayRef(shape)) {
      std::ostringstream message;
      message << directory.string() << ": tensor '" << name << "' has shape " << it->second.sizes()
              << " but config.json implies " << c10::IntArrayRef(shape);
      throw Error(message.str());
    }
  }
  return {Decoder(config, std::move(weights)), std::move(heads)};
}

void save_decoder_checkpoint(const Decoder& decoder, const Decoder::WeightMap& heads,
                             const std::filesystem::path& directory,
                             std::uint64_t max_shard_bytes) {
  std::filesystem::create_directories(directory);
  core::write_file_atomically(directory / "config.json",
                              model_config_to_json(decoder.config()).dump(2) + "\n");
  std::vector<torch::Tensor> keep_alive;
  std::vector<TensorToWrite> tensors;
  auto add = [&](const std::string& name, const torch::Tensor& tensor) {
    torch::Tensor stored = tensor.detach().to(torch::kCPU, torch::kFloat32);
    if (decoder.stored_transposed(name)) stored = stored.t();
    stored = stored.contiguous();
    keep_alive.push_back(stored);
    const auto* bytes = reinterpret_cast<const std::byte*>(stored.data_ptr<float>());
    tensors.push_back({name, DType::float32, stored.sizes().vec(),
                       std::span<const std::byte>(bytes, stored.numel() * sizeof(float))});
  };
  for (const auto& [name, tensor] : decoder.weights()) add(name, tensor);
  for (const auto& [name, tensor] : heads) add(name, tensor);
  write_safetensors_checkpoint(directory, std::move(tensors), max_shard_bytes, {{"format", "pt"}});
}

}  // namespace paddock::transformer
