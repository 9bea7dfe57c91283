// The tiny model for the serve tests.
#include "serve_test_model.hpp"

#include <torch/torch.h>

#include <cstdlib>
#include <fstream>

#include "tiny_transformer.hpp"

namespace paddock::serve::testing {

std::shared_ptr<Model> make_tiny_model(std::int64_t max_positions) {
  // Tiny models are fastest on one thread, and ctest runs tests side by side.
  torch::set_num_threads(1);
  paddock::testing::TinyTransformerSpec spec;
  spec.corpus.push_back("Output (a) is better. Output (b) is worse.");
  spec.corpus.push_back("Which of the two answers is more helpful?");
  spec.max_positions = max_positions;
  return paddock::testing::tiny_transformer(spec);
}

void save_tiny_model(const std::filesystem::path& directory) {
  make_tiny_model()->save(directory);
  std::ofstream(directory / "paddock_model.json") << "{\"backend\": \"transformer\"}\n";
}

}  // namespace paddock::serve::testing
