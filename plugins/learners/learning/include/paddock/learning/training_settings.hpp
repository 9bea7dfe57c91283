// The optimisation parameters every gradient-based learner shares and their schema, a group
// a learner embeds in its own (per-learner defaults come from the learner's struct).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "paddock/settings_schema.hpp"

namespace paddock::learning {

enum class NanPolicy {
  fail,  // stop with an error naming the step and the last good checkpoint
  skip,  // drop the optimizer step's gradients and go on
};

struct TrainingSettings {
  std::int64_t epochs = 3;
  std::int64_t batch_size = 8;             // examples per forward pass
  std::int64_t gradient_accumulation = 1;  // forward passes per optimizer step
  double learning_rate = 2e-5;
  double warmup_ratio = 0.03;
  double weight_decay = 0.0;
  double adam_epsilon = 1e-8;
  double max_grad_norm = 1.0;  // 0 = no clipping
  std::int64_t max_length = 512;
  std::int64_t checkpoint_every = 0;  // optimizer steps; 0 = only when stopped early
  std::int64_t keep_checkpoints = 2;
  // Each optimizer step takes examples of similar length (length_grouped_order), so padded
  // batches waste less compute; off, steps take the epoch permutation as it is.
  bool group_by_length = false;
  std::int64_t length_window_steps = 8;  // steps per window sorted by length
  NanPolicy on_nan = NanPolicy::fail;
  std::int64_t stop_after_steps = 0;  // testing aid: a fresh run stops as if killed

  std::int64_t examples_per_step() const { return batch_size * gradient_accumulation; }
};

SettingsSchema<TrainingSettings> training_schema();

}  // namespace paddock::learning
