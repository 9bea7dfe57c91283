// The `quark` learner: Quark-style reward-conditioned learning (Lu et al., 2022) as AlpacaFarm
// ran it. Each round samples responses from the current policy, scores them with a frozen
// reward model and adds them to a growing pool; the pool is sorted by reward and cut into
// quantiles; the policy is then trained on the best quantile (or on every quantile after its
// reward token) with NLL + KL(policy || reference) - entropy.
#pragma once

#include "paddock/node_declaration.hpp"

namespace paddock::quark {

NodeTypeDeclaration quark_node_type();

}  // namespace paddock::quark
