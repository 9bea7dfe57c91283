// The base model probes; see world_probes.hpp.
#include "world_probes.hpp"

#include <random>

#include "corpus_v2.hpp"
#include "draw.hpp"
#include "world_version.hpp"

namespace paddock::world {
namespace {

constexpr std::size_t kInductionSpanWords = 40;

Record question_probe(const CorpusItem& item, std::string_view category) {
  Record record;
  record["family"] = item.kind;
  record["category"] = category;
  record["prompt"] = render_probe_prompt(item);
  record["answer"] = item.questions.front().answer;
  // The whole document too, so the probes can serve as a language-model validation set.
  record["text"] = render_probe_prompt(item) + " " + item.questions.front().answer;
  return record;
}

}  // namespace

Dataset generate_world_probes(const WorldConfig& config, const FactBase& facts) {
  std::mt19937_64 rng(derive_seed(kPinnedWorldSeed, "world/probes"));
  Dataset probes;
  for (std::size_t i = 0; i < config.probes_per_family; ++i) {
    const std::string span = random_span(rng, kInductionSpanWords);
    Record induction;
    induction["family"] = "induction";
    induction["category"] = "in_context";
    induction["text"] = span + "\n" + span;
    induction["repeat_start"] = span.size() + 1;
    probes.add(std::move(induction));
    const auto rows = static_cast<std::size_t>(uniform_int(rng, 2, 8));
    Record table = question_probe(table_item(rng, rows, 1), "in_context");
    table["rows"] = rows;
    probes.add(std::move(table));
    probes.add(question_probe(list_item(rng, 1, /*with_counts=*/false), "in_context"));
    probes.add(question_probe(passage_item(rng, 1), "in_context"));
    probes.add(question_probe(fact_quiz_item(rng, facts, 1), "recall"));
    probes.add(question_probe(opposites_quiz_item(rng, 1), "recall"));
    probes.add(question_probe(addition_item(rng, 1), "computing"));
  }
  return probes;
}

}  // namespace paddock::world
