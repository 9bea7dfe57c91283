// The world's judge personas: cheaper, biased approximations of the gold humans, the analog
// of AlpacaFarm's 13 API-LLM judge configurations. Each persona scores responses from the
// same measured features with its own weights, but some cannot verify answers in some
// families, some misjudge correctness, and some favour longer answers, lists or the first
// position. The pool is one Annotator whose members() are the personas, so the
// noisy-ensemble annotator can pick one persona per row.
//
// Seeding labels, applied with derive_seed(annotator seed, label):
//   "world/persona/<name>"   the persona's label and misjudgement draws (then pair_seed)
//   "world/persona_choice"   the pool's choice of persona for a row (then derive_seed with the
//                            instruction, so every pair of one instruction shares a persona)
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "paddock/annotator.hpp"
#include "utility.hpp"

namespace paddock::world {

struct PersonaSpec {
  std::string name;
  std::string description;
  UtilityWeights weights;
  double temperature = 1.0;                // Bradley-Terry noise scale
  double prefer_longer = 0.0;              // score per doubling of the word count
  double prefer_lists = 0.0;               // score of list formatting
  double prefer_first = 0.0;               // score added to output_1
  double misjudge_rate = 0.0;              // P(a checked answer's correctness is read backwards)
  std::vector<std::string> cannot_verify;  // families whose answers it cannot check
  int version = 1;                         // the world version it judges for (its file's `version`)
};

class PersonaAnnotator final : public Annotator {
 public:
  PersonaAnnotator(PersonaSpec spec, std::uint64_t seed);
  std::string name() const override { return spec_.name; }
  std::vector<Annotation> annotate(std::span<const PreferencePair> pairs) override;
  const PersonaSpec& spec() const { return spec_; }

 private:
  PersonaSpec spec_;
  std::uint64_t draw_seed_;
};

class PersonaPoolAnnotator final : public Annotator {
 public:
  PersonaPoolAnnotator(const std::vector<PersonaSpec>& specs, std::uint64_t seed);
  std::string name() const override { return "world_personas"; }
  // Each row is judged by one persona chosen from the row's instruction.
  std::vector<Annotation> annotate(std::span<const PreferencePair> pairs) override;
  std::vector<std::shared_ptr<Annotator>> members() const override;

 private:
  std::vector<std::shared_ptr<PersonaAnnotator>> personas_;
  std::uint64_t choice_seed_;
};

}  // namespace paddock::world
