// The LibTorch face of a decoder-only language model, for learners: tokenization, hidden
// states, the language-model head, scalar reward and per-token value heads, parameters.
// Found with model->as<paddock::CausalLanguageModel>(); only plugins built with LibTorch
// (paddock_add_plugin(... TORCH)) include this header and link paddock_torch.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "paddock/model.hpp"

namespace paddock {

class PADDOCK_API CausalLanguageModel {
 public:
  virtual ~CausalLanguageModel();

  // Token ids of `text`; no BOS or EOS is added.
  virtual std::vector<std::int64_t> tokenize(const std::string& text) const = 0;
  virtual std::string detokenize(const std::vector<std::int64_t>& ids) const = 0;
  // The ids a sequence starts with (BOS for LLaMA-style models, nothing for GPT-2).
  virtual std::vector<std::int64_t> sequence_prefix() const = 0;
  virtual std::int64_t eos_token_id() const = 0;
  virtual std::int64_t pad_token_id() const = 0;
  virtual std::int64_t vocab_size() const = 0;
  virtual std::int64_t max_sequence_length() const = 0;
  virtual torch::Device device() const = 0;

  // Final hidden states [B, T, H] of token ids [B, T] under an attention mask [B, T]
  // (1 = token, 0 = padding; padding may sit on either side). A mask may also pack several
  // documents in a row, numbered 1, 2, ... rising along it, each attending only to itself
  // with positions from 0; and a run of a negative number (-1, -2, ..., distinct within a
  // row, no padding inside) is a shared prompt that each later document of the row
  // continues, until the next shared prompt: such a document sees the prompt and itself,
  // with positions counting on from the prompt's end, as if it followed the prompt alone
  // (paddock/torch/shared_prompt_rows.hpp). A row may then be longer than
  // max_sequence_length(); its positions stay within it. The learners
  // call it, and the heads below, from two threads at once on one model (gradient shards,
  // forward passes side by side): a backend must not change shared state in them.
  virtual torch::Tensor hidden_states(const torch::Tensor& ids, const torch::Tensor& mask) = 0;
  // Next-token logits [..., V] from hidden states [..., H].
  virtual torch::Tensor lm_logits(const torch::Tensor& hidden) = 0;
  // The reward head on the hidden state of each row's last token under `mask`: [B].
  virtual torch::Tensor reward(const torch::Tensor& hidden, const torch::Tensor& mask) = 0;
  // The value head on every position: [B, T].
  virtual torch::Tensor values(const torch::Tensor& hidden) = 0;

  // Adds a zero-initialised reward or value head if the model has none yet.
  virtual void add_reward_head() = 0;
  virtual void add_value_head() = 0;
  // Adds tokens matched before BPE (e.g. Quark's reward tokens); the embedding (and an
  // untied output layer) grows with rows set to the mean of the existing ones.
  virtual std::vector<std::int64_t> add_special_tokens(const std::vector<std::string>& tokens) = 0;

  // Every trainable tensor, in a fixed order (the order optimizer state is saved in).
  virtual std::vector<torch::Tensor> parameters() = 0;
  virtual void set_training(bool training) = 0;
  // A deep copy on the same device, e.g. a frozen reference of a policy.
  virtual std::shared_ptr<Model> clone() const = 0;
};

// "auto" -> CUDA when LibTorch sees a GPU, else CPU; "cpu", "cuda", "cuda:N" as written.
PADDOCK_API torch::Device resolve_device(const std::string& device);

// Sets LibTorch's intra-op threads to the cores this process may use (LibTorch defaults to
// one on some builds), unless PADDOCK_THREADS or OMP_NUM_THREADS says otherwise. Idempotent.
PADDOCK_API void configure_torch_threads();

}  // namespace paddock
