// Validation of world parameters; see world_config.hpp.
#include "world_config.hpp"

#include <cmath>

#include "families.hpp"
#include "paddock/error.hpp"
#include "text_util.hpp"

namespace paddock::world {
namespace {

std::size_t scaled(double base, double scale) {
  const double value = std::round(base * scale);
  return value < 1.0 ? 1 : static_cast<std::size_t>(value);
}

}  // namespace

void validate(const WorldConfig& config) {
  if (config.version != 1 && config.version != 2) {
    throw Error("instruction_world: parameter 'version' must be 1 or 2, got " +
                std::to_string(config.version));
  }
  if (config.probes_per_family > 100000) {
    throw Error("instruction_world: parameter 'probes_per_family' must lie in [0, 100000], got " +
                std::to_string(static_cast<std::int64_t>(config.probes_per_family)));
  }
  if (config.version == 1 && config.probes_per_family > 0) {
    throw Error(
        "instruction_world: parameter 'probes_per_family' needs version = 2 (version 1 has no "
        "probes)");
  }
  if (!std::isfinite(config.scale) || config.scale <= 0.0 || config.scale > 20.0) {
    throw Error(
        "instruction_world: parameter 'scale' must be above 0 and at most 20 (1.0 gives "
        "AlpacaFarm's 10k/20k/20k/2k/805 split sizes), got " +
        std::to_string(config.scale));
  }
  if (!std::isfinite(config.input_fraction) || config.input_fraction < 0.0 ||
      config.input_fraction > 1.0) {
    throw Error("instruction_world: parameter 'input_fraction' must lie in [0, 1], got " +
                std::to_string(config.input_fraction));
  }
  if (config.fact_base_size < 20 || config.fact_base_size > 100000) {
    throw Error("instruction_world: parameter 'fact_base_size' must lie in [20, 100000], got " +
                std::to_string(config.fact_base_size));
  }
  if (config.corpus_documents > 10000000) {
    throw Error("instruction_world: parameter 'corpus_documents' must lie in [0, 10000000], got " +
                std::to_string(static_cast<std::int64_t>(config.corpus_documents)));
  }
  if (config.eval_size > 100000) {
    throw Error(
        "instruction_world: parameter 'eval_size' must lie in [0, 100000] (0 = 805 x "
        "scale), got " +
        std::to_string(static_cast<std::int64_t>(config.eval_size)));
  }
  for (std::size_t i = 0; i < config.families.size(); ++i) {
    const std::string& name = config.families[i];
    if (find_family(name) == nullptr) {
      throw Error("instruction_world: parameter 'families' names an unknown family '" + name +
                  "'; known families: " + join(family_names(), ", "));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (config.families[j] == name) {
        throw Error("instruction_world: parameter 'families' lists '" + name + "' twice");
      }
    }
  }
}

WorldConfig world_config_from_params(const Params& params) {
  WorldConfig config;
  // Reads one parameter, naming it when its value has the wrong type.
  auto read = [&](const char* name, const char* expected, auto assign) {
    if (!params.has(name)) return;
    try {
      assign();
    } catch (const std::exception&) {
      throw Error(std::string("instruction_world: parameter '") + name + "' must be " + expected +
                  ", got " + params.json(name).dump());
    }
  };
  read("version", "1 or 2", [&] { config.version = static_cast<int>(params.integer("version")); });
  read("scale", "a number", [&] { config.scale = params.number("scale"); });
  read("families", "a list of family names",
       [&] { config.families = params.string_list("families"); });
  read("input_fraction", "a number",
       [&] { config.input_fraction = params.number("input_fraction"); });
  read("fact_base_size", "an integer", [&] {
    const std::int64_t size = params.integer("fact_base_size");
    config.fact_base_size = size < 0 ? 0 : static_cast<std::size_t>(size);
  });
  read("corpus_documents", "an integer", [&] {
    const std::int64_t documents = params.integer("corpus_documents");
    // A negative count wraps to a huge one, which validate() rejects with the range.
    config.corpus_documents = static_cast<std::size_t>(documents);
  });
  read("eval_size", "an integer", [&] {
    // As above: a negative count wraps to a huge one and validate() names the range.
    config.eval_size = static_cast<std::size_t>(params.integer("eval_size"));
  });
  read("probes_per_family", "an integer", [&] {
    config.probes_per_family = static_cast<std::size_t>(params.integer("probes_per_family"));
  });
  validate(config);
  return config;
}

SplitSizes split_sizes(double scale) {
  return {scaled(10000, scale), scaled(20000, scale), scaled(20000, scale), scaled(2000, scale),
          scaled(805, scale)};
}

SplitSizes split_sizes(const WorldConfig& config) {
  SplitSizes sizes = split_sizes(config.scale);
  if (config.eval_size > 0) sizes.eval = config.eval_size;
  return sizes;
}

}  // namespace paddock::world
