// Forward pass, initialisation and vocabulary growth of the decoder-only transformer.
#include "paddock/transformer/decoder.hpp"

#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "paddock/error.hpp"
#include "paddock/transformer/cpu_attention.hpp"
#include "paddock/transformer/cpu_gelu.hpp"
#include "paddock/transformer/rotary.hpp"

namespace paddock::transformer {
namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// For every position of `documents` [B, K] (see Decoder::forward): the shared prompt in force
// there, as its negative number (0: none), where it starts and how long it is so far. A
// shared prompt is in force from its first token until the row's next one.
struct SharedPromptInForce {
  torch::Tensor number, start, length;
};

SharedPromptInForce shared_prompt_in_force(const torch::Tensor& documents) {
  const std::int64_t keys = documents.size(1);
  const auto index = torch::arange(keys, documents.options()).expand_as(documents);
  const auto previous = torch::cat(
      {torch::zeros_like(documents.narrow(1, 0, 1)), documents.narrow(1, 0, keys - 1)}, 1);
  const auto shared = documents.lt(0);
  const auto none = torch::full_like(documents, -1);
  const auto first = shared.logical_and(documents.ne(previous));
  SharedPromptInForce prompt;
  prompt.start = std::get<0>(torch::where(first, index, none).cummax(1));
  const auto last = std::get<0>(torch::where(shared, index, none).cummax(1));
  const auto found = prompt.start.ge(0);
  const auto zeros = torch::zeros_like(documents);
  prompt.number = torch::where(found, documents.gather(1, prompt.start.clamp_min(0)), zeros);
  prompt.length = torch::where(found, last - prompt.start + 1, zeros);
  return prompt;
}

// Whether any position belongs to a shared prompt; on the CPU a cheap check that spares
// every decoding step the bookkeeping, elsewhere assumed (no device sync per pass).
bool may_share_prompts(const torch::Tensor& documents) {
  return !documents.device().is_cpu() ||
         (documents.numel() > 0 && documents.min().item<std::int64_t>() < 0);
}

}  // namespace

Decoder::Decoder(ModelConfig config, WeightMap weights)
    : config_(std::move(config)), weights_(std::move(weights)) {
  if (config_.family == ModelFamily::llama && !weights_.empty())
    rotary_frequencies_ = rotary_inverse_frequencies(config_, device());
}

torch::Device Decoder::device() const {
  return weights_.begin()->second.device();
}

std::string Decoder::layer_prefix(std::int64_t layer) const {
  return config_.family == ModelFamily::gpt2 ? "h." + std::to_string(layer) + "."
                                             : "model.layers." + std::to_string(layer) + ".";
}

const torch::Tensor& Decoder::weight(const std::string& name) const {
  auto it = weights_.find(name);
  if (it == weights_.end()) throw Error("model has no weight '" + name + "'");
  return it->second;
}

