// Means, standard errors, tie-averaged ranks, correlations and the logistic regression,
// against values worked out by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "logistic_regression.hpp"
#include "statistics.hpp"

namespace paddock::evaluators {
namespace {

TEST(Statistics, StandardErrorOfTheMeanUsesTheSampleDeviation) {
  // {0, 1, 1, 0.5}: mean 0.625; squared deviations 0.390625 + 0.140625 + 0.140625 + 0.015625
  // = 0.6875; variance 0.6875 / 3; SE = sqrt(0.6875 / 3 / 4) = 0.2393567...
  const std::vector<double> values{0.0, 1.0, 1.0, 0.5};
  EXPECT_DOUBLE_EQ(mean(values), 0.625);
  ASSERT_TRUE(standard_error_of_mean(values).has_value());
  EXPECT_NEAR(*standard_error_of_mean(values), 0.23935677693908453, 1e-15);
  EXPECT_FALSE(standard_error_of_mean(std::vector<double>{1.0}).has_value());
  EXPECT_DOUBLE_EQ(*standard_error_of_mean(std::vector<double>{1.0, 1.0, 1.0}), 0.0);
}

TEST(Statistics, TiedValuesShareTheMeanOfTheirRanks) {
  EXPECT_EQ(average_ranks(std::vector<double>{10, 20, 20, 30}),
            (std::vector<double>{1, 2.5, 2.5, 4}));
  EXPECT_EQ(average_ranks(std::vector<double>{3, 1, 3, 3}), (std::vector<double>{3, 1, 3, 3}));
  EXPECT_EQ(average_ranks(std::vector<double>{5, 4, 3}), (std::vector<double>{3, 2, 1}));
}

TEST(Statistics, PearsonMatchesAHandComputedValue) {
  // dx = -2 -1 0 1 2, dy = -2 0 1 0 1: covariance 6, variances 10 and 6: r = 6 / sqrt(60).
  const std::vector<double> x{1, 2, 3, 4, 5}, y{2, 4, 5, 4, 5};
  EXPECT_NEAR(*pearson_correlation(x, y), 6.0 / std::sqrt(60.0), 1e-12);
}

TEST(Statistics, SpearmanAveragesTiedRanks) {
  // Ranks of y = {1, 2.5, 4.5, 2.5, 4.5}; deviations from 3: -2 -0.5 1.5 -0.5 1.5.
  // Covariance with x's ranks (deviations -2 -1 0 1 2): 4 + 0.5 + 0 - 0.5 + 3 = 7;
  // variances 10 and 9: rho = 7 / sqrt(90).
  const std::vector<double> x{1, 2, 3, 4, 5}, y{2, 4, 5, 4, 5};
  EXPECT_NEAR(*spearman_correlation(x, y), 7.0 / std::sqrt(90.0), 1e-12);
  // A monotone but non-linear relation has Spearman 1 and Pearson below 1.
  const std::vector<double> a{1, 2, 3, 4}, b{1, 4, 9, 100};
  EXPECT_DOUBLE_EQ(*spearman_correlation(a, b), 1.0);
  EXPECT_LT(*pearson_correlation(a, b), 0.9);
}

TEST(Statistics, CorrelationsAreUndefinedWithoutVariation) {
  const std::vector<double> constant{3, 3, 3}, varied{1, 2, 3};
  EXPECT_FALSE(pearson_correlation(constant, varied).has_value());
  EXPECT_FALSE(spearman_correlation(varied, constant).has_value());
  EXPECT_FALSE(pearson_correlation(std::vector<double>{1}, std::vector<double>{2}).has_value());
  EXPECT_FALSE(pearson_correlation(varied, std::vector<double>{1, 2}).has_value());
}

TEST(LogisticRegression, InterceptOnlyFitRecoversTheMeanTarget) {
  // With a negligible penalty the intercept-only model predicts the mean target, ties
  // (0.5) included: (1 + 1 + 1 + 0 + 0.5 + 1) / 6 = 0.75.
  const std::vector<std::vector<double>> features(6, std::vector<double>{1.0});
  const std::vector<double> targets{1, 1, 1, 0, 0.5, 1};
  const LogisticFit fit = fit_logistic_regression(features, targets, /*l2_penalty=*/1e-9);
  EXPECT_TRUE(fit.converged);
  EXPECT_NEAR(sigmoid(fit.coefficients[0]), 0.75, 1e-7);
  // Fisher information n p (1 - p) = 6 * 0.1875; its inverse is the variance.
  EXPECT_NEAR(fit.covariance[0][0], 1.0 / (6 * 0.1875), 1e-6);
}

TEST(LogisticRegression, PenaltyKeepsSeparableDataFinite) {
  const std::vector<std::vector<double>> features{{1, -1}, {1, -0.5}, {1, 0.5}, {1, 1}};
  const std::vector<double> targets{0, 0, 1, 1};
  const LogisticFit fit = fit_logistic_regression(features, targets, /*l2_penalty=*/0.01);
  EXPECT_TRUE(fit.converged);
  EXPECT_NEAR(fit.coefficients[0], 0.0, 1e-9);  // symmetric data: no intercept
  EXPECT_GT(fit.coefficients[1], 5.0);
  EXPECT_TRUE(std::isfinite(fit.coefficients[1]));
}

}  // namespace
}  // namespace paddock::evaluators
