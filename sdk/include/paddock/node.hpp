// Node types: what a plugin registers. A node type declares its kind, typed ports and
// parameter schema as data, so the host validates a pipeline and `paddock plugins`
// describes it without running anything.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "paddock/context.hpp"
#include "paddock/params.hpp"

namespace paddock {

enum class NodeKind : std::uint8_t { source, model, annotator, learner, evaluator, transform };

PADDOCK_API std::string_view to_string(NodeKind kind);

struct PortSpec {
  std::string name;
  std::string type;  // an artifact type name, see paddock/artifact.hpp
  std::string doc;
  bool optional = false;  // inputs only: may be left unconnected
  bool multiple = false;  // inputs only: takes a list of references
};

class PADDOCK_API Node {
 public:
  virtual ~Node();
  // Reads inputs from the context and sets every declared output. Throw paddock::Error (or
  // any exception) on failure: the host reports it with the node's and plugin's names.
  virtual void run(NodeContext& context) = 0;
};

struct NodeTypeSpec {
  std::string name;  // the `use = "..."` value in a pipeline
  NodeKind kind = NodeKind::transform;
  std::string summary;  // one line
  std::string doc;      // longer description, optional
  std::vector<PortSpec> inputs;
  std::vector<PortSpec> outputs;
  std::vector<ParamSpec> params;
  std::function<std::unique_ptr<Node>()> create;
};

}  // namespace paddock
