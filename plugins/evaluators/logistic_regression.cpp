// Newton / IRLS for the penalised logistic regression, with step halving for safety.
#include "logistic_regression.hpp"

#include <cmath>
#include <string>

#include "paddock/error.hpp"

namespace paddock::evaluators {

namespace {

using Matrix = std::vector<std::vector<double>>;

// Inverts a small symmetric positive-definite matrix by Gauss-Jordan elimination with
// partial pivoting. Throws when it is singular.
Matrix invert(Matrix a) {
  const std::size_t n = a.size();
  Matrix inverse(n, std::vector<double>(n, 0.0));
  for (std::size_t i = 0; i < n; ++i) inverse[i][i] = 1.0;
  for (std::size_t column = 0; column < n; ++column) {
    std::size_t pivot = column;
    for (std::size_t row = column + 1; row < n; ++row) {
      if (std::fabs(a[row][column]) > std::fabs(a[pivot][column])) pivot = row;
    }
    if (std::fabs(a[pivot][column]) < 1e-300) {
      throw Error("logistic regression: the Hessian is singular; add an L2 penalty");
    }
    std::swap(a[pivot], a[column]);
    std::swap(inverse[pivot], inverse[column]);
    const double scale = a[column][column];
    for (std::size_t k = 0; k < n; ++k) {
      a[column][k] /= scale;
      inverse[column][k] /= scale;
    }
    for (std::size_t row = 0; row < n; ++row) {
      if (row == column) continue;
      const double factor = a[row][column];
      if (factor == 0.0) continue;
      for (std::size_t k = 0; k < n; ++k) {
        a[row][k] -= factor * a[column][k];
        inverse[row][k] -= factor * inverse[column][k];
      }
    }
  }
  return inverse;
}

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double sum = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += a[i] * b[i];
  return sum;
}

// log(1 + exp(x)) without overflow.
double softplus(double x) {
  return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
}

double penalised_loss(const Matrix& features, std::span<const double> targets,
                      const std::vector<double>& weights, double l2_penalty) {
  double loss = 0.0;
  for (std::size_t i = 0; i < features.size(); ++i) {
    const double z = dot(features[i], weights);
    // -y log sigmoid(z) - (1 - y) log(1 - sigmoid(z)) = softplus(z) - y z
    loss += softplus(z) - targets[i] * z;
  }
  return loss + 0.5 * l2_penalty * dot(weights, weights);
}

Matrix penalised_hessian(const Matrix& features, const std::vector<double>& weights,
                         double l2_penalty) {
  const std::size_t p = weights.size();
  Matrix hessian(p, std::vector<double>(p, 0.0));
  for (const auto& row : features) {
    const double probability = sigmoid(dot(row, weights));
    const double weight = probability * (1.0 - probability);
    for (std::size_t a = 0; a < p; ++a) {
      for (std::size_t b = 0; b < p; ++b) hessian[a][b] += weight * row[a] * row[b];
    }
  }
  for (std::size_t a = 0; a < p; ++a) hessian[a][a] += l2_penalty;
  return hessian;
}

}  // namespace

double sigmoid(double x) {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}

LogisticFit fit_logistic_regression(const Matrix& features, std::span<const double> targets,
                                    double l2_penalty, int max_iterations) {
  if (features.size() != targets.size()) {
    throw Error("logistic regression: " + std::to_string(features.size()) + " feature rows but " +
                std::to_string(targets.size()) + " targets");
  }
  if (features.empty()) throw Error("logistic regression: no observations");
  const std::size_t p = features.front().size();
  for (std::size_t i = 0; i < features.size(); ++i) {
    if (features[i].size() != p) {
      throw Error("logistic regression: feature row " + std::to_string(i) + " has " +
                  std::to_string(features[i].size()) + " values, expected " + std::to_string(p));
    }
    if (!(targets[i] >= 0.0 && targets[i] <= 1.0)) {
      throw Error("logistic regression: target " + std::to_string(i) + " is outside [0, 1]");
    }
  }

  LogisticFit fit;
  fit.coefficients.assign(p, 0.0);
  double loss = penalised_loss(features, targets, fit.coefficients, l2_penalty);
  for (int iteration = 0; iteration < max_iterations; ++iteration) {
    fit.iterations = iteration + 1;
    // Gradient of the penalised loss: X^T (p - y) + lambda w.
    std::vector<double> gradient(p, 0.0);
    for (std::size_t i = 0; i < features.size(); ++i) {
      const double residual = sigmoid(dot(features[i], fit.coefficients)) - targets[i];
      for (std::size_t a = 0; a < p; ++a) gradient[a] += residual * features[i][a];
    }
    for (std::size_t a = 0; a < p; ++a) gradient[a] += l2_penalty * fit.coefficients[a];

    const Matrix inverse = invert(penalised_hessian(features, fit.coefficients, l2_penalty));
    std::vector<double> step(p, 0.0);
    for (std::size_t a = 0; a < p; ++a) step[a] = -dot(inverse[a], gradient);

    // Newton's step on a convex loss; halve it if it does not decrease the loss (it rarely
    // needs to, but a nearly separable sample can overshoot).
    double scale = 1.0;
    std::vector<double> candidate(p);
    double candidate_loss = loss;
    for (int halving = 0; halving < 40; ++halving) {
      for (std::size_t a = 0; a < p; ++a) candidate[a] = fit.coefficients[a] + scale * step[a];
      candidate_loss = penalised_loss(features, targets, candidate, l2_penalty);
      if (candidate_loss <= loss + 1e-12) break;
      scale /= 2.0;
    }
    fit.coefficients = candidate;
    const double change = std::sqrt(dot(step, step)) * scale;
    loss = candidate_loss;
    if (change < 1e-10) {
      fit.converged = true;
      break;
    }
  }
  fit.covariance = invert(penalised_hessian(features, fit.coefficients, l2_penalty));
  return fit;
}

}  // namespace paddock::evaluators
