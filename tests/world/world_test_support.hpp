// Helpers for the world's tests: pairs that carry a task's hidden columns and sampled
// outputs; node types run in the shared TestNodeContext (node_harness.hpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "node_harness.hpp"
#include "paddock/annotator.hpp"
#include "paddock/context.hpp"
#include "paddock/seed.hpp"
#include "task.hpp"

namespace paddock::world::testing {

// A pair as a pair builder makes it: the row's extra columns copied into the metadata.
inline PreferencePair make_pair(const Task& task, std::string output_1, std::string output_2) {
  PreferencePair pair;
  pair.instruction = task.instruction;
  pair.input = task.input;
  pair.output_1 = std::move(output_1);
  pair.output_2 = std::move(output_2);
  pair.metadata = task_to_record(task);
  pair.metadata.erase("instruction");
  pair.metadata.erase("input");
  return pair;
}

using paddock::testing::TestNodeContext;

}  // namespace paddock::world::testing
