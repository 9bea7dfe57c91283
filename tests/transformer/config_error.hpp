// What parse_model_config says of a config.json, read as m/config.json: its error message,
// or "(accepted)".
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "paddock/error.hpp"
#include "paddock/transformer/model_config.hpp"

namespace paddock::transformer {

inline std::string config_error(const nlohmann::json& json) {
  try {
    parse_model_config(json, "m/config.json");
  } catch (const Error& error) {
    return error.what();
  }
  return "(accepted)";
}

}  // namespace paddock::transformer
