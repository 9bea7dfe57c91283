// The parameters of ppo, rloo and grpo: AlpacaFarm's algorithm with defaults sized for the
// embedded world (the AlpacaFarm values are in docs/learners.md), declared once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "paddock/rl/policy_gradient_math.hpp"
#include "paddock/settings_schema.hpp"

namespace paddock::rl {

enum class PaddingMode {
  alpaca_farm,  // as AlpacaFarm: padding positions count in whitening, GAE and the losses
  textbook,     // only sampled tokens count
};

struct PpoSettings {
  std::int64_t steps = 40;               // rollout-then-optimise iterations
  std::int64_t rollout_batch_size = 32;  // prompts sampled per step (AlpacaFarm: 512)
  std::int64_t step_batch_size = 16;     // rollouts per optimizer step (AlpacaFarm: 256)
  std::int64_t ppo_epochs = 2;
  double learning_rate = 2e-5;  // AlpacaFarm: 1e-5
  std::int64_t warmup_steps = 5;
  double adam_epsilon = 1e-5;
  double max_grad_norm = 1.0;
  double clip_range = 0.2;
  double value_clip_range = 0.2;
  double value_loss_coefficient = 0.1;
  double kl_coefficient = 0.0067;  // AlpacaFarm with simulated preferences; 0.02 with human
  KlEstimator kl_estimator = KlEstimator::k1;
  bool adaptive_kl = false;
  double kl_target = 6.0;
  double kl_horizon = 10000.0;
  double gamma = 1.0;
  double lambda = 1.0;
  bool whiten_rewards = true;
  PaddingMode padding = PaddingMode::alpaca_farm;
  double temperature = 1.0;
  double top_p = 1.0;
  std::int64_t max_new_tokens = 64;  // AlpacaFarm: 300
  std::int64_t max_prompt_tokens = 192;
  std::int64_t samples_per_prompt = 1;  // k of rloo and grpo (their default: 4); ppo: 1
  std::string value_init = "reward";    // "reward" (AlpacaFarm) or "policy"
  std::int64_t eval_every = 10;
  std::int64_t eval_rows = 64;
  std::int64_t eval_batch_size = 64;  // rows decoded together in an evaluation
  double eval_temperature = 0.7;
  double eval_top_p = 0.9;
  std::int64_t checkpoint_every = 10;
  std::int64_t stop_after_steps = 0;  // testing aid: a fresh run stops as if killed
};

// The schema of ppo (`with_value_model`) or of rloo and grpo (samples_per_prompt instead of
// the value model's parameters).
SettingsSchema<PpoSettings> ppo_schema(bool with_value_model);
// The declared defaults: PpoSettings{}, with 4 samples per prompt for rloo and grpo.
PpoSettings ppo_defaults(bool with_value_model);

}  // namespace paddock::rl
