// Out-of-line destructors ("key functions") of the SDK's interfaces. Defining them here, in
// the one core library, gives each interface a single vtable and typeinfo that the host and
// every plugin share, so dynamic_cast and exceptions work across library boundaries.
#include "paddock/annotator.hpp"
#include "paddock/annotator_usage.hpp"
#include "paddock/capabilities.hpp"
#include "paddock/context.hpp"
#include "paddock/dataset.hpp"
#include "paddock/error.hpp"
#include "paddock/instruction_template.hpp"
#include "paddock/model.hpp"
#include "paddock/node.hpp"
#include "paddock/progress.hpp"
#include "paddock/registrar.hpp"
#include "paddock/report.hpp"
#include "paddock/request_generator.hpp"
#include "paddock/simple_node.hpp"

namespace paddock {

Error::Error(const std::string& message) : std::runtime_error(message) {}
Error::~Error() = default;
Cancelled::Cancelled() : Error("cancelled") {}
Cancelled::~Cancelled() = default;

Artifact::~Artifact() = default;
Dataset::~Dataset() = default;
Report::~Report() = default;
Model::~Model() = default;
Annotator::~Annotator() = default;
UsageReporter::~UsageReporter() = default;
Cancellable::~Cancellable() = default;
Progress::~Progress() = default;
NodeContext::~NodeContext() = default;
int NodeContext::rank() const {
  return 0;
}
int NodeContext::world_size() const {
  return 1;
}
int NodeContext::local_rank() const {
  return 0;
}
void NodeContext::mark_incomplete(std::string) {}
Node::~Node() = default;
FunctionNode::~FunctionNode() = default;
Registrar::~Registrar() = default;
void Registrar::declare_data_parallel(std::string_view) {}
void Registrar::add_param_rule(std::string_view, ParamRule) {}
void Registrar::require_capabilities(std::string_view, std::string_view, std::vector<std::string>) {
}
void Registrar::promise_capabilities(std::string_view, std::string_view, std::vector<std::string>) {
}
TextGenerator::~TextGenerator() = default;
RewardScorer::~RewardScorer() = default;
InstructionTemplateEditor::~InstructionTemplateEditor() = default;
GenerationListener::~GenerationListener() = default;
RequestFeed::~RequestFeed() = default;
RequestGenerator::~RequestGenerator() = default;

std::string_view to_string(NodeKind kind) {
  switch (kind) {
    case NodeKind::source:
      return "source";
    case NodeKind::model:
      return "model";
    case NodeKind::annotator:
      return "annotator";
    case NodeKind::learner:
      return "learner";
    case NodeKind::evaluator:
      return "evaluator";
    case NodeKind::transform:
      return "transform";
  }
  return "unknown";
}

}  // namespace paddock
