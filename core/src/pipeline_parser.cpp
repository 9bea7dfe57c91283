// Reads a pipeline's TOML into a Pipeline, keeping every value's source location. Collects
// all structural problems before throwing, so one run of `paddock validate` shows them all.
#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string_view>

#include "paddock/core/pipeline.hpp"

namespace paddock::core {
namespace {

// Names and devices are checked by hand, not with std::regex: libstdc++'s matcher recurses
// once per character, so a name of some ten thousand characters overflowed the stack.
bool is_ascii_letter_or_digit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// [A-Za-z_][A-Za-z0-9_-]*
bool is_node_name(std::string_view text) {
  if (text.empty() || (text[0] >= '0' && text[0] <= '9') || text[0] == '-') return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return is_ascii_letter_or_digit(c) || c == '_' || c == '-'; });
}

// [A-Za-z0-9_][A-Za-z0-9_.-]*
bool is_pipeline_name(std::string_view text) {
  if (text.empty() || text[0] == '.' || text[0] == '-') return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return is_ascii_letter_or_digit(c) || c == '_' || c == '-' || c == '.';
  });
}

// auto|cpu|cuda|cuda:[0-9]+
bool is_device(std::string_view text) {
  if (text == "auto" || text == "cpu" || text == "cuda") return true;
  if (!text.starts_with("cuda:") || text.size() == 5) return false;
  return std::all_of(text.begin() + 5, text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

class PipelineReader {
 public:
  PipelineReader(std::filesystem::path file, std::vector<SettingOverride> overrides)
      : file_(std::move(file)), overrides_(std::move(overrides)) {}

  Pipeline read(const std::string& text) {
    toml::table root;
    try {
      root = toml::parse(text, file_.string());
    } catch (const toml::parse_error& error) {
      add({location_of(error.source()), "", "", std::string(error.description())});
      throw PipelineError(std::move(diagnostics_));
    }
    apply_overrides(root);
    Pipeline pipeline;
    pipeline.file = file_;
    read_top_level(root, pipeline);
    // TOML tables are unordered; keep the order in which the file wrote things.
    auto by_position = [](const auto& a, const auto& b) {
      return std::pair(a.location.line, a.location.column) <
             std::pair(b.location.line, b.location.column);
    };
    std::stable_sort(pipeline.nodes.begin(), pipeline.nodes.end(), by_position);
    for (auto& node : pipeline.nodes) {
      std::stable_sort(node.settings.begin(), node.settings.end(), by_position);
    }
    std::stable_sort(diagnostics_.begin(), diagnostics_.end(), by_position);
    if (!diagnostics_.empty()) throw PipelineError(std::move(diagnostics_));
    if (pipeline.workdir.empty()) pipeline.workdir = std::filesystem::path("runs") / pipeline.name;
    return pipeline;
  }

 private:
  void add(Diagnostic diagnostic) { diagnostics_.push_back(std::move(diagnostic)); }

  SourceLocation location_of(const toml::source_region& region) const {
    if (!region.path || *region.path != file_.string()) return {"command line (--set)", 0, 0};
    return {file_.string(), region.begin.line, region.begin.column};
  }
  SourceLocation location_of(const toml::node& node) const { return location_of(node.source()); }
  SourceLocation location_of(const toml::key& key) const { return location_of(key.source()); }

  void apply_overrides(toml::table& root) {
    for (const SettingOverride& setting : overrides_) {
      const SourceLocation where{"--set " + setting.text, 0, 0};
      const std::size_t equals = setting.text.find('=');
      const std::size_t dot = setting.text.find('.');
      if (equals == std::string::npos || dot == std::string::npos || dot > equals || dot == 0 ||
          dot + 1 == equals) {
        add({where, "", "", "expected NODE.PARAM=VALUE (or pipeline.KEY=VALUE)"});
        continue;
      }
      const std::string section = setting.text.substr(0, dot);
      const std::string key = setting.text.substr(dot + 1, equals - dot - 1);
      const std::string value_text = setting.text.substr(equals + 1);
      toml::table* target = nullptr;
      if (section == "pipeline") {
        if (!root.contains("pipeline")) root.insert("pipeline", toml::table{});
        target = root["pipeline"].as_table();
      } else if (auto* nodes = root["nodes"].as_table()) {
        target = (*nodes)[section].as_table();
      }
      if (target == nullptr) {
        add({where, section, "", "no such node in the pipeline"});
        continue;
      }
      // The value is TOML when it parses as one ("3", "true", "[1, 2]", "\"x\""), else text.
      toml::node_view<toml::node> value;
      toml::table parsed;
      try {
        parsed = toml::parse("value = " + value_text);
      } catch (const toml::parse_error&) {
        parsed = toml::table{{"value", value_text}};
      }
      // Parsed without a source path, so location_of() reports it as from the command line.
      target->insert_or_assign(key, std::move(*parsed.get("value")));
    }
  }

  bool to_json(const toml::node& node, nlohmann::json& out) {
    if (auto* v = node.as_integer()) {
      out = v->get();
    } else if (auto* f = node.as_floating_point()) {
      out = f->get();
    } else if (auto* b = node.as_boolean()) {
      out = b->get();
    } else if (auto* s = node.as_string()) {
      out = s->get();
    } else if (auto* array = node.as_array()) {
      out = nlohmann::json::array();
      for (const auto& element : *array) {
        nlohmann::json converted;
        if (!to_json(element, converted)) return false;
        out.push_back(std::move(converted));
      }
    } else if (auto* table = node.as_table()) {
      out = nlohmann::json::object();
      for (auto&& [key, value] : *table) {
        nlohmann::json converted;
        if (!to_json(value, converted)) return false;
        out[std::string(key.str())] = std::move(converted);
      }
    } else {
      add({location_of(node), "", "", "dates and times are not supported as values"});
      return false;
    }
    return true;
  }

  void read_top_level(const toml::table& root, Pipeline& pipeline) {
    static const std::vector<std::string> kSections = {"pipeline", "plugins", "nodes"};
    for (auto&& [key, value] : root) {
      const std::string name(key.str());
      if (std::find(kSections.begin(), kSections.end(), name) == kSections.end()) {
        std::string hint = suggest_name(name, kSections);
        add({location_of(key), "", "",
             "unknown section '" + name + "'" + (hint.empty() ? "" : "; " + hint) +
                 " (expected [pipeline], [plugins] or [nodes.NAME])"});
      }
    }
    if (auto* section = root.get("pipeline")) {
      if (auto* table = section->as_table()) {
        read_pipeline_section(*table, pipeline);
      } else {
        add({location_of(*section), "", "", "'pipeline' must be a table"});
      }
    } else {
      add({{file_.string(), 1, 1}, "", "", "missing [pipeline] section with at least `name`"});
    }
    if (auto* section = root.get("plugins")) read_plugins_section(*section, pipeline);
    if (auto* section = root.get("nodes")) {
      if (auto* table = section->as_table()) {
        read_nodes(*table, pipeline);
      } else {
        add({location_of(*section), "", "", "'nodes' must be a table of [nodes.NAME] tables"});
      }
    }
    if (pipeline.nodes.empty() && diagnostics_.empty()) {
      add({{file_.string(), 1, 1}, "", "", "the pipeline has no nodes"});
    }
  }

  void read_pipeline_section(const toml::table& table, Pipeline& pipeline) {
    static const std::vector<std::string> kKeys = {"name", "seed", "device", "workdir"};
    for (auto&& [key, value] : table) {
      const std::string name(key.str());
      if (name == "name") {
        auto* text = value.as_string();
        if (!text || !is_pipeline_name(text->get())) {
          add({location_of(value), "", "",
               "pipeline name must be a string of letters, digits, '_', '-' and '.'"});
        } else {
          pipeline.name = text->get();
        }
      } else if (name == "seed") {
        auto* number = value.as_integer();
        if (!number || number->get() < 0) {
          add({location_of(value), "", "", "seed must be a non-negative integer"});
        } else {
          pipeline.seed = static_cast<std::uint64_t>(number->get());
        }
      } else if (name == "device") {
        auto* text = value.as_string();
        if (!text || !is_device(text->get())) {
          add({location_of(value), "", "",
               "device must be \"auto\", \"cpu\", \"cuda\" or \"cuda:N\""});
        } else {
          pipeline.device = text->get();
        }
      } else if (name == "workdir") {
        auto* text = value.as_string();
        if (!text || text->get().empty()) {
          add({location_of(value), "", "", "workdir must be a non-empty string"});
        } else {
          pipeline.workdir = text->get();
        }
      } else {
        std::string hint = suggest_name(name, kKeys);
        add({location_of(key), "", "",
             "unknown key '" + name + "' in [pipeline]" + (hint.empty() ? "" : "; " + hint)});
      }
    }
    if (pipeline.name.empty() && !table.contains("name")) {
      add({location_of(table), "", "", "[pipeline] needs a `name`"});
    }
  }

  void read_plugins_section(const toml::node& section, Pipeline& pipeline) {
    auto* table = section.as_table();
    if (!table) {
      add({location_of(section), "", "", "'plugins' must be a table with `paths`"});
      return;
    }
    for (auto&& [key, value] : *table) {
      if (key.str() != "paths") {
        add({location_of(key), "", "",
             "unknown key '" + std::string(key.str()) + "' in [plugins] (expected `paths`)"});
        continue;
      }
      auto* array = value.as_array();
      if (!array) {
        add({location_of(value), "", "", "plugins.paths must be an array of strings"});
        continue;
      }
      for (const auto& element : *array) {
        auto* text = element.as_string();
        if (!text) {
          add({location_of(element), "", "", "plugins.paths must be an array of strings"});
          continue;
        }
        std::filesystem::path directory(text->get());
        if (directory.is_relative()) directory = file_.parent_path() / directory;
        pipeline.plugin_directories.push_back(directory.lexically_normal());
      }
    }
  }

  void read_nodes(const toml::table& nodes, Pipeline& pipeline) {
    for (auto&& [key, value] : nodes) {
      NodeDeclaration node;
      node.name = std::string(key.str());
      node.location = location_of(key);
      if (node.name == "pipeline" || !is_node_name(node.name)) {
        add({node.location, node.name, "",
             "node names use letters, digits, '_' and '-', start with a letter or '_', and "
             "'pipeline' is reserved"});
        continue;
      }
      auto* table = value.as_table();
      if (!table) {
        add({location_of(value), node.name, "",
             "a node must be a table ([nodes." + node.name + "])"});
        continue;
      }
      bool ok = true;
      for (auto&& [setting_key, setting_value] : *table) {
        if (setting_key.str() == "use") {
          if (auto* text = setting_value.as_string(); text && !text->get().empty()) {
            node.use = text->get();
            node.use_location = location_of(setting_value);
          } else {
            add({location_of(setting_value), node.name, "", "`use` must name a node type"});
            ok = false;
          }
          continue;
        }
        NodeSetting setting;
        setting.key = std::string(setting_key.str());
        setting.location = location_of(setting_value);
        if (!to_json(setting_value, setting.value)) {
          ok = false;
          continue;
        }
        node.settings.push_back(std::move(setting));
      }
      if (node.use.empty() && ok) {
        add({node.location, node.name, "",
             "missing `use = \"<node type>\"` (run `paddock plugins` for the list)"});
        ok = false;
      }
      if (ok) pipeline.nodes.push_back(std::move(node));
    }
  }

  std::filesystem::path file_;
  std::vector<SettingOverride> overrides_;
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace

Pipeline parse_pipeline_text(const std::string& text, const std::filesystem::path& file,
                             const std::vector<SettingOverride>& overrides) {
  return PipelineReader(file, overrides).read(text);
}

Pipeline parse_pipeline_file(const std::filesystem::path& file,
                             const std::vector<SettingOverride>& overrides) {
  std::ifstream stream(file, std::ios::binary);
  if (!stream) {
    throw PipelineError(
        {Diagnostic{{file.string(), 0, 0}, "", "", "cannot open the pipeline file"}});
  }
  std::stringstream buffer;
  buffer << stream.rdbuf();
  // Absolute, so paths resolved against it do not depend on the current directory.
  return parse_pipeline_text(buffer.str(), std::filesystem::absolute(file).lexically_normal(),
                             overrides);
}

}  // namespace paddock::core