std::map<std::string, std::vector<std::int64_t>> Decoder::weight_shapes(const ModelConfig& config) {
  const std::int64_t h = config.hidden_size, inner = config.intermediate_size;
  const std::int64_t kv = config.kv_heads * config.head_dim();
  std::map<std::string, std::vector<std::int64_t>> shapes;
  const Decoder names(config, {});
  if (config.family == ModelFamily::gpt2) {
    shapes = {{"wte.weight", {config.vocab_size, h}},
              {"wpe.weight", {config.max_positions, h}},
              {"ln_f.weight", {h}},
              {"ln_f.bias", {h}}};
    for (std::int64_t layer = 0; layer < config.layers; ++layer) {
      const std::string p = names.layer_prefix(layer);
      shapes[p + "ln_1.weight"] = {h};
      shapes[p + "ln_1.bias"] = {h};
      shapes[p + "attn.c_attn.weight"] = {3 * h, h};
      shapes[p + "attn.c_attn.bias"] = {3 * h};
      shapes[p + "attn.c_proj.weight"] = {h, h};
      shapes[p + "attn.c_proj.bias"] = {h};
      shapes[p + "ln_2.weight"] = {h};
      shapes[p + "ln_2.bias"] = {h};
      shapes[p + "mlp.c_fc.weight"] = {inner, h};
      shapes[p + "mlp.c_fc.bias"] = {inner};
      shapes[p + "mlp.c_proj.weight"] = {h, inner};
      shapes[p + "mlp.c_proj.bias"] = {h};
    }
  } else {
    shapes = {{"model.embed_tokens.weight", {config.vocab_size, h}}, {"model.norm.weight", {h}}};
    for (std::int64_t layer = 0; layer < config.layers; ++layer) {
      const std::string p = names.layer_prefix(layer);
      shapes[p + "input_layernorm.weight"] = {h};
      shapes[p + "self_attn.q_proj.weight"] = {h, h};
      shapes[p + "self_attn.k_proj.weight"] = {kv, h};
      shapes[p + "self_attn.v_proj.weight"] = {kv, h};
      shapes[p + "self_attn.o_proj.weight"] = {h, h};
      shapes[p + "post_attention_layernorm.weight"] = {h};
      shapes[p + "mlp.gate_proj.weight"] = {inner, h};
      shapes[p + "mlp.up_proj.weight"] = {inner, h};
      shapes[p + "mlp.down_proj.weight"] = {h, inner};
    }
  }
  if (!config.tie_embeddings) shapes["lm_head.weight"] = {config.vocab_size, h};
  return shapes;
}

bool Decoder::stored_transposed(const std::string& name) const {
  return config_.family == ModelFamily::gpt2 &&
         (ends_with(name, "attn.c_attn.weight") || ends_with(name, "attn.c_proj.weight") ||
          ends_with(name, "mlp.c_fc.weight") || ends_with(name, "mlp.c_proj.weight"));
}

Decoder Decoder::initialise(const ModelConfig& config, std::uint64_t seed, torch::Device device) {
  validate_model_config(config, "model config");
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  const double residual_scale = 0.02 / std::sqrt(2.0 * static_cast<double>(config.layers));
  WeightMap weights;
  // In name order, so the draws (and so the model) depend only on the config and seed.
  for (const auto& [name, shape] : weight_shapes(config)) {
    auto tensor = torch::empty(shape, torch::kFloat32);
    if (ends_with(name, "norm.weight") || ends_with(name, "layernorm.weight") ||
        ends_with(name, "ln_1.weight") || ends_with(name, "ln_2.weight") || name == "ln_f.weight") {
      tensor.fill_(1.0);
    } else if (ends_with(name, ".bias")) {
      tensor.fill_(0.0);
    } else if (ends_with(name, "c_proj.weight") || ends_with(name, "o_proj.weight") ||
               ends_with(name, "down_proj.weight")) {
      tensor.normal_(0.0, residual_scale, generator);
    } else if (name == "wpe.weight") {
      tensor.normal_(0.0, 0.01, generator);
    } else {
      tensor.normal_(0.0, 0.02, generator);
    }
    weights[name] = tensor.to(device);
  }
  return Decoder(config, std::move(weights));
}

torch::Tensor Decoder::norm(const torch::Tensor& x, const std::string& prefix) const {
  const double eps = config_.norm_epsilon;
  if (config_.family == ModelFamily::gpt2) {
    return torch::layer_norm(x, {config_.hidden_size}, weight(prefix + ".weight"),
                             weight(prefix + ".bias"), eps);
  }
  const auto variance = x.pow(2).mean(-1, /*keepdim=*/true);
  return x * torch::rsqrt(variance + eps) * weight(prefix + ".weight");
}

