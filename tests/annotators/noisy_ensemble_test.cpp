// The noisy ensemble: the measured flip rate matches p, swaps are undone, one judge per
// instruction, duplicates and identical outputs, and seeding fixed across processes.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "annotators_test_support.hpp"
#include "noisy_ensemble.hpp"
#include "paddock/error.hpp"
#include "usage_reports.hpp"

namespace paddock::annotators {
namespace {

using namespace testing;

// Symmetric data: two outputs of different lengths, the longer one first on half the rows.
std::vector<PreferencePair> symmetric_pairs(std::size_t count) {
  std::vector<PreferencePair> pairs;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string shorter = "short " + std::to_string(i);
    const std::string longer = "a much longer answer " + std::to_string(i);
    pairs.push_back(make_pair("Instruction " + std::to_string(i / 2), i % 2 ? longer : shorter,
                              i % 2 ? shorter : longer));
  }
  return pairs;
}

int prefers_longer(const PreferencePair& pair) {
  return pair.output_2.size() > pair.output_1.size() ? 2 : 1;
}

TEST(NoisyEnsemble, MeasuredFlipRateMatchesP) {
  // With probability 2p the label is a fair coin, so it differs from the judge's with
  // probability p. Over n = 20000 rows the standard error is sqrt(p(1-p)/n) <= 0.0035; the
  // tolerance 0.015 is more than four standard errors.
  const auto pairs = symmetric_pairs(20000);
  for (const double p : {0.0, 0.1, 0.25, 0.5}) {
    auto judge = std::make_shared<FunctionJudge>("longer", prefers_longer);
    NoisyEnsembleAnnotator ensemble({judge}, {"ensemble", p, /*seed=*/2024});
    const auto answers = ensemble.annotate(pairs);
    std::size_t flipped = 0;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      flipped += *answers[i].preference != prefers_longer(pairs[i]);
    }
    const double rate = static_cast<double>(flipped) / static_cast<double>(pairs.size());
    EXPECT_NEAR(rate, p, 0.015) << "p = " << p;
    // Noisy rows never reach the judge: it was asked about the rest only (about 1 - 2p).
    const double asked = static_cast<double>(judge->asked) / static_cast<double>(pairs.size());
    EXPECT_NEAR(asked, 1.0 - 2.0 * p, 0.02) << "p = " << p;
    if (p == 0.0) EXPECT_EQ(flipped, 0u);
    // The coin is fair: among noisy rows, label 2 about half of the time.
    double noisy = 0, twos = 0;
    for (const auto& pair : pairs) {
      if (const auto coin = ensemble.noise_label(pair)) {
        ++noisy;
        twos += *coin == 2;
      }
    }
    if (noisy > 0) EXPECT_NEAR(twos / noisy, 0.5, 0.03) << "p = " << p;
  }
}

TEST(NoisyEnsemble, SwapsAreUndone) {
  const auto pairs = symmetric_pairs(10000);
  // A judge that always picks the first position it is shown...
  auto first = std::make_shared<FunctionJudge>("first", [](const PreferencePair&) { return 1; });
  NoisyEnsembleAnnotator ensemble({first}, {"ensemble", 0.0, /*seed=*/5});
  const auto answers = ensemble.annotate(pairs);
  double picked_first = 0;
  for (const auto& answer : answers) picked_first += *answer.preference == 1;
  // ...shows no position bias through the ensemble (0.5 +- 5 standard errors of 0.005).
  EXPECT_NEAR(picked_first / pairs.size(), 0.5, 0.025);
  // The judge saw about half of the pairs swapped.
  std::size_t swapped = 0;
  for (const auto& pair : pairs) swapped += ensemble.swaps(pair);
  EXPECT_NEAR(static_cast<double>(swapped) / pairs.size(), 0.5, 0.025);

  // A judge of content gets every label right whatever the order it was shown.
  auto longer = std::make_shared<FunctionJudge>("longer", prefers_longer);
  NoisyEnsembleAnnotator fair({longer}, {"ensemble", 0.0, /*seed=*/5});
  const auto fair_answers = fair.annotate(pairs);
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    ASSERT_EQ(*fair_answers[i].preference, prefers_longer(pairs[i])) << i;
  }
}

