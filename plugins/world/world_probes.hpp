// Probes of a base model (world version 2): held-out tasks in the corpus's own format, drawn
// from the pinned seed under "world/probes", that say whether pretraining taught the model to
// read its context and to recall the world's facts. `lm_probe` runs them; docs/world.md gives
// the gates a shipped base must pass.
//
// Rows (Dataset):
//   {"family": "induction", "text": SPAN "\n" SPAN, "repeat_start": byte offset of the second
//    copy}: a random 40-word span written twice; a model that copies has a far lower loss
//    on the second copy than on the first.
//   {"family": F, "category": C, "prompt": "...Q: ...\nA:", "answer": A, "text": prompt " " A}:
//    the model should continue the prompt with " " A; `text` is the whole document, so the
//    probes double as a validation set for sft's val_group_column. F is table, list or passage
//    (category in_context), fact_quiz or opposites (recall), addition (computing).
#pragma once

#include "fact_base.hpp"
#include "paddock/dataset.hpp"
#include "world_config.hpp"

namespace paddock::world {

// config.probes_per_family rows of each family.
Dataset generate_world_probes(const WorldConfig& config, const FactBase& facts);

}  // namespace paddock::world
