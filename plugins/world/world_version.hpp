// World versions. Version 1 is the original world: its fact base and pretraining corpus follow
// the pipeline seed, and its 13 families are drawn uniformly. Version 2 is built for a base
// model that is pretrained once and shipped: the fact base, the corpus and the probes follow a
// pinned seed of their own, so the shipped base knows the right facts whatever the pipeline
// seed, and a hash partition of prompt keys keeps every split's prompts out of the corpus for
// any seed. docs/world.md describes both.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "paddock/seed.hpp"

namespace paddock::world {

inline constexpr int kLatestWorldVersion = 2;

// The seed version 2's fact base ("world/facts"), corpus ("world/corpus") and probes
// ("world/probes") derive from: derive_seed(0, "paddock/world/v2"), whatever the pipeline seed.
inline constexpr std::uint64_t kPinnedWorldSeed = derive_seed(0, "paddock/world/v2");

// Version 2 reserves one prompt key in eight for the pretraining corpus: those whose
// derive_seed(0, "paddock/world/v2/partition" \x1f key) is divisible by 8. Splits never use
// them and the corpus uses nothing else, so the two stay disjoint for every seed.
inline bool is_corpus_prompt(std::string_view key) {
  std::string salted = "paddock/world/v2/partition\x1f";
  salted += key;
  return derive_seed(0, salted) % 8 == 0;
}

}  // namespace paddock::world
