// Quark's parameters, declared once (defaults sized for the embedded world; AlpacaFarm's
// values are in docs/learners.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "paddock/learning/training_settings.hpp"
#include "paddock/settings_schema.hpp"

namespace paddock::quark {

enum class QuarkMode {
  top_quantile,   // train on the best quantile only, no reward token (AlpacaFarm's default)
  all_quantiles,  // every quantile, each after its reward token; prompt with the best one
};

struct QuarkSettings {
  QuarkMode mode = QuarkMode::top_quantile;
  std::int64_t quantiles = 4;            // reward tokens / pool quantiles (AlpacaFarm: 4)
  std::int64_t rounds = 10;              // sample-then-train iterations
  std::int64_t rollout_batch_size = 32;  // prompts sampled per round (AlpacaFarm: 512)
  std::int64_t step_batch_size = 16;     // pool samples per optimizer step (AlpacaFarm: 256)
  std::int64_t steps_per_round = 4;      // optimizer steps per round (AlpacaFarm: 1)
  bool clear_pool_each_round = false;    // AlpacaFarm's clear_data_pool_on_each_rollout
  double learning_rate = 1e-4;           // AlpacaFarm: 3e-6
  std::int64_t warmup_steps = 5;
  double adam_epsilon = 1e-5;
  double max_grad_norm = 1.0;
  double kl_coefficient = 0.05;
  double entropy_coefficient = 0.0;
  double temperature = 1.0;
  double top_p = 1.0;
  std::int64_t max_new_tokens = 64;  // AlpacaFarm: 300
  std::int64_t max_prompt_tokens = 192;
  std::int64_t generation_batch_size = 16;
  std::int64_t checkpoint_every = 1;  // rounds
  learning::NanPolicy on_nan = learning::NanPolicy::fail;
  std::int64_t stop_after_rounds = 0;  // testing aid: a fresh run stops as if killed
};

// The schema, with the rules of how the parameters combine.
SettingsSchema<QuarkSettings> quark_schema();

std::string to_string(QuarkMode mode);

}  // namespace paddock::quark
