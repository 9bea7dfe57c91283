// The world's gold humans: a pool of raters who each weigh the hidden utility's terms a
// little differently, have small tastes of their own (length, lists) and choose with
// Bradley-Terry noise. They are the "human evaluation" of every experiment in the world.
//
// Seeding labels, applied with derive_seed(annotator seed, label):
//   "world/gold/rater/<i>"  rater i's weights, tastes and temperature (i from 0)
//   "world/gold/draw/<i>"   rater i's label draws (then pair_seed(that, pair))
//   "world/gold/choice"     which rater (or panel) annotates a pair (then pair_seed)
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "paddock/annotator.hpp"
#include "utility.hpp"

namespace paddock::world {

// The noise scale that puts two raters' agreement on pairs of sft-like outputs near 65%.
inline constexpr double kDefaultGoldTemperature = 1.15;

struct GoldRater {
  std::string name;  // "gold_rater_03"
  UtilityWeights weights;
  double length_taste = 0;  // utility per doubling of the word count (either sign)
  double list_taste = 0;    // utility of list formatting (either sign)
  double temperature = kDefaultGoldTemperature;
  std::uint64_t draw_seed = 0;
  int version = 1;  // the world version whose humans this rater stands among
};

// `count` raters around the mean human of world `version` (mean_human_weights,
// mean_list_taste).
std::vector<GoldRater> make_gold_raters(std::uint64_t seed, int count, double temperature,
                                        int version);

// The rater's score of one response: the utility under its weights plus its tastes.
double rater_score(const GoldRater& rater, const ResponseFeatures& features);

class GoldRaterAnnotator final : public Annotator {
 public:
  explicit GoldRaterAnnotator(GoldRater rater) : rater_(std::move(rater)) {}
  std::string name() const override { return rater_.name; }
  std::vector<Annotation> annotate(std::span<const PreferencePair> pairs) override;
  const GoldRater& rater() const { return rater_; }

 private:
  GoldRater rater_;
};

// How the pool answers: one rater per pair (crowd work; AlpacaFarm's human evaluation) or
// the majority of a panel of distinct raters.
enum class GoldMode : std::uint8_t { single, panel };

class GoldHumansAnnotator final : public Annotator {
 public:
  GoldHumansAnnotator(std::uint64_t seed, int raters, double temperature, GoldMode mode,
                      int panel_size, int version);
  std::string name() const override { return "world_gold_humans"; }
  std::vector<Annotation> annotate(std::span<const PreferencePair> pairs) override;
  std::vector<std::shared_ptr<Annotator>> members() const override;
  const std::vector<std::shared_ptr<GoldRaterAnnotator>>& raters() const { return raters_; }

 private:
  std::vector<std::shared_ptr<GoldRaterAnnotator>> raters_;
  int version_;
  GoldMode mode_;
  int panel_size_;
  std::uint64_t choice_seed_;
};

}  // namespace paddock::world
