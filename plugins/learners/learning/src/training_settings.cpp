// The shared optimisation parameters and their schema.
#include "paddock/learning/training_settings.hpp"

#include "paddock/error.hpp"

namespace paddock::learning {

std::vector<ParamSpec> training_param_specs(const TrainingSettings& defaults) {
  return {
      integer_param("epochs", defaults.epochs, "passes over the training data", 1.0),
      integer_param("batch_size", defaults.batch_size, "examples per forward pass", 1.0),
      integer_param("gradient_accumulation", defaults.gradient_accumulation,
                    "forward passes per optimizer step (effective batch = batch_size x this)", 1.0),
      number_param("learning_rate", defaults.learning_rate, "peak AdamW learning rate", 0.0),
      number_param("warmup_ratio", defaults.warmup_ratio,
                   "fraction of the optimizer steps spent warming the learning rate up linearly "
                   "before the cosine decay",
                   0.0, 1.0),
      number_param("weight_decay", defaults.weight_decay,
                   "AdamW decoupled weight decay on weight matrices (not biases or norms)", 0.0),
      number_param("adam_epsilon", defaults.adam_epsilon, "AdamW epsilon", 0.0),
      number_param("max_grad_norm", defaults.max_grad_norm,
                   "clip the global gradient norm to this (0 = no clipping)", 0.0),
      integer_param("max_length", defaults.max_length, "longest training sequence in tokens", 2.0),
      integer_param("checkpoint_every", defaults.checkpoint_every,
                    "write a resumable checkpoint every this many optimizer steps (0 = only "
                    "when cancelled)",
                    0.0),
      integer_param("keep_checkpoints", defaults.keep_checkpoints,
                    "how many of the newest checkpoints to keep", 1.0),
      boolean_param("group_by_length", defaults.group_by_length,
                    "each optimizer step takes examples of similar length (windows of steps "
                    "sorted by length, the steps shuffled), so less compute goes to padding"),
      integer_param("length_window_steps", defaults.length_window_steps,
                    "with group_by_length: optimizer steps per window of the epoch permutation "
                    "sorted by length; larger windows pad less but mix the data less",
                    1.0),
      string_param("on_nan", defaults.on_nan == NanPolicy::fail ? "fail" : "skip",
                   "on a NaN or infinite loss or gradient: stop with an error (fail) or drop "
                   "that optimizer step (skip)",
                   {"fail", "skip"}),
      integer_param("stop_after_steps", defaults.stop_after_steps,
                    "testing aid: a fresh (not resumed) run stops with an error after this many "
                    "optimizer steps, as if killed (0 = never)",
                    0.0),
  };
}

TrainingSettings read_training_settings(const Params& params) {
  TrainingSettings settings;
  settings.epochs = params.integer("epochs");
  settings.batch_size = params.integer("batch_size");
  settings.gradient_accumulation = params.integer("gradient_accumulation");
  settings.learning_rate = params.number("learning_rate");
  settings.warmup_ratio = params.number("warmup_ratio");
  settings.weight_decay = params.number("weight_decay");
  settings.adam_epsilon = params.number("adam_epsilon");
  settings.max_grad_norm = params.number("max_grad_norm");
  settings.max_length = params.integer("max_length");
  settings.checkpoint_every = params.integer("checkpoint_every");
  settings.keep_checkpoints = params.integer("keep_checkpoints");
  settings.group_by_length = params.boolean("group_by_length");
  settings.length_window_steps = params.integer("length_window_steps");
  const std::string on_nan = params.string("on_nan");
  if (on_nan != "fail" && on_nan != "skip")
    throw Error("on_nan must be \"fail\" or \"skip\", not \"" + on_nan + "\"");
  settings.on_nan = on_nan == "fail" ? NanPolicy::fail : NanPolicy::skip;
  settings.stop_after_steps = params.integer("stop_after_steps");
  return settings;
}

}  // namespace paddock::learning
