// Shared pieces of the world's annotators; see pair_judging.hpp.
#include "pair_judging.hpp"

#include <cmath>
#include <random>

#include "paddock/error.hpp"
#include "paddock/random.hpp"
#include "paddock/seed.hpp"

namespace paddock::world {

Task task_from_pair(const PreferencePair& pair, std::size_t row, std::string_view annotator) {
  const std::string where =
      std::string(annotator) + ": pair " + std::to_string(row) + " (metadata)";
  return task_from_columns(pair.metadata, pair.instruction, pair.input, where);
}

void require_world_version(const Task& task, int annotator_version, std::size_t row,
                           std::string_view annotator) {
  if (task.world_version == annotator_version) return;
  throw Error(std::string(annotator) + ": pair " + std::to_string(row) +
              " comes from world version " + std::to_string(task.world_version) +
              " but the annotator judges for version " + std::to_string(annotator_version) +
              "; set the annotator node's `version` to " + std::to_string(task.world_version) +
              " (the humans of each version differ)");
}

std::uint64_t pair_seed(std::uint64_t stream_seed, const PreferencePair& pair) {
  std::string key = prompt_key(pair.instruction, pair.input);
  key += '\x1f';
  key += pair.output_1;
  key += '\x1f';
  key += pair.output_2;
  return derive_seed(stream_seed, key);
}

double bradley_terry(double score_1, double score_2, double temperature) {
  return 1.0 / (1.0 + std::exp(-(score_2 - score_1) / temperature));
}

Annotation draw_annotation(double probability_output_2, std::uint64_t seed, std::string annotator,
                           std::string raw) {
  std::mt19937_64 rng(seed);
  Annotation annotation;
  annotation.preference = bernoulli(rng, probability_output_2) ? 2 : 1;
  annotation.annotator = std::move(annotator);
  annotation.raw = std::move(raw);
  annotation.probability_output_2 = probability_output_2;
  return annotation;
}

Annotation tie_annotation(std::string annotator) {
  Annotation annotation;
  annotation.preference = 0;
  annotation.annotator = std::move(annotator);
  annotation.raw = "identical outputs";
  annotation.probability_output_2 = 0.5;
  return annotation;
}

}  // namespace paddock::world
