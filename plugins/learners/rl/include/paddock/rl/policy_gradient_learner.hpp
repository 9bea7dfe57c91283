// The on-policy RL learners: PPO (a value model and GAE, AlpacaFarm's algorithm) and the
// group-relative methods without a critic, RLOO (leave-one-out baseline) and GRPO (group
// mean and standard deviation). One loop: sample rollouts from the policy, score them with
// a frozen reward model, compare with a frozen reference, then optimise the clipped
// surrogate for a few epochs; periodic evaluation, checkpoints and resume.
#pragma once

#include "paddock/node_declaration.hpp"

namespace paddock::rl {

enum class Algorithm { ppo, rloo, grpo };

void run_policy_gradient(NodeContext& context, Algorithm algorithm);

NodeTypeDeclaration ppo_node_type();
NodeTypeDeclaration rloo_node_type();
NodeTypeDeclaration grpo_node_type();

}  // namespace paddock::rl