Decoder::AttentionContext Decoder::attention_context(const torch::Tensor& positions,
                                                     const torch::Tensor& key_mask,
                                                     std::int64_t steps,
                                                     const KeyValueCache* cache) const {
  AttentionContext context;
  context.start = cache ? cache->length : 0;
  const std::int64_t batch = key_mask.size(0), keys = context.start + steps;
  const auto documents = key_mask.narrow(1, 0, keys).to(torch::kLong);
  const auto index_options = torch::TensorOptions().dtype(torch::kLong).device(key_mask.device());
  const auto query_index = torch::arange(context.start, keys, index_options).view({1, 1, steps, 1});
  const auto key_index = torch::arange(keys, index_options).view({1, 1, 1, keys});
  const auto key_document = documents.view({batch, 1, 1, keys});
  const auto query_document = documents.narrow(1, context.start, steps).view({batch, 1, steps, 1});
  auto visible = key_document.eq(query_document);
  if (may_share_prompts(documents)) {
    // A document that continues a shared prompt also sees that prompt (so do the padding
    // queries after it, whose outputs nobody reads).
    const auto query_prompt = shared_prompt_in_force(documents)
                                  .number.narrow(1, context.start, steps)
                                  .view({batch, 1, steps, 1});
    visible = visible.logical_or(key_document.eq(query_prompt));
  }
  context.allowed = (key_index <= query_index).logical_and(key_document.ne(0)).logical_and(visible);
  if (key_mask.device().is_cpu() && cpu_attention_shape_may_apply(steps, keys))
    context.bias = attention_bias(context.allowed);
  if (config_.family == ModelFamily::llama) {
    // Rotary embedding, halves convention: the angles of every position, once per pass.
    const auto inverse_frequency =
        rotary_frequencies_.defined() && rotary_frequencies_.device() == positions.device()
            ? rotary_frequencies_
            : rotary_inverse_frequencies(config_, positions.device());
    const auto angles =
        positions.to(torch::kFloat32).unsqueeze(-1) * inverse_frequency;  // [B, T, D/2]
    const auto both = torch::cat({angles, angles}, -1).unsqueeze(1);      // [B, 1, T, D]
    context.cos = both.cos();
    context.sin = both.sin();
  }
  return context;
}

namespace {

// x: [B, heads, T, D] rotated by the pass's rotary tables.
torch::Tensor rotate(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
  const auto halves = x.chunk(2, -1);
  const auto rotated = torch::cat({-halves[1], halves[0]}, -1);
  return x * cos + rotated * sin;
}

// Attention in LibTorch's batched products, as [B, T, heads * D]: wherever cpu_attention is
// not the faster path. The scores are divided by each divisor (1: none) in turn.
torch::Tensor reference_attention(const torch::Tensor& q, torch::Tensor k, torch::Tensor v,
                                  const torch::Tensor& allowed, double head_divisor,
                                  double layer_divisor) {
  const std::int64_t batch = q.size(0), heads = q.size(1), steps = q.size(2);
  if (k.size(1) != heads) {
    k = k.repeat_interleave(heads / k.size(1), 1);
    v = v.repeat_interleave(heads / v.size(1), 1);
  }
  auto scores = torch::matmul(q, k.transpose(-2, -1));
  if (head_divisor != 1) scores = scores / head_divisor;
  if (layer_divisor != 1) scores = scores / layer_divisor;
  // The lowest finite value, not -inf: a padding query with no visible key stays finite.
  scores = scores.masked_fill(allowed.logical_not(), std::numeric_limits<float>::lowest());
  return torch::matmul(torch::softmax(scores, -1), v)
      .transpose(1, 2)
      .reshape({batch, steps, heads * q.size(3)});
}

}  // namespace

