// The opposites family (easy): the antonym of a common word. It is pure recall from a small
// fixed table, the kind of association a tiny model learns from a few hundred examples, so
// the world has a family that the quickstart's models can actually get right.
#include <array>
#include <string>

#include "draw.hpp"
#include "families.hpp"

namespace paddock::world {
namespace {

// Asked in both directions, so 72 associations to learn. No word has a second opposite in
// the table, so every question has one answer.
constexpr WordPair kOpposites[] = {
    {"hot", "cold"},      {"big", "small"},       {"fast", "slow"},     {"early", "late"},
    {"light", "dark"},    {"open", "closed"},     {"full", "empty"},    {"high", "low"},
    {"true", "false"},    {"wet", "dry"},         {"strong", "weak"},   {"rich", "poor"},
    {"loud", "quiet"},    {"thick", "thin"},      {"tight", "loose"},   {"happy", "sad"},
    {"clean", "dirty"},   {"deep", "shallow"},    {"wide", "narrow"},   {"near", "far"},
    {"sweet", "sour"},    {"brave", "cowardly"},  {"first", "last"},    {"inside", "outside"},
    {"above", "below"},   {"push", "pull"},       {"buy", "sell"},      {"win", "lose"},
    {"arrive", "depart"}, {"remember", "forget"}, {"accept", "refuse"}, {"ancient", "modern"},
    {"north", "south"},   {"east", "west"},       {"summer", "winter"}, {"friend", "enemy"},
};

}  // namespace

std::span<const WordPair> opposite_pairs() {
  return kOpposites;
}

Task generate_opposites(FamilyDraw& draw) {
  static constexpr std::string_view kInline[] = {
      "What is the opposite of '{w}'?",
      "Give an antonym of {w}.",
      "Name the word that means the opposite of \"{w}\".",
      "Which word is opposite in meaning to {w}?",
      "Tell me the opposite of the word {w}.",
  };
  static constexpr std::string_view kWithInput[] = {
      "Give the opposite of the word below.",
      "Write an antonym of the input word.",
      "What word means the opposite of the following?",
  };
  const WordPair& pair = pick(draw.rng, std::span(kOpposites));
  const bool reversed = bernoulli(draw.rng, 0.5);
  const std::string word(reversed ? pair.opposite : pair.word);
  const std::string answer(reversed ? pair.word : pair.opposite);
  Task task;
  task.family = "opposites";
  task.difficulty = 1;
  const Substitutions values = {{"w", word}};
  phrase_task(draw, task, kInline, kWithInput, values, word);
  task.answer = answer;
  task.keys = {answer};
  // Wrong answers are other table words, so a system that errs names a real opposite.
  while (task.wrong_answers.size() < 3) {
    const WordPair& other = pick(draw.rng, std::span(kOpposites));
    const std::string candidate(bernoulli(draw.rng, 0.5) ? other.word : other.opposite);
    if (candidate != answer && candidate != word) task.wrong_answers.push_back(candidate);
  }
  // No wrong keys: table words such as "full", "first" or "light" occur in ordinary
  // phrasing ("in full detail"), so their presence cannot mark a response as wrong.
  task.rationale = "The opposite of " + word + " is {answer}.";
  return task;
}

}  // namespace paddock::world
