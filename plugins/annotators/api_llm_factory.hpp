// Building the `api_llm` node's Annotator from its parameters: one judge, or a pool from a
// pool file. Shared by the node, the tests and the benchmark.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include <spdlog/logger.h>
#include <nlohmann/json.hpp>

#include "paddock/annotator.hpp"
#include "paddock/params.hpp"

namespace paddock::annotators {

struct ApiLlmSetup {
  std::filesystem::path work_dir;  // default home of the cache file
  std::uint64_t seed = 0;          // jitter and pool member choice
  std::shared_ptr<spdlog::logger> log;
};

// `params` holds the node's parameters with defaults filled in (see api_llm_node.cpp).
std::shared_ptr<Annotator> make_api_llm_annotator(const Params& params, const ApiLlmSetup& setup);

// The node's parameter schema (for tests that fill in defaults).
std::vector<ParamSpec> api_llm_params();

}  // namespace paddock::annotators
