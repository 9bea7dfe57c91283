// Material for the world's in-context tasks (version 2): small tables, lists and passages
// about made-up people, drawn fresh for every task and corpus document so that the answer can
// only come from the text in front of the model, never from memory. The instruction families
// (family_in_context.cpp), the pretraining corpus and the probes all draw from here, so a
// base model practises on the corpus exactly the retrieval the families ask for.
#pragma once

#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace paddock::world {

// A made-up first name ("Kalor"), two or three syllables, capitalised.
std::string person_name(std::mt19937_64& rng);
// A made-up town name ("Velport").
std::string town_name(std::mt19937_64& rng);

// A table of people and one attribute each: "favourite colour" -> red, blue, ...
struct ContextTable {
  std::string attribute;            // "favourite colour", "room number", "home town", "pet"
  std::vector<std::string> keys;    // distinct people
  std::vector<std::string> values;  // distinct values, one per key
};
// `rows` rows (at least 1) of one attribute drawn at random.
ContextTable draw_table(std::mt19937_64& rng, std::size_t rows);
// "Kalor: red\nBrisa: blue" (one row a line) or "Kalor: red; Brisa: blue" (inline).
std::string table_lines(const ContextTable& table);
std::string table_inline(const ContextTable& table);

// A short passage about one person: where they live, their job, a sibling and a pet.
struct ContextPassage {
  std::string person;
  std::string town;
  std::string job;
  std::string sibling;
  std::string pet;
  std::string text;  // the facts in shuffled order, one sentence each
};
ContextPassage draw_passage(std::mt19937_64& rng);

// One question about a passage: its wording, the answer and the passage's other values (the
// plausible wrong answers).
struct PassageQuestion {
  std::string question;
  std::string answer;
  std::vector<std::string> distractors;
};
PassageQuestion draw_passage_question(std::mt19937_64& rng, const ContextPassage& passage);

// `count` distinct words for lists: nouns, sometimes with one animal among them.
std::vector<std::string> draw_list_words(std::mt19937_64& rng, std::size_t count);

// "first", "second", ... up to "eighth"; 1-based.
std::string_view ordinal(std::size_t position);

}  // namespace paddock::world
