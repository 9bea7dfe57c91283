// World version 2's humans and judges against AlpacaFarm's published human statistics,
// measured on the world's calibration pairs: two answers by the version-2 teacher (what SFT
// imitates) to each of 3000 sft prompts. The bands were fixed from the published figures
// before the weights were tuned (docs/world.md, "Calibration of version 2"):
//   gold humans      P(prefer longer) 0.60-0.66, P(prefer the list) 0.57-0.63
//   persona pool     P(prefer longer) 0.65-0.72
//   one human against the majority of the other 15: 0.60-0.70 (AlpacaFarm: 65.7%)
// and, for every family, a correct answer in its worst style beats a wrong one in its best.
// The measured values are printed as "[calibration] ..." lines.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "families.hpp"
#include "gold_humans.hpp"
#include "paddock/seed.hpp"
#include "persona_file.hpp"
#include "personas.hpp"
#include "responder.hpp"
#include "text_util.hpp"
#include "utility.hpp"
#include "world_generator.hpp"
#include "world_test_support.hpp"

namespace paddock::world {
namespace {

using testing::make_pair;

constexpr std::size_t kPairs = 3000;

std::vector<PreferencePair> calibration_pairs() {
  WorldConfig config;
  config.version = 2;
  config.scale = 0.4;  // 4000 sft prompts, of which the first 3000 distinct pairs are kept
  const WorldTasks tasks = generate_world_tasks(config, 2024);
  const SystemProfile& teacher = *find_system_profile("teacher", 2);
  std::mt19937_64 rng(derive_seed(2024, "calibration pairs"));
  std::vector<PreferencePair> pairs;
  for (const Task& task : tasks.sft) {
    if (pairs.size() == kPairs) break;
    std::string first = sample_response(task, teacher, rng);
    std::string second = sample_response(task, teacher, rng);
    if (first == second) continue;
    pairs.push_back(make_pair(task, std::move(first), std::move(second)));
  }
  return pairs;
}

struct Biases {
  double prefer_longer = 0;
  double prefer_list = 0;
};

// Shares of decided labels that chose the longer output (pairs whose word counts differ by
// at least 20%) and the list-formatted one (pairs with exactly one list).
Biases measure_biases(Annotator& annotator, const std::vector<PreferencePair>& pairs) {
  const auto labels = annotator.annotate(pairs);
  double longer = 0, longer_pairs = 0, list = 0, list_pairs = 0;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    if (!labels[i].preference || *labels[i].preference == 0) continue;
    const int choice = *labels[i].preference;
    const double words_1 = static_cast<double>(count_words(pairs[i].output_1));
    const double words_2 = static_cast<double>(count_words(pairs[i].output_2));
    if (std::max(words_1, words_2) >= 1.2 * std::min(words_1, words_2)) {
      ++longer_pairs;
      longer += (words_2 > words_1) == (choice == 2) ? 1 : 0;
    }
    const bool list_1 = is_list_formatted(pairs[i].output_1);
    const bool list_2 = is_list_formatted(pairs[i].output_2);
    if (list_1 != list_2) {
      ++list_pairs;
      list += list_2 == (choice == 2) ? 1 : 0;
    }
  }
  return {longer / std::max(1.0, longer_pairs), list / std::max(1.0, list_pairs)};
}

class WorldCalibration : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pairs_ = new std::vector<PreferencePair>(calibration_pairs()); }
  static void TearDownTestSuite() { delete pairs_; }
  static std::vector<PreferencePair>* pairs_;
};
std::vector<PreferencePair>* WorldCalibration::pairs_ = nullptr;

TEST_F(WorldCalibration, GoldHumansPreferLongerAndListsAsAlpacaFarmsHumansDid) {
  ASSERT_EQ(pairs_->size(), kPairs);
  GoldHumansAnnotator humans(11, 16, kDefaultGoldTemperature, GoldMode::single, 5, 2);
  const Biases biases = measure_biases(humans, *pairs_);
  std::printf("[calibration] gold humans: P(prefer longer) %.3f, P(prefer list) %.3f\n",
              biases.prefer_longer, biases.prefer_list);
  EXPECT_GE(biases.prefer_longer, 0.60);
  EXPECT_LE(biases.prefer_longer, 0.66);
  EXPECT_GE(biases.prefer_list, 0.57);
  EXPECT_LE(biases.prefer_list, 0.63);
}

TEST_F(WorldCalibration, PersonasPreferLongerMoreThanTheHumans) {
  PersonaPoolAnnotator personas(parse_personas(builtin_personas_toml(2), builtin_personas_name(2)),
                                11);
  const Biases biases = measure_biases(personas, *pairs_);
  std::printf("[calibration] persona pool: P(prefer longer) %.3f, P(prefer list) %.3f\n",
              biases.prefer_longer, biases.prefer_list);
  EXPECT_GE(biases.prefer_longer, 0.65);
  EXPECT_LE(biases.prefer_longer, 0.72);
}

// For each pair, one rater (in turn) against the majority of the other fifteen.
TEST_F(WorldCalibration, OneHumanAgreesWithTheOthersAboutAsOftenAsAlpacaFarmsHumans) {
  GoldHumansAnnotator humans(11, 16, kDefaultGoldTemperature, GoldMode::single, 5, 2);
  std::vector<std::vector<Annotation>> votes;
  for (const auto& rater : humans.raters()) votes.push_back(rater->annotate(*pairs_));
  double agree = 0, counted = 0;
  for (std::size_t i = 0; i < pairs_->size(); ++i) {
    const std::size_t one = i % votes.size();
    int for_2 = 0, for_1 = 0;
    for (std::size_t r = 0; r < votes.size(); ++r) {
      if (r == one) continue;
      for_2 += votes[r][i].preference == 2;
      for_1 += votes[r][i].preference == 1;
    }
    if (for_1 == for_2) continue;
    ++counted;
    agree += (votes[one][i].preference == 2) == (for_2 > for_1) ? 1 : 0;
  }
  const double agreement = agree / counted;
  std::printf("[calibration] one human vs the other 15: %.3f\n", agreement);
  EXPECT_GE(agreement, 0.60);
  EXPECT_LE(agreement, 0.70);
}

TEST(WorldCalibrationUtility, CorrectInItsWorstStyleBeatsWrongInItsBest) {
  WorldConfig config;
  config.version = 2;
  config.scale = 0.05;
  const WorldTasks tasks = generate_world_tasks(config, 7);
  std::mt19937_64 rng(5);
  const Style styles[] = {Style::terse, Style::helpful, Style::rambling, Style::list,
                          Style::detailed};
  for (const Task& task : tasks.sft) {
    if (task.wrong_answers.empty()) continue;
    double worst_correct = 1e9, best_wrong = -1e9;
    for (Style style : styles) {
      const std::string right = write_response(task, true, style, rng);
      const std::string wrong = write_response(task, false, style, rng);
      worst_correct = std::min(worst_correct, hidden_utility(task, right));
      // Only answers that are wrong, not those that are right but incomplete (tell_about).
      if (measure_response(task, wrong).correctness <= 0.25)
        best_wrong = std::max(best_wrong, hidden_utility(task, wrong));
    }
    EXPECT_GT(worst_correct, best_wrong) << task.family << ": " << task.instruction;
  }
}

}  // namespace
}  // namespace paddock::world
