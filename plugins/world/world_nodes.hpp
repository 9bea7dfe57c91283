// Node types of the `world` plugin, and the plain functions behind them that tests call.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "paddock/dataset.hpp"
#include "paddock/node.hpp"

namespace paddock::world {

NodeTypeSpec instruction_world_node_type();
NodeTypeSpec world_system_node_type();
NodeTypeSpec world_gold_humans_node_type();
NodeTypeSpec world_personas_node_type();
NodeTypeSpec world_task_scores_node_type();
NodeTypeSpec world_correctness_node_type();

// The outputs of the scripted system `quality` (strong, medium, weak, base, reference or
// teacher) for every row of `prompts`: each record copied with `output` replaced and
// `generator` set. Responses are seeded by derive_seed(seed, "world/system/<quality>") and
// then by the prompt. Throws naming the row when a record lacks the world's hidden columns.
Dataset system_outputs(const Dataset& prompts, std::string_view quality, std::uint64_t seed,
                       const std::string& generator);

}  // namespace paddock::world
