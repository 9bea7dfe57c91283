// A node's parameters declared once: each parameter is bound to a field of the node's
// settings struct, so the schema the host validates (and `paddock plugins` shows), the
// default (taken from the struct), the read and the enum names all come from one line, and a
// parameter the node reads but does not declare cannot exist. Groups of fields (the
// optimizer, sampling, checkpointing) are schemas of their own, embedded where a struct holds
// them; cross-field rules are checked by the host at `paddock validate` time.
//
//   struct MySettings { std::int64_t steps = 100; learning::OptimizerSettings optimizer; };
//   SettingsSchema<MySettings> schema;
//   schema.integer("steps", &MySettings::steps, "optimizer steps", 1)
//       .group(&MySettings::optimizer, learning::optimizer_schema())
//       .rule({"steps"}, "steps is even",
//             [](const MySettings& s) { return s.steps % 2 ? "must be even" : ""; });
//   spec.params = schema.specs();                       // defaults from MySettings{}
//   MySettings settings = schema.read(context.params());
//
// Header-only: the schema is compiled into the plugin; only ParamSpec and ParamRule cross
// the plugin boundary.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "paddock/error.hpp"
#include "paddock/params.hpp"

namespace paddock {

template <class Settings>
class SettingsSchema {
 public:
  // A rule's check: empty when the settings satisfy it, otherwise what is wrong.
  using Check = std::function<std::string(const Settings&)>;

  SettingsSchema& integer(std::string name, std::int64_t Settings::*field, std::string doc,
                          std::optional<double> minimum = std::nullopt,
                          std::optional<double> maximum = std::nullopt) {
    return add(
        std::move(name),
        [=, doc = std::move(doc)](const Settings& d, const std::string& n) {
          return integer_param(n, d.*field, doc, minimum, maximum);
        },
        [field](const Params& p, const std::string& n, Settings& s) { s.*field = p.integer(n); });
  }

  SettingsSchema& number(std::string name, double Settings::*field, std::string doc,
                         std::optional<double> minimum = std::nullopt,
                         std::optional<double> maximum = std::nullopt) {
    return add(
        std::move(name),
        [=, doc = std::move(doc)](const Settings& d, const std::string& n) {
          return number_param(n, d.*field, doc, minimum, maximum);
        },
        [field](const Params& p, const std::string& n, Settings& s) { s.*field = p.number(n); });
  }

  SettingsSchema& boolean(std::string name, bool Settings::*field, std::string doc) {
    return add(
        std::move(name),
        [=, doc = std::move(doc)](const Settings& d, const std::string& n) {
          return boolean_param(n, d.*field, doc);
        },
        [field](const Params& p, const std::string& n, Settings& s) { s.*field = p.boolean(n); });
  }

  // A string; with `choices`, only those values.
  SettingsSchema& text(std::string name, std::string Settings::*field, std::string doc,
                       std::vector<std::string> choices = {}) {
    return add(
        std::move(name),
        [=, doc = std::move(doc)](const Settings& d, const std::string& n) {
          return string_param(n, d.*field, doc, choices);
        },
        [field](const Params& p, const std::string& n, Settings& s) { s.*field = p.string(n); });
  }

  // A file or directory, resolved by the host against the pipeline file's directory.
  SettingsSchema& path(std::string name, std::string Settings::*field, std::string doc) {
    return add(
        std::move(name),
        [=, doc = std::move(doc)](const Settings& d, const std::string& n) {
          return path_param(n, d.*field, doc);
        },
        [field](const Params& p, const std::string& n, Settings& s) { s.*field = p.string(n); });
  }

  SettingsSchema& strings(std::string name, std::vector<std::string> Settings::*field,
                          std::string doc) {
    return add(
        std::move(name),
        [=, doc = std::move(doc)](const Settings& d, const std::string& n) {
          return ParamSpec{n, ParamType::string_list, doc, nlohmann::json(d.*field)};
        },
        [field](const Params& p, const std::string& n, Settings& s) {
          s.*field = p.string_list(n);
        });
  }

  // A free-form TOML table, as JSON.
  SettingsSchema& table(std::string name, nlohmann::json Settings::*field, std::string doc) {
    return add(
        std::move(name),
        [=, doc = std::move(doc)](const Settings& d, const std::string& n) {
          return ParamSpec{n, ParamType::table, doc, d.*field};
        },
        [field](const Params& p, const std::string& n, Settings& s) { s.*field = p.json(n); });
  }

