// Small descriptive statistics: means, standard errors, tie-averaged ranks, and the
// Pearson and Spearman correlations used to compare simulated with human evaluations.
#pragma once

#include <optional>
#include <span>
#include <vector>

namespace paddock::evaluators {

// The arithmetic mean; 0 for an empty series.
double mean(std::span<const double> values);

// The standard error of the mean: the sample standard deviation (divisor n - 1) over
// sqrt(n), as pandas' Series.sem() computes it. Empty when n < 2 (undefined).
std::optional<double> standard_error_of_mean(std::span<const double> values);

// 1-based ranks in ascending order; tied values share the mean of the ranks they span
// (e.g. {10, 20, 20, 30} -> {1, 2.5, 2.5, 4}).
std::vector<double> average_ranks(std::span<const double> values);

// Pearson's product-moment correlation. Empty when the series differ in length, have fewer
// than 2 values, or either has zero variance.
std::optional<double> pearson_correlation(std::span<const double> x, std::span<const double> y);

// Spearman's rank correlation: Pearson's correlation of the tie-averaged ranks.
std::optional<double> spearman_correlation(std::span<const double> x, std::span<const double> y);

}  // namespace paddock::evaluators
