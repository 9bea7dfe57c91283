// The parameters of an instruction world and their validation. The node's parameter schema
// is checked by the host; this re-checks everything (tests and other callers build configs
// directly) and turns mistakes into sentences that say what to change.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "paddock/params.hpp"

namespace paddock::world {

struct WorldConfig {
  int version = 2;                    // world_version.hpp: 1 or 2
  double scale = 1.0;                 // 1.0 = AlpacaFarm's 10k/20k/20k/2k/805
  std::vector<std::string> families;  // empty = every family
  double input_fraction = 0.3;        // share of instructions whose data sits in `input`
  std::size_t fact_base_size = 300;   // fictional countries
  std::size_t corpus_documents = 0;   // pretraining corpus (pretraining_corpus.hpp)
  std::size_t eval_size = 0;          // eval prompts; 0 = 805 x scale
  std::size_t probes_per_family = 0;  // version 2: corpus-format probes (world_probes.hpp)
};

// Throws paddock::Error naming the parameter and the allowed values.
void validate(const WorldConfig& config);
WorldConfig world_config_from_params(const Params& params);

struct SplitSizes {
  std::size_t sft = 0;
  std::size_t preference = 0;
  std::size_t unlabeled = 0;
  std::size_t val = 0;
  std::size_t eval = 0;
};

// AlpacaFarm's sizes times `scale`, rounded, each at least 1.
SplitSizes split_sizes(double scale);
// The config's sizes: split_sizes(scale), with eval_size for the eval split when it is set.
SplitSizes split_sizes(const WorldConfig& config);

}  // namespace paddock::world
