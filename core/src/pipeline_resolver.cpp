// Validates a parsed pipeline against the registered node types and turns it into a
// ResolvedPipeline: types found, parameters checked, references bound, order computed.
#include <algorithm>
#include <cmath>
#include <functional>
#include <queue>
#include <set>

#include "paddock/core/graph.hpp"
#include "paddock/core/param_resolution.hpp"

namespace paddock::core {
namespace {

std::string plugin_label(const RegisteredNodeType* type) {
  return type && type->plugin ? type->plugin->label() : "";
}

struct PendingReference {
  std::string port;
  std::string producer_name;
  std::string producer_port;
  SourceLocation location;
};

class Resolver {
 public:
  Resolver(Pipeline pipeline, const PluginRegistry& registry)
      : pipeline_(std::move(pipeline)), registry_(registry) {}

  ResolvedPipeline resolve() {
    std::vector<ResolvedNode> nodes(pipeline_.nodes.size());
    std::vector<std::vector<PendingReference>> references(pipeline_.nodes.size());
    for (std::size_t i = 0; i < pipeline_.nodes.size(); ++i) {
      resolve_node(pipeline_.nodes[i], nodes[i], references[i]);
    }
    bind_references(nodes, references);
    if (!diagnostics_.empty()) throw PipelineError(std::move(diagnostics_));
    std::vector<std::size_t> order = topological_order(nodes);
    if (!diagnostics_.empty()) throw PipelineError(std::move(diagnostics_));

    // Renumber producers into the sorted order.
    std::vector<std::size_t> position(nodes.size());
    for (std::size_t i = 0; i < order.size(); ++i) position[order[i]] = i;
    ResolvedPipeline resolved;
    for (std::size_t index : order) {
      ResolvedNode node = std::move(nodes[index]);
      for (auto& [port, refs] : node.inputs) {
        for (auto& ref : refs) ref.producer = position[ref.producer];
      }
      resolved.nodes.push_back(std::move(node));
    }
    resolved.pipeline = std::move(pipeline_);
    return resolved;
  }

 private:
  void add(const SourceLocation& location, const std::string& node, const RegisteredNodeType* type,
           std::string message) {
    diagnostics_.push_back({location, node, plugin_label(type), std::move(message)});
  }

  void resolve_node(const NodeDeclaration& declaration, ResolvedNode& node,
                    std::vector<PendingReference>& references) {
    node.name = declaration.name;
    node.location = declaration.location;
    node.type = registry_.find_node_type(declaration.use);
    if (!node.type) {
      std::string hint = suggest_name(declaration.use, registry_.node_type_names());
      add(declaration.use_location, node.name, nullptr,
          "unknown node type '" + declaration.use + "'" + (hint.empty() ? "" : "; " + hint) +
              " (run `paddock plugins` to list the node types found)");
      return;
    }
    const NodeTypeSpec& spec = node.type->spec;
    std::vector<ParamSetting> settings;
    for (const NodeSetting& setting : declaration.settings) {
      auto input = std::find_if(spec.inputs.begin(), spec.inputs.end(),
                                [&](const PortSpec& port) { return port.name == setting.key; });
      if (input != spec.inputs.end()) {
        read_references(node, *input, setting, references);
      } else {
        settings.push_back({setting.key, setting.value, setting.location});
      }
    }
    std::vector<ParamProblem> problems;
    node.params = resolve_params(spec, node.type->rules, settings, declaration.location,
                                 pipeline_.file.parent_path(), problems);
    for (auto& problem : problems)
      add(problem.location, node.name, node.type, std::move(problem.message));
    for (const PortSpec& port : spec.inputs) {
      const bool connected = std::any_of(references.begin(), references.end(),
                                         [&](const auto& ref) { return ref.port == port.name; });
      if (!connected && !port.optional) {
        add(declaration.location, node.name, node.type,
            "input '" + port.name + "' (" + port.type + ") is not connected; set " + port.name +
                " = \"NODE.PORT\"");
      }
    }
  }

