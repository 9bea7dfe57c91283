// Node types of the `evaluators` plugin. Tests build nodes from these specs and run them
// against a test context, without a pipeline.
#pragma once

#include "paddock/node.hpp"

namespace paddock::evaluators {

// `win_rate`: a system's outputs against reference outputs, judged by an Annotator.
NodeTypeSpec win_rate_node_type();
// `leaderboard`: win-rate reports of many systems in one table and report.html.
NodeTypeSpec leaderboard_node_type();
// `reward_eval`: a reward model's accuracy on held-out preference pairs.
NodeTypeSpec reward_eval_node_type();

}  // namespace paddock::evaluators
