// A logger for objects that outlive the node that made them (an Annotator is used by later
// nodes): it writes to the node's sinks but does not depend on the node's context.
#pragma once

#include <memory>

#include <spdlog/logger.h>

#include "paddock/context.hpp"

namespace paddock::annotators {

// A logger writing to the node's sinks that stays valid after the node's context is gone.
// No sinks of its own are created.
std::shared_ptr<spdlog::logger> share_node_logger(NodeContext& context);

}  // namespace paddock::annotators
