// The world's pretraining corpus: size and determinism from the seed, true encyclopedia
// facts, worked examples that never ask a split's prompt, and an empty corpus on request.
#include <gtest/gtest.h>

#include <string>
#include <unordered_set>

#include "families.hpp"
#include "world_config.hpp"
#include "world_generator.hpp"

namespace paddock::world {
namespace {

WorldConfig corpus_config(std::size_t documents) {
  WorldConfig config;
  config.version = 1;
  config.scale = 0.02;
  config.fact_base_size = 20;
  config.corpus_documents = documents;
  return config;
}

std::string text_of(const Record& record) {
  return record.at("text").get<std::string>();
}

TEST(WorldCorpus, HasTheAskedSizeOneTextColumnAndFollowsTheSeed) {
  const WorldDatasets first = generate_world(corpus_config(3000), 11);
  const WorldDatasets second = generate_world(corpus_config(3000), 11);
  const WorldDatasets other = generate_world(corpus_config(3000), 12);
  ASSERT_EQ(first.corpus.size(), 3000u);
  for (std::size_t row = 0; row < first.corpus.size(); ++row) {
    ASSERT_EQ(first.corpus[row].size(), 1u) << "row " << row;
    EXPECT_FALSE(text_of(first.corpus[row]).empty());
    EXPECT_EQ(first.corpus[row], second.corpus[row]) << "row " << row;
  }
  std::size_t same = 0;
  for (std::size_t row = 0; row < first.corpus.size(); ++row)
    same += first.corpus[row] == other.corpus[row] ? 1 : 0;
  EXPECT_LT(same, 300u) << "another seed should give another corpus";
  EXPECT_EQ(generate_world(corpus_config(0), 11).corpus.size(), 0u);
}

TEST(WorldCorpus, EncyclopediaEntriesStateEveryTrueFactOfTheirCountry) {
  const WorldConfig config = corpus_config(4000);
  const FactBase facts = world_fact_base(config, 5);
  const WorldDatasets world = generate_world(config, 5);
  std::size_t entries = 0;
  for (const Record& record : world.corpus.records()) {
    const std::string text = text_of(record);
    for (const Country& country : facts.countries()) {
      if (text.rfind(country.name + " is a country.", 0) != 0) continue;
      ++entries;
      for (const std::string* fact : {&country.capital, &country.currency, &country.export_good,
                                      &country.river, &country.animal}) {
        EXPECT_NE(text.find(*fact), std::string::npos) << *fact << " missing in: " << text;
      }
    }
  }
  // A quarter of the documents, give or take sampling noise (sd about 27).
  EXPECT_GT(entries, 880u);
  EXPECT_LT(entries, 1120u);
}

TEST(WorldCorpus, DictionaryEntriesStateTableOpposites) {
  const WorldDatasets world = generate_world(corpus_config(4000), 8);
  std::size_t entries = 0;
  for (const Record& record : world.corpus.records()) {
    const std::string text = text_of(record);
    if (text.find('\n') != std::string::npos || text.find(" is a country.") != std::string::npos)
      continue;
    ++entries;
    std::size_t pairs_named = 0;
    for (const WordPair& pair : opposite_pairs()) {
      const bool has_word = text.find(" " + std::string(pair.word) + " ") != std::string::npos ||
                            text.find(" " + std::string(pair.word) + ".") != std::string::npos;
      const bool has_opposite =
          text.find(" " + std::string(pair.opposite) + " ") != std::string::npos ||
          text.find(" " + std::string(pair.opposite) + ".") != std::string::npos;
      pairs_named += has_word && has_opposite ? 1 : 0;
    }
    EXPECT_GE(pairs_named, 3u) << text;  // four pairs; the very first word is capitalised
  }
  EXPECT_GT(entries, 120u);  // 5% of 4000, sd about 14
  EXPECT_LT(entries, 280u);
}

TEST(WorldCorpus, WorkedExamplesNeverAskAPromptOfAnySplit) {
  const WorldDatasets world = generate_world(corpus_config(6000), 3);
  // A worked example is instruction, input (when there is one) and response, one per line;
  // collect how every split prompt would open a document.
  std::unordered_set<std::string> openings;
  for (const Dataset* split :
       {&world.sft, &world.preference, &world.unlabeled, &world.val, &world.eval}) {
    for (const Record& record : split->records()) {
      std::string opening = record.at("instruction").get<std::string>();
      const std::string input = record.at("input").get<std::string>();
      if (!input.empty()) opening += "\n" + input;
      openings.insert(opening + "\n");
    }
  }
  std::size_t worked = 0;
  for (const Record& record : world.corpus.records()) {
    const std::string text = text_of(record);
    if (text.find('\n') == std::string::npos) continue;  // an encyclopedia entry
    ++worked;
    for (std::size_t end = text.find('\n'); end != std::string::npos;
         end = text.find('\n', end + 1)) {
      EXPECT_FALSE(openings.contains(text.substr(0, end + 1))) << "asks a split prompt: " << text;
    }
  }
  EXPECT_GT(worked, 4000u);
}

}  // namespace
}  // namespace paddock::world
