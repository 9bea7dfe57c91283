// A node type from a plain function, so a small plugin needs no class of its own:
//   registrar.add_node_type(paddock::make_node_type(spec, [](paddock::NodeContext& ctx) {...}));
#pragma once

#include <functional>
#include <memory>
#include <utility>

#include "paddock/node.hpp"

namespace paddock {

using RunFunction = std::function<void(NodeContext&)>;

class PADDOCK_API FunctionNode : public Node {
 public:
  explicit FunctionNode(RunFunction run) : run_(std::move(run)) {}
  ~FunctionNode() override;
  void run(NodeContext& context) override { run_(context); }

 private:
  RunFunction run_;
};

inline NodeTypeSpec make_node_type(NodeTypeSpec spec, RunFunction run) {
  spec.create = [run = std::move(run)] { return std::make_unique<FunctionNode>(run); };
  return spec;
}

}  // namespace paddock
