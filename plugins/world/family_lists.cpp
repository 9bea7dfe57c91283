// List families: extremum (easy) and sorting (medium).
#include <algorithm>
#include <string>

#include "draw.hpp"
#include "families.hpp"
#include "vocabulary.hpp"

namespace paddock::world {
namespace {

std::vector<long> distinct_numbers(std::mt19937_64& rng, std::size_t count, int low, int high) {
  std::vector<long> values;
  while (values.size() < count) {
    const long v = uniform_int(rng, low, high);
    if (std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
  }
  return values;
}

std::vector<std::string> as_text(const std::vector<long>& values) {
  std::vector<std::string> out;
  for (long v : values) out.push_back(std::to_string(v));
  return out;
}

}  // namespace

Task generate_extremum(FamilyDraw& draw) {
  static constexpr std::string_view kLargest[] = {
      "Which is the largest number in {items}?",
      "Find the biggest value among {items}.",
      "What is the maximum of {items}?",
      "Pick the highest number from {items}.",
      "Of the numbers {items}, which one is greatest?",
  };
  static constexpr std::string_view kLargestInput[] = {
      "Find the largest number in the list below.",
      "What is the maximum of the following numbers?",
      "Which of these numbers is the greatest?",
  };
  static constexpr std::string_view kSmallest[] = {
      "Which is the smallest number in {items}?",
      "Find the lowest value among {items}.",
      "What is the minimum of {items}?",
      "Pick the least number from {items}.",
  };
  static constexpr std::string_view kSmallestInput[] = {
      "Find the smallest number in the list below.",
      "What is the minimum of the following numbers?",
      "Which of these numbers is the least?",
  };
  static constexpr std::string_view kLongest[] = {
      "Which word is the longest: {items}?",
      "Find the longest word among {items}.",
      "Of the words {items}, which has the most letters?",
      "Name the longest of these words: {items}.",
  };
  static constexpr std::string_view kLongestInput[] = {
      "Which word in the list below is the longest?",
      "Find the word with the most letters in the following list.",
  };
  Task task;
  task.family = "extremum";
  task.difficulty = 1;
  const std::size_t mode = uniform_below(draw.rng, 3);
  std::vector<std::string> items;
  if (mode < 2) {
    const std::vector<long> numbers =
        distinct_numbers(draw.rng, uniform_int(draw.rng, 4, 7), 1, 999);
    items = as_text(numbers);
    const auto best = mode == 0 ? std::max_element(numbers.begin(), numbers.end())
                                : std::min_element(numbers.begin(), numbers.end());
    task.answer = std::to_string(*best);
    task.rationale = mode == 0 ? "Comparing every value shows that {answer} is the largest, so "
                                 "that is the answer."
                               : "Comparing every value shows that {answer} is the smallest, so "
                                 "that is the answer.";
  } else {
    // Words with one strictly longest.
    for (;;) {
      items.clear();
      const std::size_t count = static_cast<std::size_t>(uniform_int(draw.rng, 4, 6));
      for (std::size_t i : distinct_indices(draw.rng, nouns().size(), count)) {
        items.emplace_back(nouns()[i]);
      }
      std::vector<std::string> by_length = items;
      std::sort(by_length.begin(), by_length.end(),
                [](const auto& x, const auto& y) { return x.size() > y.size(); });
      if (by_length[0].size() > by_length[1].size()) {
        task.answer = by_length[0];
        break;
      }
    }
    task.rationale = fill("{answer} has {n} letters, which is more than any other word.",
                          {{"n", std::to_string(task.answer.size())}});
  }
  static const std::span<const std::string_view> kInline[] = {kLargest, kSmallest, kLongest};
  static const std::span<const std::string_view> kInput[] = {kLargestInput, kSmallestInput,
                                                             kLongestInput};
  phrase_task(draw, task, kInline[mode], kInput[mode], {{"items", join(items, ", ")}},
              join(items, ", "));
  task.keys = {task.answer};
  // Every other candidate is a plausible wrong pick; the runner-up is the likeliest slip.
  for (const std::string& item : items) {
    if (item != task.answer) task.wrong_answers.push_back(item);
  }
  task.wrong_keys = task.wrong_answers;
  return task;
}

Task generate_sorting(FamilyDraw& draw) {
  static constexpr std::string_view kWords[] = {
      "Sort these words alphabetically: {items}.",
      "Put the following words in alphabetical order: {items}.",
      "Arrange {items} in dictionary order.",
      "Alphabetize the words {items}.",
      "List {items} in alphabetical order.",
  };
  static constexpr std::string_view kWordsInput[] = {
      "Sort the words below alphabetically.",
      "Put the following words in alphabetical order.",
      "Alphabetize the list in the input.",
  };
  static constexpr std::string_view kAscending[] = {
      "Sort the numbers {items} from smallest to largest.",
      "Arrange {items} in ascending order.",
      "Order these numbers from lowest to highest: {items}.",
      "Put {items} in increasing order.",
  };
  static constexpr std::string_view kAscendingInput[] = {
      "Sort the numbers below in ascending order.",
      "Order the following numbers from smallest to largest.",
  };
  static constexpr std::string_view kDescending[] = {
      "Sort {items} from largest to smallest.",
      "Arrange the numbers {items} in descending order.",
      "List {items} from highest to lowest.",
      "Put {items} in decreasing order.",
  };
  static constexpr std::string_view kDescendingInput[] = {
      "Sort the numbers below in descending order.",
      "Order the following numbers from largest to smallest.",
  };
  static const std::span<const std::string_view> kInline[] = {kWords, kAscending, kDescending};
  static const std::span<const std::string_view> kInput[] = {kWordsInput, kAscendingInput,
                                                             kDescendingInput};
  static constexpr std::string_view kOrder[] = {"alphabetical", "ascending", "descending"};
  const std::size_t mode = uniform_below(draw.rng, 3);
  const std::size_t count = static_cast<std::size_t>(uniform_int(draw.rng, 4, 6));
  std::vector<std::string> items, sorted;
  if (mode == 0) {
    for (std::size_t i : distinct_indices(draw.rng, nouns().size(), count)) {
      items.emplace_back(nouns()[i]);
    }
    sorted = items;
    std::sort(sorted.begin(), sorted.end());
  } else {
    std::vector<long> numbers = distinct_numbers(draw.rng, count, 1, 99);
    items = as_text(numbers);
    std::sort(numbers.begin(), numbers.end());
    if (mode == 2) std::reverse(numbers.begin(), numbers.end());
    sorted = as_text(numbers);
  }
  Task task;
  task.family = "sorting";
  task.difficulty = 2;
  phrase_task(draw, task, kInline[mode], kInput[mode], {{"items", join(items, ", ")}},
              join(items, ", "));
  task.answer = join(sorted, ", ");
  task.keys = {task.answer};
  std::vector<std::string> reversed(sorted.rbegin(), sorted.rend());
  std::vector<std::string> slipped = sorted;
  const std::size_t at = uniform_below(draw.rng, slipped.size() - 1);
  std::swap(slipped[at], slipped[at + 1]);
  task.wrong_answers = {join(slipped, ", "), join(items, ", "), join(reversed, ", ")};
  task.wrong_keys = task.wrong_answers;
  task.rationale = fill("In {order} order the list reads {answer}, so that is the result.",
                        {{"order", std::string(kOrder[mode])}});
  return task;
}

}  // namespace paddock::world
