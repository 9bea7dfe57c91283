// The shared optimisation parameters.
#include "paddock/learning/training_settings.hpp"

namespace paddock::learning {

SettingsSchema<TrainingSettings> training_schema() {
  using S = TrainingSettings;
  SettingsSchema<S> schema;
  schema.integer("epochs", &S::epochs, "passes over the training data", 1.0)
      .integer("batch_size", &S::batch_size, "examples per forward pass", 1.0)
      .integer("gradient_accumulation", &S::gradient_accumulation,
               "forward passes per optimizer step (effective batch = batch_size x this)", 1.0)
      .number("learning_rate", &S::learning_rate, "peak AdamW learning rate", 0.0)
      .number("warmup_ratio", &S::warmup_ratio,
              "fraction of the optimizer steps spent warming the learning rate up linearly "
              "before the cosine decay",
              0.0, 1.0)
      .number("weight_decay", &S::weight_decay,
              "AdamW decoupled weight decay on weight matrices (not biases or norms)", 0.0)
      .number("adam_epsilon", &S::adam_epsilon, "AdamW epsilon", 0.0)
      .number("max_grad_norm", &S::max_grad_norm,
              "clip the global gradient norm to this (0 = no clipping)", 0.0)
      .integer("max_length", &S::max_length, "longest training sequence in tokens", 2.0)
      .integer("checkpoint_every", &S::checkpoint_every,
               "write a resumable checkpoint every this many optimizer steps (0 = only when "
               "cancelled)",
               0.0)
      .integer("keep_checkpoints", &S::keep_checkpoints,
               "how many of the newest checkpoints to keep", 1.0)
      .boolean("group_by_length", &S::group_by_length,
               "each optimizer step takes examples of similar length (windows of steps sorted "
               "by length, the steps shuffled), so less compute goes to padding")
      .integer("length_window_steps", &S::length_window_steps,
               "with group_by_length: optimizer steps per window of the epoch permutation "
               "sorted by length; larger windows pad less but mix the data less",
               1.0)
      .choice("on_nan", &S::on_nan,
              "on a NaN or infinite loss or gradient: stop with an error (fail) or drop that "
              "optimizer step (skip)",
              {{"fail", NanPolicy::fail}, {"skip", NanPolicy::skip}})
      .integer("stop_after_steps", &S::stop_after_steps,
               "testing aid: a fresh (not resumed) run stops with an error after this many "
               "optimizer steps, as if killed (0 = never)",
               0.0);
  return schema;
}

}  // namespace paddock::learning