  void read_references(ResolvedNode& node, const PortSpec& port, const NodeSetting& setting,
                       std::vector<PendingReference>& references) {
    std::vector<std::string> texts;
    if (setting.value.is_string()) {
      texts.push_back(setting.value.get<std::string>());
    } else if (setting.value.is_array() && port.multiple &&
               std::all_of(setting.value.begin(), setting.value.end(),
                           [](const auto& v) { return v.is_string(); })) {
      for (const auto& v : setting.value) texts.push_back(v.get<std::string>());
    } else {
      add(setting.location, node.name, node.type,
          "input '" + port.name + "' takes " +
              (port.multiple ? "\"NODE.PORT\" or an array of them"
                             : "one \"NODE.PORT\" reference"));
      return;
    }
    for (const std::string& text : texts) {
      const std::size_t dot = text.find('.');
      if (dot == std::string::npos || dot == 0 || dot + 1 == text.size()) {
        add(setting.location, node.name, node.type,
            "input '" + port.name + "': '" + text + "' is not a NODE.PORT reference");
        continue;
      }
      references.push_back(
          {port.name, text.substr(0, dot), text.substr(dot + 1), setting.location});
    }
  }

  void bind_references(std::vector<ResolvedNode>& nodes,
                       const std::vector<std::vector<PendingReference>>& references) {
    std::vector<std::string> node_names;
    for (const auto& declaration : pipeline_.nodes) node_names.push_back(declaration.name);
    for (std::size_t consumer = 0; consumer < nodes.size(); ++consumer) {
      ResolvedNode& node = nodes[consumer];
      if (!node.type) continue;
      for (const PendingReference& ref : references[consumer]) {
        auto producer_it = std::find(node_names.begin(), node_names.end(), ref.producer_name);
        if (producer_it == node_names.end()) {
          std::string hint = suggest_name(ref.producer_name, node_names);
          add(ref.location, node.name, node.type,
              "input '" + ref.port + "' refers to unknown node '" + ref.producer_name + "'" +
                  (hint.empty() ? "" : "; " + hint));
          continue;
        }
        const std::size_t producer = producer_it - node_names.begin();
        const ResolvedNode& source = nodes[producer];
        if (!source.type) continue;  // already reported
        const auto& outputs = source.type->spec.outputs;
        auto output = std::find_if(outputs.begin(), outputs.end(),
                                   [&](const PortSpec& p) { return p.name == ref.producer_port; });
        if (output == outputs.end()) {
          std::vector<std::string> names;
          for (const auto& p : outputs) names.push_back(p.name);
          std::string hint = suggest_name(ref.producer_port, names);
          std::string listed;
          for (const auto& n : names) listed += (listed.empty() ? "" : ", ") + n;
          add(ref.location, node.name, node.type,
              "input '" + ref.port + "': node '" + ref.producer_name + "' (" +
                  source.type->spec.name + ") has no output '" + ref.producer_port + "'" +
                  (hint.empty() ? "" : "; " + hint) + " (outputs: " + listed + ")");
          continue;
        }
        const PortSpec& input =
            *std::find_if(node.type->spec.inputs.begin(), node.type->spec.inputs.end(),
                          [&](const PortSpec& p) { return p.name == ref.port; });
        if (input.type != output->type) {
          add(ref.location, node.name, node.type,
              "input '" + ref.port + "' expects a " + input.type + " but '" + ref.producer_name +
                  "." + ref.producer_port + "' is a " + output->type);
          continue;
        }
        check_capabilities(node, ref, source);
        node.inputs[ref.port].push_back({producer, ref.producer_port});
      }
    }
  }

  // A wiring whose producer promises capabilities must promise every one the input
  // requires; an output that promises none is checked when its Model arrives (executor).
  void check_capabilities(const ResolvedNode& node, const PendingReference& ref,
                          const ResolvedNode& source) {
    auto required = node.type->input_capabilities.find(ref.port);
    if (required == node.type->input_capabilities.end()) return;
    auto promised = source.type->output_capabilities.find(ref.producer_port);
    if (promised == source.type->output_capabilities.end()) return;
    std::string missing;
    for (const auto& capability : required->second) {
      if (std::find(promised->second.begin(), promised->second.end(), capability) ==
          promised->second.end())
        missing += (missing.empty() ? "" : ", ") + capability;
    }
    if (missing.empty()) return;
    std::string has;
    for (const auto& capability : promised->second) has += (has.empty() ? "" : ", ") + capability;
    add(ref.location, node.name, node.type,
        "input '" + ref.port + "' needs a Model with " + missing + ", but '" + ref.producer_name +
            "." + ref.producer_port + "' (" + source.type->spec.name + ") gives one with " +
            (has.empty() ? "none" : has));
  }