TEST(NoisyEnsemble, OneJudgePerInstructionChosenUniformly) {
  std::vector<std::shared_ptr<Annotator>> judges;
  for (int j = 0; j < 4; ++j) {
    judges.push_back(std::make_shared<FunctionJudge>("judge" + std::to_string(j), prefers_longer));
  }
  NoisyEnsembleAnnotator ensemble(judges, {"ensemble", 0.25, /*seed=*/9});
  std::vector<PreferencePair> pairs;
  for (int i = 0; i < 4000; ++i) {
    for (int k = 0; k < 3; ++k) {
      pairs.push_back(make_pair("shared instruction " + std::to_string(i), "x" + std::to_string(k),
                                "yy" + std::to_string(k)));
    }
  }
  const auto answers = ensemble.annotate(pairs);
  std::map<std::string, int> per_judge;
  for (std::size_t i = 0; i < pairs.size(); i += 3) {
    EXPECT_EQ(answers[i].annotator, answers[i + 1].annotator);
    EXPECT_EQ(answers[i].annotator, answers[i + 2].annotator);
    ++per_judge[answers[i].annotator];
  }
  ASSERT_EQ(per_judge.size(), 4u);
  for (const auto& [name, count] : per_judge) EXPECT_NEAR(count / 4000.0, 0.25, 0.03) << name;
}

TEST(NoisyEnsemble, PoolsCountAsTheirMembers) {
  std::vector<std::shared_ptr<Annotator>> personas;
  for (int j = 0; j < 13; ++j) {
    personas.push_back(std::make_shared<FunctionJudge>("p" + std::to_string(j), prefers_longer));
  }
  auto pool = std::make_shared<PoolOf>(personas);
  auto extra = std::make_shared<FunctionJudge>("extra", prefers_longer);
  NoisyEnsembleAnnotator ensemble({pool, extra}, {"ensemble", 0.0, 1});
  EXPECT_EQ(ensemble.judges().size(), 14u);
  EXPECT_THROW(NoisyEnsembleAnnotator({}, {"ensemble", 0.0, 1}), Error);
}

TEST(NoisyEnsemble, DuplicatesAreJudgedOnceAndIdenticalOutputsTie) {
  auto judge = std::make_shared<FunctionJudge>("longer", prefers_longer);
  NoisyEnsembleAnnotator ensemble({judge}, {"ensemble", 0.0, 3});
  const std::vector<PreferencePair> pairs = {make_pair("q", "a", "bb"), make_pair("q", "a", "bb"),
                                             make_pair("q", "same", "same"),
                                             make_pair("q", "a", "bb")};
  const auto answers = ensemble.annotate(pairs);
  EXPECT_EQ(judge->asked, 1u);
  EXPECT_EQ(answers[0].preference, 2);
  EXPECT_EQ(answers[1].preference, 2);
  EXPECT_EQ(answers[3].preference, 2);
  EXPECT_EQ(answers[2].preference, 0);
  EXPECT_EQ(usage_of(ensemble)["rows_identical_outputs"], 1);
}

TEST(NoisyEnsemble, DrawsDependOnContentNotPosition) {
  auto judge = std::make_shared<FunctionJudge>("longer", prefers_longer);
  NoisyEnsembleAnnotator ensemble({judge}, {"ensemble", 0.3, 77});
  auto pairs = symmetric_pairs(200);
  const auto forward = ensemble.annotate(pairs);
  std::reverse(pairs.begin(), pairs.end());
  const auto backward = ensemble.annotate(pairs);
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    EXPECT_EQ(forward[i].preference, backward[pairs.size() - 1 - i].preference);
  }
}

// These values are fixed by seed.hpp, random.hpp and the documented draws; they must be
// the same in every process, on every platform and in every release.
TEST(NoisyEnsemble, SeedingIsStableAcrossProcesses) {
  std::vector<std::shared_ptr<Annotator>> judges;
  for (int j = 0; j < 13; ++j) {
    judges.push_back(std::make_shared<FunctionJudge>("j" + std::to_string(j), prefers_longer));
  }
  NoisyEnsembleAnnotator ensemble(judges, {"ensemble", 0.25, /*seed=*/42});
  std::vector<std::size_t> chosen;
  std::string noise, swaps;
  for (int i = 0; i < 8; ++i) {
    const PreferencePair pair =
        make_pair("Give three tips for staying healthy. " + std::to_string(i), "Eat well.",
                  "Sleep, exercise and eat vegetables.");
    chosen.push_back(ensemble.judge_index(pair.instruction));
    const auto coin = ensemble.noise_label(pair);
    noise += coin ? std::to_string(*coin) : "-";
    swaps += ensemble.swaps(pair) ? "s" : ".";
  }
  EXPECT_EQ(chosen, (std::vector<std::size_t>{0, 0, 3, 12, 3, 4, 11, 12}));
  EXPECT_EQ(noise, "--2222-2");
  EXPECT_EQ(swaps, ".sssss..");
}

}  // namespace
}  // namespace paddock::annotators
