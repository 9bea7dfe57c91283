// The parameters of the policy-gradient learners.
#include "paddock/rl/ppo_settings.hpp"

namespace paddock::rl {

SettingsSchema<PpoSettings> ppo_schema(bool with_value_model) {
  using S = PpoSettings;
  SettingsSchema<S> schema;
  schema.integer("steps", &S::steps, "rollout-then-optimise iterations", 1.0)
      .integer("rollout_batch_size", &S::rollout_batch_size,
               "prompts sampled per step (AlpacaFarm: 512)", 1.0)
      .integer("step_batch_size", &S::step_batch_size,
               "rollouts per optimizer step (AlpacaFarm: 256)", 1.0)
      .integer("ppo_epochs", &S::ppo_epochs, "passes over each rollout batch", 1.0)
      .number("learning_rate", &S::learning_rate, "AdamW learning rate (AlpacaFarm: 1e-5)", 0.0)
      .integer("warmup_steps", &S::warmup_steps, "optimizer steps of linear warmup, then constant",
               0.0)
      .number("adam_epsilon", &S::adam_epsilon, "AdamW epsilon", 0.0)
      .number("max_grad_norm", &S::max_grad_norm, "gradient-norm clip (0 = none)", 0.0)
      .number("clip_range", &S::clip_range, "PPO ratio clip", 0.0, 1.0)
      .number("kl_coefficient", &S::kl_coefficient,
              "beta of the per-token KL penalty (AlpacaFarm: 0.0067 simulated, 0.02 human)", 0.0)
      .choice("kl_estimator", &S::kl_estimator,
              "per-token KL estimate: k1 (clamped at 0 in the penalty), k2, k3",
              {{"k1", KlEstimator::k1}, {"k2", KlEstimator::k2}, {"k3", KlEstimator::k3}})
      .boolean("adaptive_kl", &S::adaptive_kl, "adapt beta towards kl_target")
      .number("kl_target", &S::kl_target, "target KL of the adaptive controller", 0.0)
      .number("kl_horizon", &S::kl_horizon, "horizon of the adaptive controller", 1.0)
      .boolean("whiten_rewards", &S::whiten_rewards,
               "scale rewards to unit variance over the rollout batch (mean kept)")
      .choice("padding", &S::padding,
              "alpaca_farm: padding counts in whitening and losses, as AlpacaFarm; textbook: it "
              "does not",
              {{"alpaca_farm", PaddingMode::alpaca_farm}, {"textbook", PaddingMode::textbook}})
      .number("temperature", &S::temperature, "rollout sampling temperature", 0.0)
      .number("top_p", &S::top_p, "rollout nucleus sampling", 0.0, 1.0)
      .integer("max_new_tokens", &S::max_new_tokens, "response length limit (AlpacaFarm: 300)", 1.0)
      .integer("max_prompt_tokens", &S::max_prompt_tokens, "prompts longer than this are dropped",
               1.0)
      .integer("eval_every", &S::eval_every,
               "steps between evaluations on eval_prompts (0 = only at the end)", 0.0)
      .integer("eval_rows", &S::eval_rows, "eval prompts used per evaluation (0 = all)", 0.0)
      .integer("eval_batch_size", &S::eval_batch_size,
               "rows decoded together in an evaluation (the samples do not depend on it)", 1.0)
      .number("eval_temperature", &S::eval_temperature, "evaluation sampling temperature", 0.0)
      .number("eval_top_p", &S::eval_top_p, "evaluation nucleus sampling", 0.0, 1.0)
      .integer("checkpoint_every", &S::checkpoint_every,
               "steps between checkpoints (0 = only when cancelled)", 0.0)
      .integer("stop_after_steps", &S::stop_after_steps,
               "testing aid: stop a fresh run after this many steps", 0.0);
  if (with_value_model) {
    schema.number("value_clip_range", &S::value_clip_range, "value prediction clip", 0.0)
        .number("value_loss_coefficient", &S::value_loss_coefficient, "weight of the value loss",
                0.0)
        .number("gamma", &S::gamma, "GAE discount", 0.0, 1.0)
        .number("lambda", &S::lambda, "GAE lambda", 0.0, 1.0)
        .text("value_init", &S::value_init,
              "value model trunk: the reward model's (AlpacaFarm) or the policy's",
              {"reward", "policy"});
  } else {
    schema.integer("samples_per_prompt", &S::samples_per_prompt,
                   "k samples per prompt for the group baseline", 2.0);
  }
  schema.rule({"step_batch_size", "rollout_batch_size"},
              "an optimizer step takes at most one step's rollouts (rollout_batch_size x "
              "samples_per_prompt)",
              [](const S& s) -> std::string {
                const std::int64_t rollouts = s.rollout_batch_size * s.samples_per_prompt;
                if (s.step_batch_size <= rollouts) return "";
                return "step_batch_size (" + std::to_string(s.step_batch_size) +
                       ") exceeds the rollouts of a step (" + std::to_string(rollouts) +
                       " = rollout_batch_size x samples_per_prompt), so no optimizer step would "
                       "be full";
              });
  schema.rule({"top_p"}, "rollouts sample from a non-empty nucleus", [](const S& s) {
    return s.top_p > 0 ? std::string() : std::string("top_p must be above 0");
  });
  return schema;
}

PpoSettings ppo_defaults(bool with_value_model) {
  PpoSettings defaults;
  if (!with_value_model) defaults.samples_per_prompt = 4;
  return defaults;
}

}  // namespace paddock::rl
