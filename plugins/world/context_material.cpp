// Drawing tables, passages and lists for in-context tasks; see context_material.hpp.
#include "context_material.hpp"

#include <algorithm>
#include <cctype>

#include "draw.hpp"
#include "text_util.hpp"
#include "vocabulary.hpp"

namespace paddock::world {
namespace {

constexpr std::string_view kColours[] = {"red",    "blue",  "green", "yellow", "purple", "orange",
                                         "white",  "black", "grey",  "brown",  "pink",   "teal",
                                         "violet", "gold",  "navy",  "olive"};

constexpr std::string_view kJobs[] = {
    "baker",   "tailor", "farmer", "sailor", "painter", "teacher",  "miner",  "weaver",
    "builder", "doctor", "singer", "potter", "driver",  "gardener", "cook",   "carpenter",
    "smith",   "fisher", "clerk",  "nurse",  "glazier", "mason",    "barber", "jeweller"};

std::string capitalised(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  return text;
}

std::string syllable_name(std::mt19937_64& rng, int syllables, std::string_view ending) {
  std::string name;
  for (int i = 0; i < syllables; ++i) name += pick(rng, name_syllables());
  return capitalised(name + std::string(ending));
}

// Draws until `count` distinct values come out of `draw`.
template <class Draw>
std::vector<std::string> distinct(std::size_t count, Draw draw) {
  std::vector<std::string> values;
  while (values.size() < count) {
    std::string value = draw();
    if (std::find(values.begin(), values.end(), value) == values.end())
      values.push_back(std::move(value));
  }
  return values;
}

}  // namespace

std::string person_name(std::mt19937_64& rng) {
  return syllable_name(rng, uniform_int(rng, 2, 3), "");
}

std::string town_name(std::mt19937_64& rng) {
  static constexpr std::string_view kEndings[] = {"port", "ton", "by", "ford", "mere", "wick"};
  return syllable_name(rng, 2, pick(rng, std::span(kEndings)));
}

ContextTable draw_table(std::mt19937_64& rng, std::size_t rows) {
  static constexpr std::string_view kAttributes[] = {"favourite colour", "room number", "home town",
                                                     "pet", "job"};
  ContextTable table;
  const std::size_t kind = uniform_below(rng, std::size(kAttributes));
  table.attribute = std::string(kAttributes[kind]);
  rows = std::max<std::size_t>(rows, 1);
  table.keys = distinct(rows, [&] { return person_name(rng); });
  table.values = distinct(rows, [&]() -> std::string {
    switch (kind) {
      case 0:
        return std::string(pick(rng, std::span(kColours)));
      case 1:
        return std::to_string(uniform_int(rng, 10, 99));
      case 2:
        return town_name(rng);
      case 3:
        return std::string(pick(rng, animals()));
      default:
        return std::string(pick(rng, std::span(kJobs)));
    }
  });
  return table;
}

std::string table_lines(const ContextTable& table) {
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < table.keys.size(); ++i)
    lines.push_back(table.keys[i] + ": " + table.values[i]);
  return join(lines, "\n");
}

std::string table_inline(const ContextTable& table) {
  std::vector<std::string> items;
  for (std::size_t i = 0; i < table.keys.size(); ++i)
    items.push_back(table.keys[i] + ": " + table.values[i]);
  return join(items, "; ");
}

ContextPassage draw_passage(std::mt19937_64& rng) {
  ContextPassage passage;
  passage.person = person_name(rng);
  passage.town = town_name(rng);
  passage.job = std::string(pick(rng, std::span(kJobs)));
  do {
    passage.sibling = person_name(rng);
  } while (passage.sibling == passage.person);
  passage.pet = std::string(pick(rng, animals()));
  const std::string& p = passage.person;
  std::vector<std::string> sentences = {
      p + " lives in " + passage.town + ".",
      p + " works as a " + passage.job + ".",
      p + "'s sister is called " + passage.sibling + ".",
      p + " keeps a " + passage.pet + " as a pet.",
  };
  shuffle(sentences, rng);
  passage.text = join(sentences, " ");
  return passage;
}

PassageQuestion draw_passage_question(std::mt19937_64& rng, const ContextPassage& passage) {
  static constexpr std::string_view kTown[] = {
      "Where does {p} live?", "In which town does {p} live?", "What is {p}'s home town?"};
  static constexpr std::string_view kJob[] = {
      "What is {p}'s job?", "What does {p} do for a living?", "What work does {p} do?"};
  static constexpr std::string_view kSibling[] = {"What is the name of {p}'s sister?",
                                                  "Who is {p}'s sister?"};
  static constexpr std::string_view kPet[] = {"What animal does {p} keep?",
                                              "Which pet does {p} have?"};
  const std::string values[] = {passage.town, passage.job, passage.sibling, passage.pet};
  const std::span<const std::string_view> wordings[] = {kTown, kJob, kSibling, kPet};
  const std::size_t asked = uniform_below(rng, 4);
  PassageQuestion question;
  question.question = fill(pick(rng, wordings[asked]), {{"p", passage.person}});
  question.answer = values[asked];
  for (std::size_t i = 0; i < 4; ++i) {
    if (i != asked) question.distractors.push_back(values[i]);
  }
  return question;
}

std::vector<std::string> draw_list_words(std::mt19937_64& rng, std::size_t count) {
  return distinct(std::min(count, goods().size()), [&] { return std::string(pick(rng, goods())); });
}

std::string_view ordinal(std::size_t position) {
  static constexpr std::string_view kOrdinals[] = {"first", "second", "third",   "fourth",
                                                   "fifth", "sixth",  "seventh", "eighth"};
  return position >= 1 && position <= std::size(kOrdinals) ? kOrdinals[position - 1] : "last";
}

}  // namespace paddock::world
