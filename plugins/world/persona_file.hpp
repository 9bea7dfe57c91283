// Reading judge personas from TOML (configs/annotators/world_personas.toml for world version
// 1, world_personas_v2.toml for version 2). Every mistake is reported as
// "FILE:LINE:COL: error: ..." so the line to fix is obvious.
//
//   version = 2                   # the world version judged for (1 when absent); omitted
//                                 # weights default to that version's mean human
//   [[persona]]
//   name = "careful"              # required, unique, letters, digits and underscores
//   description = "..."           # optional
//   temperature = 0.8             # > 0; Bradley-Terry noise scale
//   correctness = 3.0             # weights of the utility's terms (defaults: the mean human)
//   helpfulness = 0.8
//   detail = 0.9                  # version 2: value of length up to the suitable length
//   length = 0.6
//   repetition = 2.0
//   ending = 0.5
//   prefer_longer = 0.0           # biases: per doubling of words, for lists, for output_1
//   prefer_lists = 0.0
//   prefer_first = 0.0
//   misjudge_rate = 0.0           # in [0, 0.5]
//   cannot_verify = ["counting"]  # family names
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "personas.hpp"

namespace paddock::world {

// Parses persona definitions; `source_name` is used in error messages. Throws paddock::Error.
std::vector<PersonaSpec> parse_personas(std::string_view text, const std::string& source_name);
std::vector<PersonaSpec> load_personas_file(const std::filesystem::path& file);

// The copies of configs/annotators/world_personas.toml (version 1) and
// world_personas_v2.toml (version 2) compiled into the plugin, used when no file is given,
// so the world works from any directory.
std::string_view builtin_personas_toml(int version);
std::string builtin_personas_name(int version);

}  // namespace paddock::world
