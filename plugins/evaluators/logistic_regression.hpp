// A small L2-penalised logistic regression fit by Newton's method (iteratively reweighted
// least squares), for the length-controlled win rate. Dense and meant for a handful of
// features; targets may be fractional (a tie is 0.5).
#pragma once

#include <span>
#include <vector>

namespace paddock::evaluators {

struct LogisticFit {
  std::vector<double> coefficients;
  // The inverse of the penalised Hessian at the optimum: the approximate covariance of the
  // coefficients, used for delta-method standard errors.
  std::vector<std::vector<double>> covariance;
  int iterations = 0;
  bool converged = false;
};

// Minimises  sum_i [ -y_i log p_i - (1 - y_i) log(1 - p_i) ] + (l2_penalty / 2) * |w|^2
// with p_i = sigmoid(features_i . w). `features` holds one row per observation (include a
// column of ones for an intercept); `targets` are in [0, 1]. Throws paddock::Error when the
// shapes disagree or a target is outside [0, 1].
LogisticFit fit_logistic_regression(const std::vector<std::vector<double>>& features,
                                    std::span<const double> targets, double l2_penalty,
                                    int max_iterations = 100);

double sigmoid(double x);

}  // namespace paddock::evaluators
