// The gradient of one Quark optimizer step over a micro-batch of examples, in one pass or in
// gradient shards side by side (paddock/learning/gradient_shards.hpp). The loss is a mean
// over response tokens, so shard k's mean counts tokens_k / tokens of the whole: the shards
// add up to the one-pass gradient up to rounding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "paddock/quark/quark_batch.hpp"
#include "paddock/torch/causal_lm.hpp"

namespace paddock::quark {

struct QuarkStepInputs {
  CausalLanguageModel* policy = nullptr;
  CausalLanguageModel* reference = nullptr;
  const std::vector<std::vector<std::int64_t>>* prompt_ids = nullptr;
  std::size_t prefix_length = 0;
  std::int64_t reference_vocabulary = 0;  // the policy's first columns the reference shares
  double kl_coefficient = 0.0;
  double entropy_coefficient = 0.0;
};

// The step's figures: the loss and its parts as token means over the whole micro-batch, and
// the number of response tokens they are means over.
struct QuarkStepFigures {
  double loss = 0.0;
  double nll = 0.0;
  double kl = 0.0;
  double entropy = 0.0;
  double tokens = 0.0;     // response tokens
  double positions = 0.0;  // prompt and response tokens the forward passes read
};

// Adds d loss / d parameters to the parameters' .grad, with `shards` passes (1: one pass on
// the caller's threads). A non-finite loss adds nothing; the figures then carry it.
QuarkStepFigures quark_step_gradients(const QuarkStepInputs& inputs,
                                      const std::vector<QuarkExample>& examples,
                                      const std::vector<torch::Tensor>& parameters,
                                      std::size_t shards);

}  // namespace paddock::quark
