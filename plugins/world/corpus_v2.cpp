// World version 2's pretraining corpus; see corpus_v2.hpp.
#include "corpus_v2.hpp"

#include <algorithm>
#include <optional>

#include "context_material.hpp"
#include "draw.hpp"
#include "families.hpp"
#include "pretraining_corpus.hpp"
#include "responder.hpp"
#include "task.hpp"
#include "vocabulary.hpp"
#include "world_version.hpp"

namespace paddock::world {
namespace {

// The fact base's attributes as questions ask them.
std::vector<std::pair<std::string, std::string>> country_facts(const Country& country) {
  return {{"capital", country.capital},
          {"currency", country.currency},
          {"main export", country.export_good},
          {"main river", country.river},
          {"national animal", country.animal}};
}

// Up to `count` distinct indices below `bound` (all of them when count >= bound).
std::vector<std::size_t> some_indices(std::mt19937_64& rng, std::size_t bound, std::size_t count) {
  return distinct_indices(rng, bound, std::min(count, bound));
}

std::string repeated_span_document(std::mt19937_64& rng) {
  const std::string span = random_span(rng, static_cast<std::size_t>(uniform_int(rng, 5, 30)));
  const int copies = bernoulli(rng, 0.7) ? 2 : 3;
  std::string text = span;
  for (int i = 1; i < copies; ++i) text += "\n" + span;
  return text;
}

std::string arithmetic_document(std::mt19937_64& rng) {
  std::vector<std::string> lines;
  const int count = uniform_int(rng, 3, 6);
  for (int i = 0; i < count; ++i) {
    const int a = uniform_int(rng, 0, 99), b = uniform_int(rng, 0, 99);
    switch (uniform_below(rng, 3)) {
      case 0:
        lines.push_back(std::to_string(a) + " + " + std::to_string(b) + " = " +
                        std::to_string(a + b));
        break;
      case 1:
        lines.push_back("Q: What is " + std::to_string(a) + " + " + std::to_string(b) +
                        "?\nA: " + std::to_string(a + b));
        break;
      default:
        lines.push_back("The larger of " + std::to_string(a) + " and " + std::to_string(b) +
                        " is " + std::to_string(std::max(a, b)) + ".");
    }
  }
  return join(lines, "\n");
}

// A task of a version-2 family whose prompt is reserved for the corpus, with its answer.
std::string worked_example_document(std::mt19937_64& rng, const FactBase& facts) {
  const std::vector<const Family*> families = chosen_families({}, /*version=*/2);
  const std::vector<double> weights = family_weights(families, /*version=*/2);
  for (;;) {
    const Family& family = *families[pick_weighted(rng, weights)];
    FamilyDraw draw{rng, facts, bernoulli(rng, 0.3)};
    Task task = family.generate(draw);
    if (!is_corpus_prompt(prompt_key(task.instruction, task.input))) continue;
    tidy_task(task);
    std::string text = "Q: " + task.instruction;
    if (!task.input.empty()) text += "\n" + task.input;
    return text + "\nA: " + sample_response(task, kCorpusWriter, rng);
  }
}

}  // namespace

std::string render_document(const CorpusItem& item) {
  std::string text = item.context;
  for (const QuestionAnswer& qa : item.questions) {
    if (!text.empty()) text += "\n";
    text += "Q: " + qa.question + "\nA: " + qa.answer;
  }
  return text;
}

std::string render_probe_prompt(const CorpusItem& item) {
  std::string text = item.context;
  if (!text.empty()) text += "\n";
  return text + "Q: " + item.questions.front().question + "\nA:";
}

std::string random_span(std::mt19937_64& rng, std::size_t words) {
  std::vector<std::string> span;
  for (std::size_t i = 0; i < words; ++i) {
    switch (uniform_below(rng, 5)) {
      case 0:
        span.emplace_back(pick(rng, nouns()));
        break;
      case 1:
        span.emplace_back(pick(rng, adjectives()));
        break;
      case 2:
        span.emplace_back(pick(rng, goods()));
        break;
      case 3:
        span.push_back(person_name(rng));
        break;
      default:
        span.push_back(std::to_string(uniform_int(rng, 0, 99)));
    }
  }
  return join(span, " ");
}

CorpusItem table_item(std::mt19937_64& rng, std::size_t rows, std::size_t questions) {
  const ContextTable table = draw_table(rng, rows);
  CorpusItem item;
  item.kind = "table";
  item.context = "People and their " + table.attribute + ":\n" + table_lines(table);
  for (std::size_t row : some_indices(rng, table.keys.size(), questions)) {
    item.questions.push_back(
        {"What is " + table.keys[row] + "'s " + table.attribute + "?", table.values[row]});
  }
  return item;
}

CorpusItem list_item(std::mt19937_64& rng, std::size_t questions, bool with_counts) {
  std::vector<std::string> items = draw_list_words(rng, uniform_int(rng, 3, 8));
  std::optional<std::size_t> animal;
  if (bernoulli(rng, 0.4)) {
    animal = uniform_below(rng, items.size());
    items[*animal] = std::string(pick(rng, animals()));
  }
  CorpusItem item;
  item.kind = "list";
  item.context = "List: " + join(items, ", ") + ".";
  for (std::size_t q = 0; q < questions; ++q) {
    const std::size_t kind = uniform_below(rng, 4);
    if (kind == 0 && animal) {
      item.questions.push_back({"Which item is an animal?", items[*animal]});
    } else if (kind == 1 && with_counts) {
      item.questions.push_back({"How many items are in the list?", std::to_string(items.size())});
    } else if (kind == 2) {
      item.questions.push_back({"What is the last item?", items.back()});
    } else {
      const std::size_t position = uniform_below(rng, items.size());
      item.questions.push_back(
          {"What is the " + std::string(ordinal(position + 1)) + " item?", items[position]});
    }
  }
  return item;
}

CorpusItem passage_item(std::mt19937_64& rng, std::size_t questions) {
  const ContextPassage passage = draw_passage(rng);
  CorpusItem item;
  item.kind = "passage";
  item.context = passage.text;
  for (std::size_t q = 0; q < questions; ++q) {
    const PassageQuestion question = draw_passage_question(rng, passage);
    item.questions.push_back({question.question, question.answer});
  }
  return item;
}

CorpusItem fact_quiz_item(std::mt19937_64& rng, const FactBase& facts, std::size_t questions) {
  CorpusItem item;
  item.kind = "fact_quiz";
  for (std::size_t q = 0; q < questions; ++q) {
    const Country& country = facts.countries()[uniform_below(rng, facts.countries().size())];
    const auto known = country_facts(country);
    const auto& [attribute, value] = known[uniform_below(rng, known.size())];
    item.questions.push_back({"What is the " + attribute + " of " + country.name + "?", value});
  }
  return item;
}

CorpusItem opposites_quiz_item(std::mt19937_64& rng, std::size_t questions) {
  const std::span<const WordPair> pairs = opposite_pairs();
  CorpusItem item;
  item.kind = "opposites";
  for (std::size_t index : some_indices(rng, pairs.size(), questions)) {
    const bool reversed = bernoulli(rng, 0.5);
    const WordPair& pair = pairs[index];
    item.questions.push_back(
        {"What is the opposite of " + std::string(reversed ? pair.opposite : pair.word) + "?",
         std::string(reversed ? pair.word : pair.opposite)});
  }
  return item;
}

CorpusItem addition_item(std::mt19937_64& rng, std::size_t questions) {
  CorpusItem item;
  item.kind = "addition";
  for (std::size_t q = 0; q < questions; ++q) {
    const int a = uniform_int(rng, 0, 99), b = uniform_int(rng, 0, 99);
    item.questions.push_back(
        {"What is " + std::to_string(a) + " + " + std::to_string(b) + "?", std::to_string(a + b)});
  }
  return item;
}

Dataset generate_corpus_v2(const WorldConfig& config, const FactBase& facts) {
  std::mt19937_64 rng(derive_seed(kPinnedWorldSeed, "world/corpus"));
  const CorpusMix mix;
  const double shares[] = {mix.repeated_spans,
                           mix.tables,
                           mix.lists,
                           mix.passages,
                           mix.encyclopedia,
                           mix.fact_quizzes,
                           mix.opposites,
                           mix.arithmetic,
                           1.0 - mix.repeated_spans - mix.tables - mix.lists - mix.passages -
                               mix.encyclopedia - mix.fact_quizzes - mix.opposites -
                               mix.arithmetic};
  const auto& countries = facts.countries();
  auto questions = [&] { return static_cast<std::size_t>(uniform_int(rng, 1, 3)); };
  Dataset corpus;
  corpus.records().reserve(config.corpus_documents);
  for (std::size_t d = 0; d < config.corpus_documents; ++d) {
    std::string text;
    switch (pick_weighted(rng, shares)) {
      case 0:
        text = repeated_span_document(rng);
        break;
      case 1: {
        const auto rows = static_cast<std::size_t>(uniform_int(rng, 1, 8));
        text = render_document(table_item(rng, rows, questions()));
        break;
      }
      case 2:
        text = render_document(list_item(rng, questions()));
        break;
      case 3:
        text = render_document(passage_item(rng, questions()));
        break;
      case 4:
        text = encyclopedia_entry(countries[uniform_below(rng, countries.size())], rng);
        break;
      case 5:
        text = render_document(fact_quiz_item(rng, facts, questions() + 1));
        break;
      case 6:
        text = bernoulli(rng, 0.5) ? dictionary_entry(rng)
                                   : render_document(opposites_quiz_item(rng, questions() + 1));
        break;
      case 7:
        text = arithmetic_document(rng);
        break;
      default:
        text = worked_example_document(rng, facts);
    }
    Record record;
    record["text"] = std::move(text);
    corpus.add(std::move(record));
  }
  return corpus;
}

}  // namespace paddock::world
