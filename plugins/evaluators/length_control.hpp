// The length-controlled win rate, after AlpacaEval 2: how often the system would win if its
// outputs were as long as the reference's.
//
// Model, for annotated row i with length difference d_i = len(system_i) - len(reference_i):
//   P(system wins row i) = sigmoid(theta + beta * tanh(d_i / s)),
// where s is the standard deviation of the d_i (no centring, so d = 0 still means "equal
// lengths"), theta is the per-system term and beta the length term. The target is the row's
// score (1 win, 0 loss, 0.5 tie). The fit is Newton/IRLS with an L2 penalty lambda on
// (theta, beta). The length-controlled win rate is the prediction with d set to zero,
// averaged over the instructions: 100 * sigmoid(theta). Its standard error comes from the
// delta method: 100 * sigmoid'(theta) * sqrt(Cov[theta, theta]), with Cov the inverse of the
// penalised Hessian at the optimum.
#pragma once

#include <optional>
#include <span>

namespace paddock::evaluators {

struct LengthControlledWinRate {
  double win_rate = 0.0;                 // 100 * sigmoid(theta)
  std::optional<double> standard_error;  // delta method, in points
  double system_term = 0.0;              // theta
  double length_term = 0.0;              // beta
  double length_scale = 0.0;             // s, in the unit of the lengths given
  bool converged = false;
};

// Rows whose preference is empty are skipped. Returns nothing when no row is annotated.
// The three spans must have the same length (throws paddock::Error otherwise).
std::optional<LengthControlledWinRate> length_controlled_win_rate(
    std::span<const std::optional<int>> preferences, std::span<const double> system_lengths,
    std::span<const double> reference_lengths, double l2_penalty);

}  // namespace paddock::evaluators
