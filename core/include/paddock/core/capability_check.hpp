// Checking a Model against the capabilities a port requires or promises
// (Registrar::require_capabilities, promise_capabilities).
#pragma once

#include <string>
#include <vector>

#include "paddock/artifact.hpp"

namespace paddock::core {

// The capabilities in `wanted` that `artifact` (a Model) does not list, comma-separated;
// empty when it has them all or is not a Model.
std::string missing_capabilities(const Artifact& artifact, const std::vector<std::string>& wanted);

// What `artifact` lists, comma-separated, for messages.
std::string listed_capabilities(const Artifact& artifact);

}  // namespace paddock::core
