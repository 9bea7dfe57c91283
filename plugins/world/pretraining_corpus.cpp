// The pretraining corpus; see pretraining_corpus.hpp.
#include "pretraining_corpus.hpp"

#include <cctype>
#include <random>
#include <vector>

#include "draw.hpp"
#include "families.hpp"
#include "paddock/error.hpp"
#include "paddock/seed.hpp"
#include "responder.hpp"
#include "task.hpp"

namespace paddock::world {

const SystemProfile kCorpusWriter = {"corpus", {0.97, 0.95, 0.92}, {0.5, 0.5, 0.0, 0.0}, 0.0, 1.0};

namespace {

// Draws after which a family counts as having no prompts left outside the splits.
constexpr int kAttemptsPerFamily = 20;

std::string worked_example(const Task& task, std::mt19937_64& rng) {
  std::string text = task.instruction;
  if (!task.input.empty()) text += "\n" + task.input;
  return text + "\n" + sample_response(task, kCorpusWriter, rng);
}

}  // namespace

std::string encyclopedia_entry(const Country& country, std::mt19937_64& rng) {
  static constexpr std::string_view kForms[] = {"The {attr} of {c} is {v}.", "{c}'s {attr} is {v}.",
                                                "In {c}, the {attr} is {v}."};
  const std::pair<std::string_view, const std::string*> facts[] = {
      {"capital", &country.capital},         {"currency", &country.currency},
      {"main export", &country.export_good}, {"main river", &country.river},
      {"national animal", &country.animal},
  };
  std::vector<std::string> sentences;
  for (const auto& [attribute, value] : facts) {
    sentences.push_back(
        fill(pick(rng, std::span(kForms)),
             {{"c", country.name}, {"attr", std::string(attribute)}, {"v", *value}}));
  }
  shuffle(sentences, rng);
  return country.name + " is a country. " + join(sentences, " ");
}

// A few opposite pairs, each stated in one of several forms; the opposites family only asks
// about the opposites table, so its associations appear in pretraining even when the splits
// use up every one of the family's prompts.
std::string dictionary_entry(std::mt19937_64& rng) {
  static constexpr std::string_view kForms[] = {
      "The opposite of {a} is {b}.", "{a} and {b} are opposites.", "{a} is the opposite of {b}.",
      "An antonym of {a} is {b}."};
  const std::span<const WordPair> pairs = opposite_pairs();
  std::vector<std::string> sentences;
  for (std::size_t index : distinct_indices(rng, pairs.size(), 4)) {
    const WordPair& pair = pairs[index];
    const bool reversed = bernoulli(rng, 0.5);
    sentences.push_back(fill(pick(rng, std::span(kForms)),
                             {{"a", std::string(reversed ? pair.opposite : pair.word)},
                              {"b", std::string(reversed ? pair.word : pair.opposite)}}));
  }
  std::string text = join(sentences, " ");
  text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  return text;
}

Dataset generate_pretraining_corpus(const WorldConfig& config, std::uint64_t seed,
                                    const FactBase& facts,
                                    const std::unordered_set<std::string>& split_prompts) {
  std::mt19937_64 rng(derive_seed(seed, "world/corpus"));
  std::vector<const Family*> families = chosen_families(config.families, config.version);
  const auto& countries = facts.countries();
  Dataset corpus;
  corpus.records().reserve(config.corpus_documents);
  while (corpus.size() < config.corpus_documents) {
    Record record;
    const double kind = uniform01(rng);
    if (kind < kEncyclopediaShare + kDictionaryShare) {
      record["text"] =
          kind < kEncyclopediaShare
              ? encyclopedia_entry(countries[uniform_below(rng, countries.size())], rng)
              : dictionary_entry(rng);
      corpus.add(std::move(record));
      continue;
    }
    if (families.empty()) {
      throw Error(
          "instruction_world: the chosen families have no prompts left outside the splits for "
          "the pretraining corpus; lower 'scale', enable more families or set "
          "corpus_documents = 0");
    }
    const std::size_t family_index = uniform_below(rng, families.size());
    bool written = false;
    for (int attempt = 0; attempt < kAttemptsPerFamily && !written; ++attempt) {
      FamilyDraw draw{rng, facts, bernoulli(rng, config.input_fraction)};
      Task task = families[family_index]->generate(draw);
      if (split_prompts.contains(prompt_key(task.instruction, task.input))) continue;
      tidy_task(task);
      record["text"] = worked_example(task, rng);
      written = true;
    }
    if (!written) {
      families.erase(families.begin() + static_cast<std::ptrdiff_t>(family_index));
      continue;
    }
    corpus.add(std::move(record));
  }
  return corpus;
}

}  // namespace paddock::world
