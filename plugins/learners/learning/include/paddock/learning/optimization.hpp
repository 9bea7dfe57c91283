// The optimiser side of training: AdamW with weight decay on matrices only, the cosine
// learning-rate schedule with linear warmup, and gradient-norm clipping.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace torch::optim {
class Optimizer;
}

namespace paddock::learning {

struct AdamWSettings {
  double learning_rate = 2e-5;
  double weight_decay = 0.0;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
};

// AdamW over `parameters` in two groups: tensors of two or more dimensions (weight
// matrices, embeddings) decay, vectors (biases, norm scales) do not, as is customary.
std::unique_ptr<torch::optim::Optimizer> make_adamw(const std::vector<torch::Tensor>& parameters,
                                                    const AdamWSettings& settings);

// Sets the learning rate of every parameter group (AdamW's options).
void set_learning_rate(torch::optim::Optimizer& optimizer, double learning_rate);

// The learning rate for optimizer step `step` (0-based) of `total_steps`: rising linearly
// to `peak` over the warmup steps (peak * (step + 1) / warmup, so the first step already
// moves; Hugging Face's get_cosine_schedule_with_warmup, which AlpacaFarm used, gives the
// first step a rate of 0), then a cosine from `peak` down to 0 at the last step.
double cosine_learning_rate(std::int64_t step, std::int64_t total_steps, std::int64_t warmup_steps,
                            double peak);
// ceil(ratio * total_steps), as Hugging Face's warmup_ratio computes it.
std::int64_t warmup_steps_for(double warmup_ratio, std::int64_t total_steps);

// The global L2 norm of the gradients (as a double; NaN or inf when a gradient is not
// finite). Parameters without a gradient are skipped.
double gradient_norm(const std::vector<torch::Tensor>& parameters);
// Scales the gradients so their global norm is at most `max_norm` (no-op when max_norm <= 0
// or the norm is already small enough).
void clip_gradients(const std::vector<torch::Tensor>& parameters, double norm, double max_norm);

// One optimizer step behind the NaN/inf guard every learner applies: when `loss` is finite
// and so is the gradients' global norm, clips the gradients to `max_grad_norm`, sets
// `learning_rate` and steps. Otherwise the weights are left alone and `non_finite` says what
// was not finite, for the learner's on_nan policy (fail, or skip the step).
struct GuardedStep {
  double norm = std::numeric_limits<double>::quiet_NaN();  // not computed for a bad loss
  std::string non_finite;                                  // "", "loss" or "gradient norm"
  bool taken() const { return non_finite.empty(); }
};
GuardedStep guarded_step(torch::optim::Optimizer& optimizer,
                         const std::vector<torch::Tensor>& parameters, double loss,
                         double learning_rate, double max_grad_norm);

}  // namespace paddock::learning
