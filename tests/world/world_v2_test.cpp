// World version 2: the fact base, corpus and probes follow the pinned seed whatever the
// pipeline seed; the splits follow the pipeline seed, draw families by their weights and never
// ask a prompt the corpus asks; the probes have the shape lm_probe reads; and the corpus is
// pinned by a digest, so a change that would invalidate the shipped base model is caught.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <unordered_set>

#include "corpus_v2.hpp"
#include "families.hpp"
#include "paddock/seed.hpp"
#include "task.hpp"
#include "world_config.hpp"
#include "world_generator.hpp"
#include "world_version.hpp"

namespace paddock::world {
namespace {

WorldConfig v2_config(std::size_t corpus_documents = 0, std::size_t probes = 0) {
  WorldConfig config;
  config.version = 2;
  config.scale = 0.02;
  config.fact_base_size = 20;
  config.corpus_documents = corpus_documents;
  config.probes_per_family = probes;
  return config;
}

std::string dump(const Dataset& dataset) {
  std::string text;
  for (const Record& record : dataset.records()) text += record.dump() + "\n";
  return text;
}

const std::string& text_of(const Record& record, const char* column = "text") {
  return record.at(column).get_ref<const std::string&>();
}

TEST(WorldV2, FactsCorpusAndProbesIgnoreThePipelineSeed) {
  const WorldDatasets first = generate_world(v2_config(400, 5), 1);
  const WorldDatasets second = generate_world(v2_config(400, 5), 2);
  EXPECT_EQ(dump(first.corpus), dump(second.corpus));
  EXPECT_EQ(dump(first.probes), dump(second.probes));
  EXPECT_NE(dump(first.sft), dump(second.sft)) << "the splits follow the pipeline seed";
  EXPECT_EQ(world_fact_base(v2_config(), 1).countries().front().name,
            world_fact_base(v2_config(), 99).countries().front().name);
  // Version 1 keeps following the pipeline seed.
  WorldConfig v1 = v2_config();
  v1.version = 1;
  EXPECT_NE(world_fact_base(v1, 1).countries().front().name,
            world_fact_base(v1, 99).countries().front().name);
}

TEST(WorldV2, ALongerCorpusStartsWithTheShorterOne) {
  const Dataset shorter = generate_world(v2_config(100), 3).corpus;
  const Dataset longer = generate_world(v2_config(300), 3).corpus;
  ASSERT_EQ(shorter.size(), 100u);
  ASSERT_EQ(longer.size(), 300u);
  for (std::size_t row = 0; row < shorter.size(); ++row)
    EXPECT_EQ(shorter[row], longer[row]) << "row " << row;
}

// Any change to what the corpus says (families, templates, writers, word lists, the mix)
// moves this digest. When it moves on purpose, the shipped base model no longer matches
// its world: bump the world version or re-run configs/world_base.toml, then update the value.
TEST(WorldV2, CorpusIsPinnedByItsDigest) {
  const Dataset corpus = generate_world(v2_config(2000), 1).corpus;
  std::uint64_t digest = fnv1a_64("");
  for (const Record& record : corpus.records()) digest = derive_seed(digest, text_of(record));
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(digest));
  EXPECT_EQ(std::string(hex), "bef0ea30cc6e068b")
      << "the version-2 corpus changed; see the comment above";
}

// No split of any seed asks a question that a worked example of the corpus asks.
TEST(WorldV2, SplitPromptsNeverAppearInTheCorpus) {
  const Dataset corpus = generate_world(v2_config(20000), 1).corpus;
  std::unordered_set<std::string> corpus_questions;
  std::size_t worked = 0;
  for (const Record& record : corpus.records()) {
    const std::string& text = text_of(record);
    if (text.rfind("Q: ", 0) != 0) continue;
    const auto answer = text.rfind("\nA: ");
    corpus_questions.insert(text.substr(3, answer - 3));
    ++worked;
  }
  ASSERT_GT(worked, 2000u);
  for (std::uint64_t seed : {1, 2, 3}) {
    const WorldTasks tasks = generate_world_tasks(v2_config(), seed);
    for (const auto* split :
         {&tasks.sft, &tasks.preference, &tasks.unlabeled, &tasks.val, &tasks.eval}) {
      for (const Task& task : *split) {
        const std::string question =
            task.instruction + (task.input.empty() ? "" : "\n" + task.input);
        EXPECT_FALSE(corpus_questions.contains(question)) << "seed " << seed << ": " << question;
        EXPECT_FALSE(is_corpus_prompt(prompt_key(task.instruction, task.input)));
      }
    }
  }
}

TEST(WorldV2, SplitsDrawFamiliesByTheirWeights) {
  // The eval split is drawn first, before the recall families (20 countries, 36 opposite
  // pairs) run short of distinct prompts, as they do in the later splits.
  WorldConfig config = v2_config();
  config.eval_size = 1000;
  const WorldTasks tasks = generate_world_tasks(config, 5);
  std::map<std::string, double> shares;
  for (const Task& task : tasks.eval) shares[task.family] += 1.0 / tasks.eval.size();
  const auto families = chosen_families({}, 2);
  const auto weights = family_weights(families, 2);
  double total = 0.0;
  for (double weight : weights) total += weight;
  ASSERT_EQ(families.size(), 18u);
  for (std::size_t i = 0; i < families.size(); ++i) {
    const std::string name(families[i]->name);
    // opposites runs out of distinct prompts; the other families take its share.
    if (name == "opposites") continue;
    EXPECT_NEAR(shares[name], weights[i] / total, 0.03) << name;
    EXPECT_NE(family_category(name), "other") << name;
  }
}

TEST(WorldV2, ProbesHaveTheShapeLmProbeReads) {
  const Dataset probes = generate_world(v2_config(0, 20), 1).probes;
  ASSERT_EQ(probes.size(), 7u * 20u);
  std::map<std::string, int> families;
  for (const Record& record : probes.records()) {
    const std::string family = text_of(record, "family");
    ++families[family];
    const std::string& text = text_of(record);
    if (family == "induction") {
      const auto start = record.at("repeat_start").get<std::size_t>();
      ASSERT_LT(start, text.size());
      EXPECT_EQ(text.substr(start) + "\n", text.substr(0, start));
      continue;
    }
    const std::string& prompt = text_of(record, "prompt");
    const std::string& answer = text_of(record, "answer");
    EXPECT_EQ(text, prompt + " " + answer);
    EXPECT_EQ(prompt.substr(prompt.size() - 3), "\nA:");
    if (text_of(record, "category") == "in_context")
      EXPECT_NE(prompt.find(answer), std::string::npos) << "the answer must be in the context";
  }
  for (const char* family :
       {"induction", "table", "list", "passage", "fact_quiz", "opposites", "addition"})
    EXPECT_EQ(families[family], 20) << family;
}

TEST(WorldV2, NewFamiliesAnswerFromTheirPrompt) {
  const WorldTasks tasks = generate_world_tasks(v2_config(), 9);
  std::map<std::string, int> seen;
  for (const Task& task : tasks.sft) {
    ++seen[task.family];
    if (family_category(task.family) != "in_context" || task.family == "word_order") continue;
    EXPECT_NE((task.instruction + task.input).find(task.answer), std::string::npos)
        << task.family << ": " << task.instruction << " | " << task.input;
  }
  for (const char* family : {"kv_lookup", "passage_qa", "list_item", "word_order", "tell_about"})
    EXPECT_GT(seen[family], 5) << family;
}

TEST(WorldV2, VersionIsValidated) {
  WorldConfig config = v2_config();
  config.version = 3;
  EXPECT_THROW(generate_world(config, 1), Error);
  config.version = 1;
  config.probes_per_family = 5;
  EXPECT_THROW(generate_world(config, 1), Error);
}

}  // namespace
}  // namespace paddock::world
