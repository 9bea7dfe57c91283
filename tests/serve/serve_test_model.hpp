// The tiny model the serve tests serve: a 2-layer, width-32 GPT-2 with a 300-token BPE
// vocabulary, made in the test (no files needed). Declared without LibTorch so only one
// test file compiles against it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include "paddock/model.hpp"

namespace paddock::serve::testing {

// The same weights on every call (a fixed seed); a fresh object each time. A context shorter
// than the default 512 positions keeps the same weights, fewer position rows.
std::shared_ptr<Model> make_tiny_model(std::int64_t max_positions = 512);
// Saves the tiny model as a checkpoint directory with paddock_model.json.
void save_tiny_model(const std::filesystem::path& directory);

}  // namespace paddock::serve::testing
