// The judge personas and their pool; see personas.hpp.
#include "personas.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include "paddock/error.hpp"
#include "paddock/random.hpp"
#include "paddock/seed.hpp"
#include "pair_judging.hpp"

namespace paddock::world {
namespace {

// The persona's view of one response: correctness it cannot check reads as a coin's worth
// (0.5), and a checked answer is read backwards with probability misjudge_rate.
double persona_score(const PersonaSpec& spec, bool can_verify, ResponseFeatures features,
                     std::mt19937_64& rng) {
  if (!can_verify) {
    features.correctness = 0.5;
  } else if (bernoulli(rng, spec.misjudge_rate)) {
    features.correctness = 1.0 - features.correctness;
  }
  return utility(features, spec.weights) +
         spec.prefer_longer * std::log2(static_cast<double>(features.words) + 1.0) +
         spec.prefer_lists * (features.list_format ? 1.0 : 0.0);
}

}  // namespace

PersonaAnnotator::PersonaAnnotator(PersonaSpec spec, std::uint64_t seed)
    : spec_(std::move(spec)), draw_seed_(derive_seed(seed, "world/persona/" + spec_.name)) {}

std::vector<Annotation> PersonaAnnotator::annotate(std::span<const PreferencePair> pairs) {
  std::vector<Annotation> annotations;
  annotations.reserve(pairs.size());
  for (std::size_t row = 0; row < pairs.size(); ++row) {
    const PreferencePair& pair = pairs[row];
    const Task task = task_from_pair(pair, row, spec_.name);
    require_world_version(task, spec_.version, row, spec_.name);
    if (pair.output_1 == pair.output_2) {
      annotations.push_back(tie_annotation(spec_.name));
      continue;
    }
    const bool can_verify = std::find(spec_.cannot_verify.begin(), spec_.cannot_verify.end(),
                                      task.family) == spec_.cannot_verify.end();
    const std::uint64_t seed = pair_seed(draw_seed_, pair);
    std::mt19937_64 rng(derive_seed(seed, "misjudge"));
    const double score_1 =
        persona_score(spec_, can_verify, measure_response(task, pair.output_1), rng) +
        spec_.prefer_first;
    const double score_2 =
        persona_score(spec_, can_verify, measure_response(task, pair.output_2), rng);
    annotations.push_back(draw_annotation(bradley_terry(score_1, score_2, spec_.temperature), seed,
                                          spec_.name, can_verify ? "" : "could not verify"));
  }
  return annotations;
}

PersonaPoolAnnotator::PersonaPoolAnnotator(const std::vector<PersonaSpec>& specs,
                                           std::uint64_t seed)
    : choice_seed_(derive_seed(seed, "world/persona_choice")) {
  if (specs.empty()) throw Error("world_personas: the persona file defines no persona");
  for (const PersonaSpec& spec : specs) {
    personas_.push_back(std::make_shared<PersonaAnnotator>(spec, seed));
  }
}

std::vector<Annotation> PersonaPoolAnnotator::annotate(std::span<const PreferencePair> pairs) {
  std::vector<Annotation> annotations;
  annotations.reserve(pairs.size());
  for (std::size_t row = 0; row < pairs.size(); ++row) {
    const PreferencePair& pair = pairs[row];
    // Fail here, with this row's number, on bad metadata or a pair of another world version.
    require_world_version(task_from_pair(pair, row, name()), personas_.front()->spec().version, row,
                          name());
    const std::uint64_t choice = derive_seed(choice_seed_, pair.instruction);
    PersonaAnnotator& persona = *personas_[choice % personas_.size()];
    annotations.push_back(persona.annotate(std::span(&pair, 1)).front());
  }
  return annotations;
}

std::vector<std::shared_ptr<Annotator>> PersonaPoolAnnotator::members() const {
  return {personas_.begin(), personas_.end()};
}

}  // namespace paddock::world
