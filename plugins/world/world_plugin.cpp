// The `world` plugin: Paddock's embedded synthetic instruction world, its scripted systems
// and its simulated humans and judges. The logic lives in paddock_world_lib.
#include "paddock/plugin.hpp"
#include "world_nodes.hpp"

namespace {

void register_world(paddock::Registrar& registrar) {
  registrar.add_node_type(paddock::world::instruction_world_node_type());
  registrar.add_node_type(paddock::world::world_system_node_type());
  registrar.add_node_type(paddock::world::world_gold_humans_node_type());
  registrar.add_node_type(paddock::world::world_personas_node_type());
  registrar.add_node_type(paddock::world::world_task_scores_node_type());
  registrar.add_node_type(paddock::world::world_correctness_node_type());
}

}  // namespace

PADDOCK_PLUGIN("world", "0.1.0",
               "A synthetic instruction world with hidden human preferences, scripted systems "
               "and judge personas.",
               register_world)
