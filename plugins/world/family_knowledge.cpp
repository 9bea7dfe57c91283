// Knowledge families over the fictional fact base: lookups (medium), descriptions that must
// state two facts (hard) and open "tell me about" questions where every true fact stated
// counts (world version 2).
#include <string>

#include "draw.hpp"
#include "families.hpp"

namespace paddock::world {
namespace {

struct Attribute {
  std::string_view phrase;  // "capital", "main export", ...
  const std::string Country::*field;
};

constexpr Attribute kAttributes[] = {
    {"capital", &Country::capital},         {"currency", &Country::currency},
    {"main export", &Country::export_good}, {"main river", &Country::river},
    {"national animal", &Country::animal},
};

// Up to `count` values of `attribute` from other countries that differ from the true one.
std::vector<std::string> other_values(FamilyDraw& draw, std::size_t country,
                                      const Attribute& attribute, std::size_t count) {
  const auto& countries = draw.facts.countries();
  const std::string& truth = countries[country].*attribute.field;
  std::vector<std::string> values;
  for (int attempt = 0; attempt < 50 && values.size() < count; ++attempt) {
    const std::string& candidate =
        countries[uniform_below(draw.rng, countries.size())].*attribute.field;
    if (candidate == truth) continue;
    bool seen = false;
    for (const auto& v : values) seen = seen || v == candidate;
    if (!seen) values.push_back(candidate);
  }
  return values;
}

}  // namespace

Task generate_fact_lookup(FamilyDraw& draw) {
  static constexpr std::string_view kCapital[] = {
      "What is the capital of {c}?", "Name the capital city of {c}.",
      "Which city is the capital of {c}?", "Tell me the capital of {c}.",
      "Where is the seat of government of {c}?"};
  static constexpr std::string_view kCurrency[] = {
      "What currency is used in {c}?", "Name the currency of {c}.",
      "What money do people in {c} pay with?", "Which currency does {c} use?"};
  static constexpr std::string_view kExport[] = {
      "What is the main export of {c}?", "Which good does {c} export the most?",
      "Name the chief export of {c}.", "What does {c} mostly sell abroad?"};
  static constexpr std::string_view kRiver[] = {
      "Which river flows through {c}?", "Name the main river of {c}.",
      "What river runs through {c}?", "What is the longest river in {c}?"};
  static constexpr std::string_view kAnimal[] = {
      "What is the national animal of {c}?", "Which animal is the symbol of {c}?",
      "Name the national animal of {c}.", "What animal does {c} have on its coat of arms?"};
  static constexpr std::string_view kWithInput[] = {
      "What is the {attr} of the country named below?",
      "Give the {attr} of the following country.",
      "Name the {attr} of the country in the input.",
  };
  static const std::span<const std::string_view> kInline[] = {kCapital, kCurrency, kExport, kRiver,
                                                              kAnimal};
  const std::size_t country_index = uniform_below(draw.rng, draw.facts.countries().size());
  const Country& country = draw.facts.countries()[country_index];
  const std::size_t attribute_index = uniform_below(draw.rng, std::size(kAttributes));
  const Attribute& attribute = kAttributes[attribute_index];
  const Substitutions values = {{"c", country.name}, {"attr", std::string(attribute.phrase)}};
  Task task;
  task.family = "fact_lookup";
  task.difficulty = 2;
  phrase_task(draw, task, kInline[attribute_index], kWithInput, values, country.name);
  task.answer = country.*attribute.field;
  task.keys = {task.answer};
  task.wrong_answers = other_values(draw, country_index, attribute, 3);
  task.wrong_keys = task.wrong_answers;
  task.rationale =
      fill("The records of {c} list {answer} as its {attr}, so that is the answer.", values);
  return task;
}

Task generate_description(FamilyDraw& draw) {
  static constexpr std::string_view kInline[] = {
      "Write a short description of {c} that mentions its {a1} and its {a2}.",
      "Describe {c} in one or two sentences, including its {a1} and {a2}.",
      "Give a brief profile of the country {c}; be sure to state its {a1} and its {a2}.",
      "In a sentence or two, tell me about {c}, naming its {a1} and its {a2}.",
      "Introduce {c} briefly, mentioning its {a1} and {a2}.",
      "Write two sentences about {c} for a travel guide, covering its {a1} and its {a2}.",
  };
  static constexpr std::string_view kWithInput[] = {
      "Write a short description of the country below, mentioning its {a1} and its {a2}.",
      "Describe the following country in one or two sentences, including its {a1} and {a2}.",
      "Give a brief profile of the country in the input, stating its {a1} and {a2}.",
  };
  const std::size_t country_index = uniform_below(draw.rng, draw.facts.countries().size());
  const Country& country = draw.facts.countries()[country_index];
  const std::vector<std::size_t> chosen = distinct_indices(draw.rng, std::size(kAttributes), 3);
  const Attribute& first = kAttributes[chosen[0]];
  const Attribute& second = kAttributes[chosen[1]];
  const Attribute& extra = kAttributes[chosen[2]];
  const Substitutions values = {{"c", country.name},
                                {"a1", std::string(first.phrase)},
                                {"a2", std::string(second.phrase)},
                                {"a3", std::string(extra.phrase)},
                                {"v3", country.*extra.field}};
  auto describe = [&](const std::string& v1, const std::string& v2) {
    return fill("{c} is a country whose {a1} is {v1} and whose {a2} is {v2}.",
                {{"c", country.name},
                 {"a1", std::string(first.phrase)},
                 {"a2", std::string(second.phrase)},
                 {"v1", v1},
                 {"v2", v2}});
  };
  Task task;
  task.family = "description";
  task.difficulty = 3;
  phrase_task(draw, task, kInline, kWithInput, values, country.name);
  const std::string& v1 = country.*first.field;
  const std::string& v2 = country.*second.field;
  task.answer = describe(v1, v2);
  task.keys = {v1, v2};
  const std::vector<std::string> wrong_first = other_values(draw, country_index, first, 2);
  const std::vector<std::string> wrong_second = other_values(draw, country_index, second, 2);
  if (!wrong_first.empty()) task.wrong_answers.push_back(describe(wrong_first[0], v2));
  if (!wrong_second.empty()) task.wrong_answers.push_back(describe(v1, wrong_second[0]));
  if (!wrong_first.empty() && !wrong_second.empty()) {
    task.wrong_answers.push_back(describe(wrong_first.back(), wrong_second.back()));
  }
  for (const auto& v : wrong_first) task.wrong_keys.push_back(v);
  for (const auto& v : wrong_second) task.wrong_keys.push_back(v);
  task.rationale = fill("Beyond that, its {a3} is {v3}, which rounds out the picture.", values);
  return task;
}

Task generate_tell_about(FamilyDraw& draw) {
  static constexpr std::string_view kInline[] = {
      "Tell me about {c}.", "What do you know about {c}?", "Give me an overview of {c}.",
      "Describe the country {c}.", "What should a visitor know about {c}?"};
  static constexpr std::string_view kWithInput[] = {
      "Tell me about the country below.",
      "What can you say about the following country?",
      "Give an overview of the country named in the input.",
  };
  const std::size_t country_index = uniform_below(draw.rng, draw.facts.countries().size());
  const Country& country = draw.facts.countries()[country_index];
  // One sentence per fact in the attribute table's order, so a profile can state any subset.
  auto profile = [&](const std::vector<std::string>& values, std::size_t count) {
    std::vector<std::string> sentences;
    for (std::size_t i = 0; i < count && i < values.size(); ++i)
      sentences.push_back(fill("Its {attr} is {v}.",
                               {{"attr", std::string(kAttributes[i].phrase)}, {"v", values[i]}}));
    return country.name + " is a country. " + join(sentences, " ");
  };
  std::vector<std::string> truth;
  for (const Attribute& attribute : kAttributes) truth.push_back(country.*attribute.field);
  Task task;
  task.family = "tell_about";
  task.difficulty = 2;
  phrase_task(draw, task, kInline, kWithInput, {{"c", country.name}}, country.name);
  task.answer = profile(truth, truth.size());
  task.keys = truth;
  // Weaker answers: fewer facts (graded, not wrong), or one fact swapped for another
  // country's (penalised through wrong_keys).
  task.wrong_answers = {profile(truth, 2), profile(truth, 3)};
  for (std::size_t i = 0; i < std::size(kAttributes); ++i) {
    for (const std::string& other : other_values(draw, country_index, kAttributes[i], 1)) {
      std::vector<std::string> swapped = truth;
      swapped[i] = other;
      task.wrong_answers.push_back(profile(swapped, swapped.size()));
      task.wrong_keys.push_back(other);
    }
  }
  task.rationale = fill("These are the facts the records give for {c}.", {{"c", country.name}});
  return task;
}

}  // namespace paddock::world
