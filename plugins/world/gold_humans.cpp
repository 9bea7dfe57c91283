// The gold human raters; see gold_humans.hpp.
#include "gold_humans.hpp"

#include <cmath>
#include <cstdio>
#include <random>

#include "draw.hpp"
#include "paddock/error.hpp"
#include "paddock/seed.hpp"
#include "pair_judging.hpp"

namespace paddock::world {
namespace {

// Spread of the raters around the mean human: each weight is scaled by exp(0.3 z).
constexpr double kWeightSpread = 0.3;
constexpr double kLengthTasteSpread = 0.15;
constexpr double kListTasteSpread = 0.2;
constexpr double kTemperatureSpread = 0.2;
// Version 2's pairs differ more in style, which raters judge alike; a little more noise keeps
// one rater's agreement with the others near AlpacaFarm's 65.7% (docs/world.md).
constexpr double kVersion2NoiseFactor = 1.1;

double scaled_weight(std::mt19937_64& rng, double mean) {
  return mean * std::exp(kWeightSpread * standard_normal(rng));
}

}  // namespace

std::vector<GoldRater> make_gold_raters(std::uint64_t seed, int count, double temperature,
                                        int version) {
  std::vector<GoldRater> raters;
  const UtilityWeights mean = mean_human_weights(version);
  for (int i = 0; i < count; ++i) {
    std::mt19937_64 rng(derive_seed(seed, "world/gold/rater/" + std::to_string(i)));
    GoldRater rater;
    char name[32];
    std::snprintf(name, sizeof name, "gold_rater_%02d", i);
    rater.name = name;
    rater.weights.correctness = scaled_weight(rng, mean.correctness);
    rater.weights.helpfulness = scaled_weight(rng, mean.helpfulness);
    rater.weights.length = scaled_weight(rng, mean.length);
    rater.weights.repetition = scaled_weight(rng, mean.repetition);
    rater.weights.ending = scaled_weight(rng, mean.ending);
    rater.length_taste = kLengthTasteSpread * standard_normal(rng);
    rater.list_taste = mean_list_taste(version) + kListTasteSpread * standard_normal(rng);
    rater.temperature = temperature * std::exp(kTemperatureSpread * standard_normal(rng)) *
                        (version >= 2 ? kVersion2NoiseFactor : 1.0);
    // Drawn last, and only in version 2, so version 1's raters are what they always were.
    if (version >= 2) rater.weights.detail = scaled_weight(rng, mean.detail);
    rater.draw_seed = derive_seed(seed, "world/gold/draw/" + std::to_string(i));
    rater.version = version;
    raters.push_back(std::move(rater));
  }
  return raters;
}

double rater_score(const GoldRater& rater, const ResponseFeatures& features) {
  return utility(features, rater.weights) +
         rater.length_taste * std::log2(static_cast<double>(features.words) + 1.0) +
         rater.list_taste * (features.list_format ? 1.0 : 0.0);
}

std::vector<Annotation> GoldRaterAnnotator::annotate(std::span<const PreferencePair> pairs) {
  std::vector<Annotation> annotations;
  annotations.reserve(pairs.size());
  for (std::size_t row = 0; row < pairs.size(); ++row) {
    const PreferencePair& pair = pairs[row];
    const Task task = task_from_pair(pair, row, rater_.name);
    require_world_version(task, rater_.version, row, rater_.name);
    if (pair.output_1 == pair.output_2) {
      annotations.push_back(tie_annotation(rater_.name));
      continue;
    }
    const double score_1 = rater_score(rater_, measure_response(task, pair.output_1));
    const double score_2 = rater_score(rater_, measure_response(task, pair.output_2));
    annotations.push_back(draw_annotation(bradley_terry(score_1, score_2, rater_.temperature),
                                          pair_seed(rater_.draw_seed, pair), rater_.name, ""));
  }
  return annotations;
}

GoldHumansAnnotator::GoldHumansAnnotator(std::uint64_t seed, int raters, double temperature,
                                         GoldMode mode, int panel_size, int version)
    : version_(version),
      mode_(mode),
      panel_size_(panel_size),
      choice_seed_(derive_seed(seed, "world/gold/choice")) {
  if (raters < 1) throw Error("world_gold_humans: 'raters' must be at least 1");
  if (!(temperature > 0.0)) throw Error("world_gold_humans: 'temperature' must be above 0");
  if (mode == GoldMode::panel && (panel_size < 1 || panel_size % 2 == 0 || panel_size > raters)) {
    throw Error(
        "world_gold_humans: 'panel_size' must be odd (so a majority exists) and at most "
        "'raters' (" +
        std::to_string(raters) + "), got " + std::to_string(panel_size));
  }
  for (GoldRater& rater : make_gold_raters(seed, raters, temperature, version)) {
    raters_.push_back(std::make_shared<GoldRaterAnnotator>(std::move(rater)));
  }
}

std::vector<Annotation> GoldHumansAnnotator::annotate(std::span<const PreferencePair> pairs) {
  std::vector<Annotation> annotations;
  annotations.reserve(pairs.size());
  for (std::size_t row = 0; row < pairs.size(); ++row) {
    const PreferencePair& pair = pairs[row];
    // Fail here, with this row's number, on bad metadata or a pair of another world version.
    require_world_version(task_from_pair(pair, row, name()), version_, row, name());
    std::mt19937_64 rng(pair_seed(choice_seed_, pair));
    const std::size_t chosen =
        mode_ == GoldMode::single ? 1 : static_cast<std::size_t>(panel_size_);
    int votes_2 = 0, votes_1 = 0;
    std::string names;
    Annotation result;
    for (std::size_t index : distinct_indices(rng, raters_.size(), chosen)) {
      Annotation vote = raters_[index]->annotate(std::span(&pair, 1)).front();
      if (chosen == 1) {
        result = std::move(vote);
        break;
      }
      votes_1 += vote.preference == 1;
      votes_2 += vote.preference == 2;
      names += (names.empty() ? "" : ",") + vote.annotator;
    }
    if (chosen > 1) {
      result.annotator = name();
      result.raw = "panel " + names + ": " + std::to_string(votes_1) + " for output_1, " +
                   std::to_string(votes_2) + " for output_2";
      result.preference = votes_1 == votes_2 ? 0 : votes_2 > votes_1 ? 2 : 1;
    }
    annotations.push_back(std::move(result));
  }
  return annotations;
}

std::vector<std::shared_ptr<Annotator>> GoldHumansAnnotator::members() const {
  return {raters_.begin(), raters_.end()};
}

}  // namespace paddock::world
