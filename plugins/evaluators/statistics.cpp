// Means, standard errors, ranks and correlations.
#include "statistics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace paddock::evaluators {

double mean(std::span<const double> values) {
  if (values.empty()) return 0.0;
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

std::optional<double> standard_error_of_mean(std::span<const double> values) {
  const std::size_t n = values.size();
  if (n < 2) return std::nullopt;
  const double average = mean(values);
  double squares = 0.0;
  for (double value : values) squares += (value - average) * (value - average);
  const double variance = squares / static_cast<double>(n - 1);
  return std::sqrt(variance / static_cast<double>(n));
}

std::vector<double> average_ranks(std::span<const double> values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  std::size_t start = 0;
  while (start < order.size()) {
    std::size_t end = start + 1;
    while (end < order.size() && values[order[end]] == values[order[start]]) ++end;
    // Positions start..end-1 hold equal values: ranks start+1..end, whose mean is below.
    const double shared = (static_cast<double>(start + 1) + static_cast<double>(end)) / 2.0;
    for (std::size_t i = start; i < end; ++i) ranks[order[i]] = shared;
    start = end;
  }
  return ranks;
}

std::optional<double> pearson_correlation(std::span<const double> x, std::span<const double> y) {
  if (x.size() != y.size() || x.size() < 2) return std::nullopt;
  const double mean_x = mean(x);
  const double mean_y = mean(y);
  double covariance = 0.0, variance_x = 0.0, variance_y = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    covariance += (x[i] - mean_x) * (y[i] - mean_y);
    variance_x += (x[i] - mean_x) * (x[i] - mean_x);
    variance_y += (y[i] - mean_y) * (y[i] - mean_y);
  }
  if (variance_x <= 0.0 || variance_y <= 0.0) return std::nullopt;
  return std::clamp(covariance / std::sqrt(variance_x * variance_y), -1.0, 1.0);
}

std::optional<double> spearman_correlation(std::span<const double> x, std::span<const double> y) {
  if (x.size() != y.size()) return std::nullopt;
  const std::vector<double> rank_x = average_ranks(x);
  const std::vector<double> rank_y = average_ranks(y);
  return pearson_correlation(rank_x, rank_y);
}

}  // namespace paddock::evaluators
