// The shared node logger.
#include "shared_logger.hpp"

namespace paddock::annotators {

std::shared_ptr<spdlog::logger> share_node_logger(NodeContext& context) {
  spdlog::logger& node_logger = context.log();
  auto logger = std::make_shared<spdlog::logger>(node_logger.name(), node_logger.sinks().begin(),
                                                 node_logger.sinks().end());
  logger->set_level(node_logger.level());
  logger->flush_on(spdlog::level::info);
  return logger;
}

}  // namespace paddock::annotators
