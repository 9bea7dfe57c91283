// World version 2's pretraining corpus: plain text for a base model that must learn to read
// its context before instruction tuning can teach it anything. Besides recall documents
// (encyclopedia entries and quizzes about the fact base, the opposites table) and worked
// examples, most documents exercise retrieval from the text itself: repeated spans (what
// forms copying circuits), tables with questions about their rows (one to eight rows, so
// easy and hard lookups mix), lists with positional questions and short passages with
// questions. Questions are written "Q: ...\nA: ...", the form the probes ask in.
//
// Everything here follows the pinned seed (world_version.hpp), never the pipeline seed: the
// corpus of N documents is one fixed text, a prefix of every longer one. Worked examples use
// only prompts reserved for the corpus (is_corpus_prompt), so no split ever asks them.
#pragma once

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "fact_base.hpp"
#include "paddock/dataset.hpp"
#include "world_config.hpp"

namespace paddock::world {

struct QuestionAnswer {
  std::string question;  // "What is Kalor's pet?"
  std::string answer;    // "heron"
};

// One corpus document before rendering: optional context, then its questions.
struct CorpusItem {
  std::string kind;     // "table", "list", "passage", "fact_quiz", "opposites_quiz", ...
  std::string context;  // may be empty
  std::vector<QuestionAnswer> questions;
};

// The document's text: the context, then "Q: question\nA: answer" per question.
std::string render_document(const CorpusItem& item);
// What a probe shows the model for the item's first question: the context and "Q: ...\nA:";
// the expected continuation is " " + answer.
std::string render_probe_prompt(const CorpusItem& item);

// Item writers shared by the corpus and the probes.
CorpusItem table_item(std::mt19937_64& rng, std::size_t rows, std::size_t questions);
// `with_counts` allows "How many items are in the list?", whose answer is not in the text.
CorpusItem list_item(std::mt19937_64& rng, std::size_t questions, bool with_counts = true);
CorpusItem passage_item(std::mt19937_64& rng, std::size_t questions);
CorpusItem fact_quiz_item(std::mt19937_64& rng, const FactBase& facts, std::size_t questions);
CorpusItem opposites_quiz_item(std::mt19937_64& rng, std::size_t questions);
CorpusItem addition_item(std::mt19937_64& rng, std::size_t questions);
// `words` random words (nouns, adjectives, goods, names, numbers) separated by spaces.
std::string random_span(std::mt19937_64& rng, std::size_t words);

// Shares of the documents by kind; the rest are worked examples.
struct CorpusMix {
  double repeated_spans = 0.10;
  double tables = 0.20;
  double lists = 0.08;
  double passages = 0.12;
  double encyclopedia = 0.08;
  double fact_quizzes = 0.06;
  double opposites = 0.04;
  double arithmetic = 0.08;
};

// config.corpus_documents documents (column `text`), drawn from the pinned seed.
Dataset generate_corpus_v2(const WorldConfig& config, const FactBase& facts);

}  // namespace paddock::world
