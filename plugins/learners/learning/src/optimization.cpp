// AdamW, the cosine schedule with warmup, and gradient clipping.
#include "paddock/learning/optimization.hpp"

#include <torch/torch.h>

#include <cmath>
#include <numbers>

namespace paddock::learning {

std::unique_ptr<torch::optim::Optimizer> make_adamw(const std::vector<torch::Tensor>& parameters,
                                                    const AdamWSettings& settings) {
  std::vector<torch::Tensor> decayed, not_decayed;
  for (const torch::Tensor& parameter : parameters)
    (parameter.dim() >= 2 ? decayed : not_decayed).push_back(parameter);
  const auto options = [&](double weight_decay) {
    auto adamw = std::make_unique<torch::optim::AdamWOptions>(settings.learning_rate);
    adamw->betas(std::make_tuple(settings.beta1, settings.beta2));
    adamw->eps(settings.epsilon);
    adamw->weight_decay(weight_decay);
    return adamw;
  };
  // Both groups always exist (possibly empty) so a checkpoint's group count never varies.
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decayed, options(settings.weight_decay));
  groups.emplace_back(not_decayed, options(0.0));
  return std::make_unique<torch::optim::AdamW>(std::move(groups),
                                               torch::optim::AdamWOptions(settings.learning_rate));
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double learning_rate) {
  for (auto& group : optimizer.param_groups())
    static_cast<torch::optim::AdamWOptions&>(group.options()).lr(learning_rate);
}

double cosine_learning_rate(std::int64_t step, std::int64_t total_steps, std::int64_t warmup_steps,
                            double peak) {
  if (step < warmup_steps)
    return peak * static_cast<double>(step + 1) / static_cast<double>(warmup_steps);
  const double progress =
      static_cast<double>(step - warmup_steps) /
      static_cast<double>(std::max<std::int64_t>(1, total_steps - warmup_steps));
  return peak * std::max(0.0, 0.5 * (1.0 + std::cos(std::numbers::pi * progress)));
}

std::int64_t warmup_steps_for(double warmup_ratio, std::int64_t total_steps) {
  return static_cast<std::int64_t>(std::ceil(warmup_ratio * static_cast<double>(total_steps)));
}

double gradient_norm(const std::vector<torch::Tensor>& parameters) {
  // Summed on the gradients' device, tensor by tensor in float64 (the same additions in the
  // same order as a host loop would make), and read back once: one host sync per step, not
  // one per tensor.
  torch::NoGradGuard no_grad;
  torch::Tensor squares;
  for (const torch::Tensor& parameter : parameters) {
    const torch::Tensor& gradient = parameter.grad();
    if (!gradient.defined()) continue;
    const torch::Tensor square_sum = gradient.to(torch::kFloat64).pow(2).sum();
    squares = squares.defined() ? squares.add_(square_sum) : square_sum;
  }
  return squares.defined() ? std::sqrt(squares.item<double>()) : 0.0;
}

void clip_gradients(const std::vector<torch::Tensor>& parameters, double norm, double max_norm) {
  if (max_norm <= 0 || !(norm > max_norm)) return;
  const double scale = max_norm / (norm + 1e-6);
  torch::NoGradGuard no_grad;
  for (const torch::Tensor& parameter : parameters) {
    torch::Tensor gradient = parameter.grad();
    if (gradient.defined()) gradient.mul_(scale);
  }
}

GuardedStep guarded_step(torch::optim::Optimizer& optimizer,
                         const std::vector<torch::Tensor>& parameters, double loss,
                         double learning_rate, double max_grad_norm) {
  GuardedStep step;
  if (!std::isfinite(loss)) {
    step.non_finite = "loss";
    return step;
  }
  step.norm = gradient_norm(parameters);
  if (!std::isfinite(step.norm)) {
    step.non_finite = "gradient norm";
    return step;
  }
  clip_gradients(parameters, step.norm, max_grad_norm);
  set_learning_rate(optimizer, learning_rate);
  optimizer.step();
  return step;
}

}  // namespace paddock::learning