torch::Tensor Decoder::attention(const torch::Tensor& x, std::int64_t layer,
                                 const AttentionContext& context, KeyValueCache* cache) const {
  const std::string p = layer_prefix(layer);
  const std::int64_t batch = x.size(0), steps = x.size(1), heads = config_.heads;
  const std::int64_t kv_heads = config_.kv_heads, d = config_.head_dim(), h = config_.hidden_size;
  torch::Tensor q, k, v;
  if (config_.family == ModelFamily::gpt2) {
    const auto qkv =
        torch::linear(x, weight(p + "attn.c_attn.weight"), weight(p + "attn.c_attn.bias"));
    const auto parts = qkv.split(h, -1);
    q = parts[0], k = parts[1], v = parts[2];
  } else {
    q = torch::linear(x, weight(p + "self_attn.q_proj.weight"));
    k = torch::linear(x, weight(p + "self_attn.k_proj.weight"));
    v = torch::linear(x, weight(p + "self_attn.v_proj.weight"));
  }
  q = q.view({batch, steps, heads, d}).transpose(1, 2);
  k = k.view({batch, steps, kv_heads, d}).transpose(1, 2);
  v = v.view({batch, steps, kv_heads, d}).transpose(1, 2);
  if (config_.family == ModelFamily::llama) {
    const auto cos = context.cos.to(q.dtype()), sin = context.sin.to(q.dtype());
    q = rotate(q, cos, sin);
    k = rotate(k, cos, sin);
  }
  const std::int64_t start = context.start;
  if (cache) {
    if (start + steps > cache->capacity) throw Error("key/value cache overflow");
    using torch::indexing::Slice;
    cache->keys[layer].index_put_({Slice(), Slice(), Slice(start, start + steps)}, k);
    cache->values[layer].index_put_({Slice(), Slice(), Slice(start, start + steps)}, v);
    k = cache->keys[layer].narrow(2, 0, start + steps);
    v = cache->values[layer].narrow(2, 0, start + steps);
  }
  const double head_divisor =
      config_.family == ModelFamily::llama || config_.scale_attention_by_head_dim
          ? std::sqrt(static_cast<double>(d))
          : 1.0;
  const double layer_divisor =
      config_.family == ModelFamily::gpt2 && config_.scale_attention_by_layer
          ? static_cast<double>(layer + 1)
          : 1.0;
  const auto attended =
      context.bias.defined() && cpu_attention_applies(q, k.size(2))
          ? cpu_attention(q, k, v, context.bias, 1.0 / (head_divisor * layer_divisor))
          : reference_attention(q, k, v, context.allowed, head_divisor, layer_divisor);
  if (config_.family == ModelFamily::gpt2) {
    return torch::linear(attended, weight(p + "attn.c_proj.weight"),
                         weight(p + "attn.c_proj.bias"));
  }
  return torch::linear(attended, weight(p + "self_attn.o_proj.weight"));
}

torch::Tensor Decoder::feed_forward(const torch::Tensor& x, std::int64_t layer) const {
  const std::string p = layer_prefix(layer);
  if (config_.family == ModelFamily::gpt2) {
    const auto hidden =
        gelu_tanh(torch::linear(x, weight(p + "mlp.c_fc.weight"), weight(p + "mlp.c_fc.bias")));
    return torch::linear(hidden, weight(p + "mlp.c_proj.weight"), weight(p + "mlp.c_proj.bias"));
  }
  const auto gate = torch::silu(torch::linear(x, weight(p + "mlp.gate_proj.weight")));
  return torch::linear(gate * torch::linear(x, weight(p + "mlp.up_proj.weight")),
                       weight(p + "mlp.down_proj.weight"));
}

torch::Tensor Decoder::forward(const torch::Tensor& ids, const torch::Tensor& positions,
                               const torch::Tensor& key_mask, KeyValueCache* cache) const {
  torch::Tensor x;
  if (config_.family == ModelFamily::gpt2) {
    if (positions.max().item<std::int64_t>() >= config_.max_positions) {
      throw Error("sequence longer than the model's " + std::to_string(config_.max_positions) +
                  " positions");
    }
    x = torch::embedding(weight("wte.weight"), ids) +
        torch::embedding(weight("wpe.weight"), positions);
  } else {
    // Whole-sequence attention is the sliding window's only up to the window.
    if (config_.sliding_window > 0 &&
        positions.max().item<std::int64_t>() >= config_.sliding_window) {
      throw Error("sequence longer than the model's sliding window of " +
                  std::to_string(config_.sliding_window) +
                  " positions, which Paddock does not apply");
    }
    x = torch::embedding(weight("model.embed_tokens.weight"), ids);
  }
  const std::string block = config_.family == ModelFamily::gpt2 ? "ln_1" : "input_layernorm";
  const std::string block2 =
      config_.family == ModelFamily::gpt2 ? "ln_2" : "post_attention_layernorm";
  const AttentionContext context = attention_context(positions, key_mask, ids.size(1), cache);
  for (std::int64_t layer = 0; layer < config_.layers; ++layer) {
    const std::string p = layer_prefix(layer);
    x = x + attention(norm(x, p + block), layer, context, cache);
    x = x + feed_forward(norm(x, p + block2), layer);
  }
  if (cache) cache->length += ids.size(1);
  return norm(x, config_.family == ModelFamily::gpt2 ? "ln_f" : "model.norm");
}

