// The hidden utility: correctness dominates in every family, then justification, length,
// repetition and ending; and the text measures it rests on.
#include <gtest/gtest.h>

#include <random>

#include "families.hpp"
#include "responder.hpp"
#include "text_util.hpp"
#include "utility.hpp"

namespace paddock::world {
namespace {

constexpr Style kStyles[] = {Style::terse, Style::helpful, Style::rambling, Style::list};

std::vector<Task> family_tasks(const Family& family, int count, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const FactBase facts = FactBase::generate(seed, 100);
  std::vector<Task> tasks;
  for (int i = 0; i < count; ++i) {
    FamilyDraw draw{rng, facts, i % 3 == 0};
    Task task = family.generate(draw);
    tidy_task(task);
    tasks.push_back(std::move(task));
  }
  return tasks;
}

TEST(WorldUtility, CorrectAnswersBeatWrongOnesInEveryFamily) {
  for (const Family& family : all_families()) {
    int checked = 0;
    for (const Task& task : family_tasks(family, 60, 17)) {
      ASSERT_FALSE(task.wrong_answers.empty()) << family.name << ": " << task.instruction;
      double worst_correct = 1e9, best_wrong = -1e9;
      for (Style style : kStyles) {
        std::mt19937_64 rng(99);
        const std::string right = write_response(task, /*correct=*/true, style, rng);
        const std::string wrong = write_response(task, /*correct=*/false, style, rng);
        const ResponseFeatures right_features = measure_response(task, right);
        EXPECT_EQ(right_features.correctness, 1.0) << family.name << ": " << right;
        EXPECT_LT(measure_response(task, wrong).correctness, 0.5) << family.name << ": " << wrong;
        worst_correct = std::min(worst_correct, hidden_utility(task, right));
        best_wrong = std::max(best_wrong, hidden_utility(task, wrong));
      }
      // Whatever the style, a right answer is worth more than any wrong one.
      EXPECT_GT(worst_correct, best_wrong) << family.name << ": " << task.instruction;
      ++checked;
    }
    EXPECT_EQ(checked, 60) << family.name;
  }
}

TEST(WorldUtility, StyleOrderAmongCorrectAnswers) {
  // Averaged over families: a justified answer beats a bare one, which beats rambling.
  double helpful = 0, terse = 0, rambling = 0, listed = 0;
  int n = 0;
  for (const Family& family : all_families()) {
    for (const Task& task : family_tasks(family, 20, 5)) {
      std::mt19937_64 rng(n);
      helpful += hidden_utility(task, write_response(task, true, Style::helpful, rng));
      terse += hidden_utility(task, write_response(task, true, Style::terse, rng));
      rambling += hidden_utility(task, write_response(task, true, Style::rambling, rng));
      listed += hidden_utility(task, write_response(task, true, Style::list, rng));
      ++n;
    }
  }
  EXPECT_GT(helpful, terse);
  EXPECT_GT(listed, terse);
  EXPECT_GT(terse, rambling);
}

TEST(WorldUtility, EmptyOffTaskAndTruncatedResponsesCost) {
  const Task task = family_tasks(all_families()[0], 1, 3).front();
  std::mt19937_64 rng(1);
  const std::string good = write_response(task, true, Style::helpful, rng);
  EXPECT_LT(hidden_utility(task, ""), hidden_utility(task, good));
  EXPECT_LT(hidden_utility(task, write_off_task_response(task, rng)), hidden_utility(task, good));
  const std::string cut = "The answer is " + task.answer + ". Adding the two numbers gi";
  EXPECT_FALSE(measure_response(task, cut).clean_ending);
  EXPECT_LT(hidden_utility(task, cut), hidden_utility(task, good));
}

TEST(WorldUtility, HedgingWithAWrongCandidateIsNotCorrect) {
  const Task task = family_tasks(*find_family("addition"), 1, 8).front();
  ASSERT_FALSE(task.wrong_keys.empty());
  const std::string hedge = "It is " + task.answer + " or maybe " + task.wrong_keys.front() + ".";
  EXPECT_LT(measure_response(task, hedge).correctness, 0.5);
}

TEST(WorldText, BoundedSearchRespectsWordEdges) {
  EXPECT_TRUE(contains_bounded("The answer is 42.", "42", true));
  EXPECT_FALSE(contains_bounded("The answer is 142.", "42", true));
  EXPECT_FALSE(contains_bounded("The answer is 420", "42", true));
  EXPECT_TRUE(contains_bounded("HELLO World", "hello world", false));
  EXPECT_FALSE(contains_bounded("HELLO World", "hello world", true));
  EXPECT_TRUE(contains_bounded("apple, banana, cherry", "apple, banana, cherry", true));
}

TEST(WorldText, SurfaceMeasures) {
  EXPECT_EQ(repeated_trigram_fraction("one two three four"), 0.0);
  EXPECT_GT(repeated_trigram_fraction("the answer is 4. the answer is 4. the answer is 4."), 0.4);
  EXPECT_TRUE(is_list_formatted("- Answer: 4.\n- Reason: yes."));
  EXPECT_TRUE(is_list_formatted("1. four\n2. because"));
  EXPECT_FALSE(is_list_formatted("- only one item"));
  EXPECT_TRUE(ends_cleanly("42"));
  EXPECT_TRUE(ends_cleanly("It is 42."));
  EXPECT_FALSE(ends_cleanly("It is 42 because the two numbers add up to"));
  EXPECT_EQ(fill("{a} + {b} = {answer}", {{"a", "1"}, {"b", "2"}}), "1 + 2 = {answer}");
  EXPECT_EQ(to_title("quiet RIVER"), "Quiet River");
}

}  // namespace
}  // namespace paddock::world
