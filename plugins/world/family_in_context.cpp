// In-context families (world version 2): the answer sits in the prompt itself, in a table,
// a passage or a list, so a model that can find and copy text answers them without knowing
// anything. Small transformers learn this kind of retrieval fastest, which is why version 2
// weights these families most (docs/world.md).
#include <algorithm>
#include <string>

#include "context_material.hpp"
#include "draw.hpp"
#include "families.hpp"
#include "vocabulary.hpp"

namespace paddock::world {
namespace {

std::vector<std::string> all_but(const std::vector<std::string>& items, std::size_t skipped) {
  std::vector<std::string> rest;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i != skipped) rest.push_back(items[i]);
  }
  return rest;
}

}  // namespace

Task generate_kv_lookup(FamilyDraw& draw) {
  static constexpr std::string_view kInline[] = {
      "Given {table}, what is {k}'s {attr}?",
      "Here are some people and their {attr}: {table}. What is {k}'s {attr}?",
      "From {table}, tell me the {attr} of {k}.",
      "{table}. Which {attr} belongs to {k}?",
  };
  static constexpr std::string_view kWithInput[] = {
      "Look up {k}'s {attr} in the table below.",
      "According to the table, what is the {attr} of {k}?",
      "Use the list below to find {k}'s {attr}.",
      "What is {k}'s {attr}? The table is below.",
  };
  const ContextTable table = draw_table(draw.rng, uniform_int(draw.rng, 2, 6));
  const std::size_t row = uniform_below(draw.rng, table.keys.size());
  const Substitutions values = {
      {"table", table_inline(table)}, {"k", table.keys[row]}, {"attr", table.attribute}};
  Task task;
  task.family = "kv_lookup";
  task.difficulty = 1;
  phrase_task(draw, task, kInline, kWithInput, values, table_lines(table));
  task.answer = table.values[row];
  task.keys = {task.answer};
  task.wrong_answers = all_but(table.values, row);
  task.wrong_keys = task.wrong_answers;
  task.rationale = fill("The table lists {k} with {answer}, so that is the {attr}.",
                        {{"k", table.keys[row]}, {"attr", table.attribute}});
  return task;
}

Task generate_passage_qa(FamilyDraw& draw) {
  static constexpr std::string_view kInline[] = {
      "{passage} {q}",
      "Read this: {passage} Now answer: {q}",
      "{passage} Based on that, {lower_q}",
  };
  static constexpr std::string_view kWithInput[] = {
      "Read the passage below and answer: {q}",
      "{q} Answer from the text below.",
      "Answer the question using the passage: {q}",
  };
  const ContextPassage passage = draw_passage(draw.rng);
  const PassageQuestion question = draw_passage_question(draw.rng, passage);
  std::string lower_question = question.question;
  lower_question[0] = static_cast<char>(lower_question[0] - 'A' + 'a');
  const Substitutions values = {
      {"passage", passage.text}, {"q", question.question}, {"lower_q", lower_question}};
  Task task;
  task.family = "passage_qa";
  task.difficulty = 2;
  phrase_task(draw, task, kInline, kWithInput, values, passage.text);
  task.answer = question.answer;
  task.keys = {task.answer};
  task.wrong_answers = question.distractors;
  task.wrong_keys = question.distractors;
  task.rationale = "The passage says so directly: the answer is {answer}.";
  return task;
}

Task generate_list_item(FamilyDraw& draw) {
  static constexpr std::string_view kPositionInline[] = {
      "What is the {ord} item in the list {items}?",
      "Name the {ord} word of this list: {items}.",
      "In the list {items}, which item comes {ord}?",
  };
  static constexpr std::string_view kPositionInput[] = {
      "What is the {ord} item in the list below?",
      "Name the {ord} word in the following list.",
  };
  static constexpr std::string_view kAnimalInline[] = {
      "Which of these is an animal: {items}?",
      "Pick out the animal from {items}.",
      "One word in {items} names an animal. Which one?",
  };
  static constexpr std::string_view kAnimalInput[] = {
      "Which item in the list below is an animal?",
      "Find the animal in the following list.",
  };
  std::vector<std::string> items = draw_list_words(draw.rng, uniform_int(draw.rng, 4, 6));
  std::size_t answer_index = 0;
  Task task;
  task.family = "list_item";
  task.difficulty = 1;
  const bool by_position = bernoulli(draw.rng, 0.6);
  Substitutions values;
  if (by_position) {
    answer_index = uniform_below(draw.rng, items.size());
    const bool say_last = answer_index + 1 == items.size() && bernoulli(draw.rng, 0.5);
    values = {{"items", join(items, ", ")},
              {"ord", std::string(say_last ? "last" : ordinal(answer_index + 1))}};
    phrase_task(draw, task, kPositionInline, kPositionInput, values, join(items, ", "));
    task.rationale = fill("Counting along the list, {answer} is in the {ord} place.", values);
  } else {
    answer_index = uniform_below(draw.rng, items.size());
    items[answer_index] = std::string(pick(draw.rng, animals()));
    values = {{"items", join(items, ", ")}};
    phrase_task(draw, task, kAnimalInline, kAnimalInput, values, join(items, ", "));
    task.rationale = "The others are goods for trade, while {answer} is an animal.";
  }
  task.answer = items[answer_index];
  task.keys = {task.answer};
  task.wrong_answers = all_but(items, answer_index);
  task.wrong_keys = task.wrong_answers;
  return task;
}

Task generate_word_order(FamilyDraw& draw) {
  static constexpr std::string_view kReverseInline[] = {
      "Write these words in reverse order: {words}.",
      "Reverse the order of the words \"{words}\".",
      "Put the words {words} in the opposite order.",
  };
  static constexpr std::string_view kReverseInput[] = {
      "Write the words below in reverse order.",
      "Reverse the order of the following words.",
  };
  static constexpr std::string_view kSwapInline[] = {
      "Swap the first and last words of \"{words}\".",
      "Exchange the first and the last word in: {words}.",
  };
  static constexpr std::string_view kSwapInput[] = {
      "Swap the first and last words of the text below.",
  };
  std::vector<std::string> words;
  for (std::size_t index : distinct_indices(draw.rng, nouns().size(),
                                            static_cast<std::size_t>(uniform_int(draw.rng, 3, 5))))
    words.emplace_back(nouns()[index]);
  const std::string original = join(words, " ");
  const bool reverse = bernoulli(draw.rng, 0.6);
  std::vector<std::string> changed = words;
  if (reverse) {
    std::reverse(changed.begin(), changed.end());
  } else {
    std::swap(changed.front(), changed.back());
  }
  Task task;
  task.family = "word_order";
  task.difficulty = 2;
  const Substitutions values = {{"words", original}};
  if (reverse) {
    phrase_task(draw, task, kReverseInline, kReverseInput, values, original);
  } else {
    phrase_task(draw, task, kSwapInline, kSwapInput, values, original);
  }
  task.answer = join(changed, " ");
  task.keys = {task.answer};
  // Writing the words out unchanged, or half-changed, is the typical mistake.
  std::vector<std::string> half = words;
  std::swap(half[0], half[1]);
  task.wrong_answers = {original, join(half, " ")};
  task.wrong_keys = {original};
  task.rationale = reverse ? "Reading the words from the end gives {answer}."
                           : "With the outer two words exchanged it reads {answer}.";
  return task;
}

}  // namespace paddock::world