  // An enum written as one of `names` in TOML.
  template <class Enum>
  SettingsSchema& choice(std::string name, Enum Settings::*field, std::string doc,
                         std::vector<std::pair<std::string, Enum>> names) {
    std::vector<std::string> choices;
    for (const auto& entry : names) choices.push_back(entry.first);
    return add(
        std::move(name),
        [=, doc = std::move(doc)](const Settings& d, const std::string& n) {
          std::string default_name;
          for (const auto& [text, value] : names)
            if (value == d.*field) default_name = text;
          return string_param(n, default_name, doc, choices);
        },
        [field, names](const Params& p, const std::string& n, Settings& s) {
          const std::string text = p.string(n);
          for (const auto& [known, value] : names) {
            if (known == text) {
              s.*field = value;
              return;
            }
          }
          throw Error("parameter '" + n + "': unknown value '" + text + "'");
        });
  }

  // Every parameter and rule of `schema`, bound to the struct member `member`: a group of
  // settings shared by several nodes.
  template <class Group>
  SettingsSchema& group(Group Settings::*member, const SettingsSchema<Group>& schema) {
    for (const auto& field : schema.fields_) {
      fields_.push_back(Field{
          field.name, [member, spec = field.spec](const Settings& d) { return spec(d.*member); },
          [member, read = field.read](const Params& p, Settings& s) { read(p, s.*member); }});
    }
    for (const auto& rule : schema.rules_) {
      rules_.push_back({rule.params, rule.doc, [member, check = rule.check](const Settings& s) {
                          return check(s.*member);
                        }});
    }
    return *this;
  }

  // A rule relating several parameters (named in `params`, to locate a violation); the host
  // checks it when it validates a pipeline, and read() checks it again.
  SettingsSchema& rule(std::vector<std::string> params, std::string doc, Check check) {
    rules_.push_back({std::move(params), std::move(doc), std::move(check)});
    return *this;
  }

  // Leaves parameter `name` out (a group member a node does not use).
  SettingsSchema& without(const std::string& name) {
    std::erase_if(fields_, [&](const Field& field) { return field.name == name; });
    return *this;
  }

  bool declares(const std::string& name) const {
    for (const auto& field : fields_)
      if (field.name == name) return true;
    return false;
  }

  // The declarations, with the values of `defaults` as the defaults.
  std::vector<ParamSpec> specs(const Settings& defaults = Settings{}) const {
    std::vector<ParamSpec> specs;
    for (const auto& field : fields_) specs.push_back(field.spec(defaults));
    return specs;
  }

  // The settings the host validated; fields without a parameter keep their value in `base`.
  // Throws paddock::Error when a rule is broken.
  Settings read(const Params& params, Settings base = Settings{}) const {
    for (const auto& field : fields_) field.read(params, base);
    for (const auto& rule : rules_) {
      if (std::string problem = rule.check(base); !problem.empty()) {
        std::string listed;
        for (const auto& name : rule.params) listed += (listed.empty() ? "" : ", ") + name;
        throw Error("parameters " + listed + ": " + problem);
      }
    }
    return base;
  }

  // The cross-field rules as the host runs them (Registrar::add_param_rule).
  std::vector<ParamRule> param_rules() const {
    std::vector<ParamRule> rules;
    for (const auto& rule : rules_) {
      rules.push_back(
          {rule.params, rule.doc, [fields = fields_, check = rule.check](const Params& params) {
             Settings settings;
             for (const auto& field : fields) field.read(params, settings);
             return check(settings);
           }});
    }
    return rules;
  }

 private:
  template <class>
  friend class SettingsSchema;

  struct Field {
    std::string name;
    std::function<ParamSpec(const Settings&)> spec;
    std::function<void(const Params&, Settings&)> read;
  };

  template <class Spec, class Read>
  SettingsSchema& add(std::string name, Spec spec, Read read) {
    fields_.push_back(Field{name, [name, spec](const Settings& d) { return spec(d, name); },
                            [name, read](const Params& p, Settings& s) { read(p, name, s); }});
    return *this;
  }

  struct Rule {
    std::vector<std::string> params;
    std::string doc;
    Check check;
  };

  std::vector<Field> fields_;
  std::vector<Rule> rules_;
};

}  // namespace paddock
