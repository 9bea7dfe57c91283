// Parameter schema builders and typed access to validated parameter values.
#include "paddock/params.hpp"

#include "paddock/error.hpp"

namespace paddock {

std::string_view to_string(ParamType type) {
  switch (type) {
    case ParamType::boolean:
      return "boolean";
    case ParamType::integer:
      return "integer";
    case ParamType::number:
      return "number";
    case ParamType::string:
      return "string";
    case ParamType::string_list:
      return "string list";
    case ParamType::number_list:
      return "number list";
    case ParamType::table:
      return "table";
    case ParamType::path:
      return "path";
  }
  return "unknown";
}

ParamSpec boolean_param(std::string name, bool default_value, std::string doc) {
  return ParamSpec{std::move(name), ParamType::boolean, std::move(doc), default_value};
}

ParamSpec integer_param(std::string name, std::int64_t default_value, std::string doc,
                        std::optional<double> minimum, std::optional<double> maximum) {
  ParamSpec spec{std::move(name), ParamType::integer, std::move(doc), default_value};
  spec.minimum = minimum;
  spec.maximum = maximum;
  return spec;
}

ParamSpec number_param(std::string name, double default_value, std::string doc,
                       std::optional<double> minimum, std::optional<double> maximum) {
  ParamSpec spec{std::move(name), ParamType::number, std::move(doc), default_value};
  spec.minimum = minimum;
  spec.maximum = maximum;
  return spec;
}

ParamSpec string_param(std::string name, std::string default_value, std::string doc,
                       std::vector<std::string> choices) {
  ParamSpec spec{std::move(name), ParamType::string, std::move(doc), std::move(default_value)};
  spec.choices = std::move(choices);
  return spec;
}

ParamSpec path_param(std::string name, std::string default_value, std::string doc) {
  return ParamSpec{std::move(name), ParamType::path, std::move(doc), std::move(default_value)};
}

ParamSpec required_param(std::string name, ParamType type, std::string doc) {
  ParamSpec spec{std::move(name), type, std::move(doc), nullptr};
  spec.required = true;
  return spec;
}

bool Params::has(std::string_view name) const {
  auto it = values_.find(name);
  return it != values_.end() && !it->is_null();
}

const nlohmann::json& Params::json(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->is_null()) {
    throw Error("parameter '" + std::string(name) + "' has no value (is it declared?)");
  }
  return *it;
}

bool Params::boolean(std::string_view name) const {
  return json(name).get<bool>();
}
std::int64_t Params::integer(std::string_view name) const {
  return json(name).get<std::int64_t>();
}
double Params::number(std::string_view name) const {
  return json(name).get<double>();
}
std::string Params::string(std::string_view name) const {
  return json(name).get<std::string>();
}

std::vector<std::string> Params::string_list(std::string_view name) const {
  return json(name).get<std::vector<std::string>>();
}

std::vector<double> Params::number_list(std::string_view name) const {
  return json(name).get<std::vector<double>>();
}

}  // namespace paddock