  // Kahn's algorithm, taking the earliest-declared ready node first.
  std::vector<std::size_t> topological_order(const std::vector<ResolvedNode>& nodes) {
    const std::size_t count = nodes.size();
    std::vector<std::set<std::size_t>> consumers(count);
    std::vector<std::size_t> pending(count, 0);
    for (std::size_t i = 0; i < count; ++i) {
      std::set<std::size_t> producers;
      for (const auto& [port, refs] : nodes[i].inputs) {
        for (const auto& ref : refs) producers.insert(ref.producer);
      }
      pending[i] = producers.size();
      for (std::size_t producer : producers) consumers[producer].insert(i);
    }
    std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> ready;
    for (std::size_t i = 0; i < count; ++i) {
      if (pending[i] == 0) ready.push(i);
    }
    std::vector<std::size_t> order;
    while (!ready.empty()) {
      const std::size_t next = ready.top();
      ready.pop();
      order.push_back(next);
      for (std::size_t consumer : consumers[next]) {
        if (--pending[consumer] == 0) ready.push(consumer);
      }
    }
    if (order.size() != count) report_cycle(nodes, pending);
    return order;
  }

  void report_cycle(const std::vector<ResolvedNode>& nodes,
                    const std::vector<std::size_t>& pending) {
    // Walk backwards along unresolved inputs until a node repeats: that loop is a cycle.
    std::size_t current =
        std::find_if(pending.begin(), pending.end(), [](auto p) { return p > 0; }) -
        pending.begin();
    std::vector<std::size_t> path;
    std::vector<bool> seen(nodes.size(), false);
    while (!seen[current]) {
      seen[current] = true;
      path.push_back(current);
      for (const auto& [port, refs] : nodes[current].inputs) {
        for (const auto& ref : refs) {
          if (pending[ref.producer] > 0) {
            current = ref.producer;
            goto next;
          }
        }
      }
      break;
    next:;
    }
    // path[i + 1] produces path[i]; print the loop in data-flow order, from `current`.
    const auto start = std::find(path.begin(), path.end(), current);
    std::string text = nodes[current].name;
    for (auto it = path.rbegin(); it.base() - 1 != start; ++it) text += " -> " + nodes[*it].name;
    text += " -> " + nodes[current].name;
    add(nodes[current].location, nodes[current].name, nodes[current].type,
        "the pipeline has a cycle: " + text);
  }

  Pipeline pipeline_;
  const PluginRegistry& registry_;
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace

std::size_t ResolvedPipeline::index_of(const std::string& node_name) const {
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].name == node_name) return i;
  }
  throw Error("the pipeline has no node '" + node_name + "'");
}

ResolvedPipeline resolve_pipeline(Pipeline pipeline, const PluginRegistry& registry) {
  return Resolver(std::move(pipeline), registry).resolve();
}

std::string to_dot(const ResolvedPipeline& pipeline) {
  auto quote = [](const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out + "\"";
  };
  std::string dot = "digraph " + quote(pipeline.pipeline.name) + " {\n  rankdir=LR;\n";
  dot += "  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n";
  for (const auto& node : pipeline.nodes) {
    dot += "  " + quote(node.name) + " [label=" +
           quote(node.name + "\n" + node.type->spec.name + " (" +
                 std::string(to_string(node.type->spec.kind)) + ")") +
           "];\n";
  }
  for (const auto& node : pipeline.nodes) {
    for (const auto& [port, refs] : node.inputs) {
      for (const auto& ref : refs) {
        dot += "  " + quote(pipeline.nodes[ref.producer].name) + " -> " + quote(node.name) +
               " [label=" + quote(ref.port + " → " + port) + "];\n";
      }
    }
  }
  return dot + "}\n";
}

}  // namespace paddock::core
