// Generation of a whole instruction world from one seed: the fact base, the five splits'
// tasks (disjoint: no instruction+input pair appears twice anywhere), the teacher's outputs
// for the training splits and the reference system's outputs for the evaluation split.
//
// Seeding labels, each applied with derive_seed(world seed, label); version 2 draws the fact
// base, corpus and probes from its pinned seed instead (world_version.hpp):
//   "world/facts"          the fictional fact base
//   "world/tasks/<split>"  the task stream of eval, val, sft, preference, unlabeled (drawn
//                          in that order; later splits skip prompts taken by earlier ones)
//   "world/teacher"        teacher outputs (then derive_seed(that, instruction \x1f input))
//   "world/reference"      reference outputs of the eval split (same per-prompt step)
//   "world/corpus"         the pretraining corpus (pretraining_corpus.hpp, corpus_v2.hpp)
//   "world/probes"         version 2's corpus-format probes (world_probes.hpp)
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "fact_base.hpp"
#include "paddock/dataset.hpp"
#include "task.hpp"
#include "world_config.hpp"

namespace paddock::world {

struct WorldTasks {
  std::vector<Task> sft, preference, unlabeled, val, eval;
  FactBase facts;                               // what the knowledge families asked about
  std::unordered_set<std::string> prompt_keys;  // prompt_key of every split's prompt
};

struct WorldDatasets {
  Dataset sft, preference, unlabeled, val, eval;
  Dataset corpus;  // plain `text` records for pretraining a base model
  Dataset probes;  // version 2: held-out corpus-format tasks that gate a base model
};

FactBase world_fact_base(const WorldConfig& config, std::uint64_t seed);

// Throws paddock::Error when the chosen families cannot supply enough distinct prompts.
WorldTasks generate_world_tasks(const WorldConfig& config, std::uint64_t seed);

// Alpaca-format records with the hidden columns. sft, preference, unlabeled and val carry
// the teacher's output (AlpacaFarm's splits carry the Alpaca outputs); eval carries the
// reference system's output with generator "world_reference" and dataset = the family.
// corpus holds config.corpus_documents documents that ask no split's prompt.
WorldDatasets generate_world(const WorldConfig& config, std::uint64_t seed);

}  // namespace paddock::world
