// The `evaluators` plugin: win rates against a reference, the leaderboard report, and
// reward-model accuracy.
#include "evaluator_nodes.hpp"
#include "paddock/plugin.hpp"

namespace {

void register_evaluators(paddock::Registrar& registrar) {
  registrar.add_node_type(paddock::evaluators::win_rate_node_type());
  registrar.add_node_type(paddock::evaluators::leaderboard_node_type());
  registrar.add_node_type(paddock::evaluators::reward_eval_node_type());
}

}  // namespace

PADDOCK_PLUGIN("evaluators", "0.1.0",
               "Win rates (with length control), the leaderboard report and reward-model "
               "accuracy.",
               register_evaluators)
