// Parameter schemas and validated parameter values. A node type declares its parameters as
// data; the host checks a pipeline's values against them before anything runs, fills in
// defaults, and hands the node a Params object that holds exactly the declared names.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "paddock/export.hpp"

namespace paddock {

enum class ParamType : std::uint8_t {
  boolean,
  integer,
  number,  // a floating-point value; integers are accepted
  string,
  string_list,
  number_list,
  table,  // a free-form TOML table, handed over as JSON
  path,   // a file or directory; relative paths are resolved against the pipeline file's
          // directory, and the node re-runs when what it names changes (size or time)
};

PADDOCK_API std::string_view to_string(ParamType type);

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::string;
  std::string doc;
  // The default, as JSON; null means "no default" (then the parameter is required or
  // optional-without-value, see `required`).
  nlohmann::json default_value;
  bool required = false;
  std::optional<double> minimum;     // inclusive, for integer and number
  std::optional<double> maximum;     // inclusive, for integer and number
  std::vector<std::string> choices;  // allowed values, for string
};

// Small builders so a node type's schema reads as a list of declarations.
PADDOCK_API ParamSpec boolean_param(std::string name, bool default_value, std::string doc);
PADDOCK_API ParamSpec integer_param(std::string name, std::int64_t default_value, std::string doc,
                                    std::optional<double> minimum = std::nullopt,
                                    std::optional<double> maximum = std::nullopt);
PADDOCK_API ParamSpec number_param(std::string name, double default_value, std::string doc,
                                   std::optional<double> minimum = std::nullopt,
                                   std::optional<double> maximum = std::nullopt);
PADDOCK_API ParamSpec string_param(std::string name, std::string default_value, std::string doc,
                                   std::vector<std::string> choices = {});
PADDOCK_API ParamSpec path_param(std::string name, std::string default_value, std::string doc);
PADDOCK_API ParamSpec required_param(std::string name, ParamType type, std::string doc);

// Validated parameter values: every declared parameter that has a value or a default.
class PADDOCK_API Params {
 public:
  Params() = default;
  explicit Params(nlohmann::json values) : values_(std::move(values)) {}

  bool has(std::string_view name) const;
  bool boolean(std::string_view name) const;
  std::int64_t integer(std::string_view name) const;
  double number(std::string_view name) const;
  std::string string(std::string_view name) const;
  std::vector<std::string> string_list(std::string_view name) const;
  std::vector<double> number_list(std::string_view name) const;
  const nlohmann::json& json(std::string_view name) const;
  const nlohmann::json& all() const { return values_; }

 private:
  nlohmann::json values_ = nlohmann::json::object();
};

// Since ABI 2.1. A rule relating several of a node type's parameters, which the host checks
// when it validates a pipeline (Registrar::add_param_rule), so `paddock validate` reports a
// violation with the file and line instead of the node failing when it runs.
struct ParamRule {
  std::vector<std::string> params;  // the parameters it relates; the first set one locates it
  std::string doc;                  // the rule in words, for `paddock plugins`
  // Empty when the validated values satisfy the rule, otherwise what is wrong.
  std::function<std::string(const Params&)> check;
};

}  // namespace paddock