torch::Tensor Decoder::logits(const torch::Tensor& hidden) const {
  if (!config_.tie_embeddings) return torch::linear(hidden, weight("lm_head.weight"));
  return torch::linear(
      hidden,
      weight(config_.family == ModelFamily::gpt2 ? "wte.weight" : "model.embed_tokens.weight"));
}

KeyValueCache Decoder::make_cache(std::int64_t batch, std::int64_t capacity) const {
  KeyValueCache cache;
  cache.capacity = capacity;
  const auto options = weights_.begin()->second.options().requires_grad(false);
  for (std::int64_t layer = 0; layer < config_.layers; ++layer) {
    cache.keys.push_back(
        torch::zeros({batch, config_.kv_heads, capacity, config_.head_dim()}, options));
    cache.values.push_back(
        torch::zeros({batch, config_.kv_heads, capacity, config_.head_dim()}, options));
  }
  return cache;
}

void Decoder::grow_vocabulary(std::int64_t new_vocab_size) {
  if (new_vocab_size <= config_.vocab_size) return;
  const std::int64_t extra = new_vocab_size - config_.vocab_size;
  auto grow = [&](const std::string& name) {
    torch::NoGradGuard no_grad;
    auto& tensor = weights_.at(name);
    const bool trainable = tensor.requires_grad();
    const auto mean = tensor.mean(0, /*keepdim=*/true).expand({extra, tensor.size(1)});
    tensor = torch::cat({tensor.detach(), mean}, 0).contiguous();
    tensor.set_requires_grad(trainable);
  };
  grow(config_.family == ModelFamily::gpt2 ? "wte.weight" : "model.embed_tokens.weight");
  if (!config_.tie_embeddings) grow("lm_head.weight");
  config_.vocab_size = new_vocab_size;
}

torch::Tensor positions_from_mask(const torch::Tensor& mask) {
  const auto documents = mask.to(torch::kLong);
  const auto present = documents.ne(0).to(torch::kLong);
  const auto count = present.cumsum(1);  // the row's tokens so far, this one included
  // A document starts where the number rises above every earlier one in the row.
  const auto highest = std::get<0>(documents.cummax(1));
  const auto highest_before = torch::cat(
      {torch::zeros_like(highest.narrow(1, 0, 1)), highest.narrow(1, 0, highest.size(1) - 1)}, 1);
  const auto starts = present.to(torch::kBool).logical_and(documents > highest_before);
  // The tokens before the latest document start, carried forward.
  const auto before_document =
      std::get<0>(torch::where(starts, count - 1, torch::zeros_like(count)).cummax(1));
  const auto within = (count - 1 - before_document).clamp_min(0);
  if (!may_share_prompts(documents)) return within;
  // A shared prompt counts from 0; a document continuing one counts on from its end.
  const auto prompt = shared_prompt_in_force(documents);
  const auto index = torch::arange(documents.size(1), documents.options()).expand_as(documents);
  const auto continues = documents.gt(0).logical_and(prompt.number.ne(0));
  return torch::where(documents.lt(0), index - prompt.start,
                      torch::where(continues, within + prompt.length, within));
}

}  // namespace paddock::transformer
