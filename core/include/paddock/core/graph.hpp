// A validated pipeline: every node resolved to its registered type, parameters checked and
// completed with defaults, inputs bound to producer ports, nodes in topological order.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "paddock/core/pipeline.hpp"
#include "paddock/core/plugin_registry.hpp"
#include "paddock/params.hpp"

namespace paddock::core {

struct PortReference {
  std::size_t producer = 0;  // index into ResolvedPipeline::nodes
  std::string port;
};

struct ResolvedNode {
  std::string name;
  const RegisteredNodeType* type = nullptr;
  Params params;
  std::map<std::string, std::vector<PortReference>> inputs;  // by input port name
  SourceLocation location;
};

struct ResolvedPipeline {
  Pipeline pipeline;
  std::vector<ResolvedNode> nodes;  // topologically sorted; file order among independent nodes

  std::size_t index_of(const std::string& node_name) const;  // throws when unknown
};

// Checks the whole pipeline against the registry; throws PipelineError listing every
// problem (unknown node type, ports, types, cycles, parameters).
ResolvedPipeline resolve_pipeline(Pipeline pipeline, const PluginRegistry& registry);

// Graphviz DOT of a resolved pipeline.
std::string to_dot(const ResolvedPipeline& pipeline);

}  // namespace paddock::core
