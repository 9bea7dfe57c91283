// One rank of the data-parallel tests: trains a tiny model with a learner node as rank RANK
// of WORLD_SIZE (from the environment, as `paddock run --nproc` sets it) and saves the final
// weights, so the test can compare runs with one and with several processes.
//
// Usage: distributed_worker MODE OUTPUT_DIR
//   sft        SFT on 24 records; writes OUTPUT_DIR/weights-rank-R.pt
//   ppo        one PPO step on 8 prompts; writes OUTPUT_DIR/weights-rank-R.pt
//   sft-die    as sft, but rank 1 kills itself (SIGKILL) after its first optimizer step
#include <signal.h>

#include <cstdio>
#include <iostream>

#include "learner_test_support.hpp"
#include "paddock/core/rank_environment.hpp"
#include "paddock/learning/learner_nodes.hpp"
#include "paddock/rl/policy_gradient_learner.hpp"

namespace {

using namespace paddock;
using learning::testing::alpaca;
using learning::testing::tiny_model;

// The harness context, placed at a rank; optionally dies like a crashed worker.
class RankedContext : public paddock::testing::TestNodeContext {
 public:
  RankedContext(std::string name, nlohmann::json params, std::filesystem::path directory,
                core::RankEnvironment ranks, bool die_after_first_step)
      : TestNodeContext(std::move(name), std::move(params), std::move(directory)),
        ranks_(ranks),
        die_(die_after_first_step) {}
  int rank() const override { return ranks_.rank; }
  int world_size() const override { return ranks_.world_size; }
  int local_rank() const override { return ranks_.local_rank; }
  void metric(std::int64_t step, std::string_view key, double value) override {
    if (die_ && key == "train/loss") ::raise(SIGKILL);  // after the first optimizer step
    TestNodeContext::metric(step, key, value);
  }

 private:
  core::RankEnvironment ranks_;
  bool die_;
};

std::shared_ptr<Dataset> instructions(std::size_t count) {
  const std::vector<std::pair<std::string, std::string>> facts = {
      {"Add 2 and 3.", "The answer is 5."},
      {"Reverse the word cat.", "tac"},
      {"Name a colour.", "blue"},
      {"Say hello.", "hello world, hello paddock"},
  };
  auto data = std::make_shared<Dataset>();
  for (std::size_t i = 0; i < count; ++i) {
    const auto& [instruction, output] = facts[i % facts.size()];
    // Outputs of different lengths, so ranks hold different token counts.
    data->add(alpaca(instruction, output + std::string(i % 3, '!')));
  }
  return data;
}

void save_weights(Model& model, const std::filesystem::path& file) {
  std::vector<torch::Tensor> weights;
  for (const auto& tensor : model.as<CausalLanguageModel>()->parameters())
    weights.push_back(tensor.detach().clone());
  torch::save(weights, file.string());
}

int run(const std::string& mode, const std::filesystem::path& output) {
  const core::RankEnvironment ranks = core::read_rank_environment();
  const bool die = mode == "sft-die" && ranks.rank == 1;
  const auto directory = output / ("rank-" + std::to_string(ranks.rank));
  std::filesystem::create_directories(directory);
  std::shared_ptr<Model> trained;
  if (mode == "sft" || mode == "sft-die") {
    const NodeTypeDeclaration spec = learning::sft_node_type();
    nlohmann::json params =
        paddock::testing::params_with_defaults(spec, {{"epochs", 2},
                                                      {"batch_size", 4},
                                                      {"gradient_accumulation", 2},
                                                      {"learning_rate", 3e-3},
                                                      {"warmup_ratio", 0.0},
                                                      {"max_length", 64},
                                                      {"checkpoint_every", 0}});
    RankedContext context("sft", params, directory, ranks, die);
    auto start = tiny_model();
    save_weights(*start, output / "weights-start.pt");
    context.add_input("model", start);
    context.add_input("data", instructions(mode == "sft-die" ? 64 : 22));
    context.run(spec);
    trained = context.output<Model>("model");
  } else if (mode == "ppo") {
    const NodeTypeDeclaration spec = rl::ppo_node_type();
    nlohmann::json params = paddock::testing::params_with_defaults(spec, {{"steps", 1},
                                                                          {"rollout_batch_size", 8},
                                                                          {"step_batch_size", 4},
                                                                          {"ppo_epochs", 2},
                                                                          {"max_new_tokens", 6},
                                                                          {"learning_rate", 1e-3},
                                                                          {"checkpoint_every", 0},
                                                                          {"eval_every", 0}});
    RankedContext context("ppo", params, directory, ranks, false);
    auto policy = tiny_model();
    save_weights(*policy, output / "weights-start.pt");
    auto reward = tiny_model({}, /*seed=*/9);
    reward->add_reward_head();
    {
      // A zero-initialised head would score everything 0 and leave nothing to learn.
      torch::NoGradGuard no_grad;
      torch::manual_seed(11);
      for (auto& tensor : reward->parameters()) tensor.add_(torch::randn_like(tensor) * 0.5);
    }
    context.add_input("policy", policy);
    context.add_input("reward", reward);
    auto prompts = instructions(8);
    context.add_input("prompts", prompts);
    context.run(spec);
    trained = context.output<Model>("model");
  } else {
    std::cerr << "distributed_worker: unknown mode '" << mode << "'\n";
    return 2;
  }
  save_weights(*trained, output / ("weights-rank-" + std::to_string(ranks.rank) + ".pt"));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: distributed_worker sft|ppo|sft-die OUTPUT_DIR\n";
    return 2;
  }
  try {
    return run(argv[1], argv[2]);
  } catch (const std::exception& error) {
    std::cerr << "distributed_worker: " << error.what() << "\n";
    return 1;
  }
}
