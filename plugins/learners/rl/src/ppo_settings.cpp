// The PPO parameter schema.
#include "paddock/rl/ppo_settings.hpp"

namespace paddock::rl {

std::vector<ParamSpec> ppo_param_specs(const PpoSettings& d, bool with_value_model) {
  std::vector<ParamSpec> specs = {
      integer_param("steps", d.steps, "rollout-then-optimise iterations", 1.0),
      integer_param("rollout_batch_size", d.rollout_batch_size,
                    "prompts sampled per step (AlpacaFarm: 512)", 1.0),
      integer_param("step_batch_size", d.step_batch_size,
                    "rollouts per optimizer step (AlpacaFarm: 256)", 1.0),
      integer_param("ppo_epochs", d.ppo_epochs, "passes over each rollout batch", 1.0),
      number_param("learning_rate", d.learning_rate, "AdamW learning rate (AlpacaFarm: 1e-5)", 0.0),
      integer_param("warmup_steps", d.warmup_steps,
                    "optimizer steps of linear warmup, then constant", 0.0),
      number_param("adam_epsilon", d.adam_epsilon, "AdamW epsilon", 0.0),
      number_param("max_grad_norm", d.max_grad_norm, "gradient-norm clip (0 = none)", 0.0),
      number_param("clip_range", d.clip_range, "PPO ratio clip", 0.0, 1.0),
      number_param("kl_coefficient", d.kl_coefficient,
                   "beta of the per-token KL penalty (AlpacaFarm: 0.0067 simulated, 0.02 human)",
                   0.0),
      string_param("kl_estimator", "k1",
                   "per-token KL estimate: k1 (clamped at 0 in the penalty), k2, k3",
                   {"k1", "k2", "k3"}),
      boolean_param("adaptive_kl", d.adaptive_kl, "adapt beta towards kl_target"),
      number_param("kl_target", d.kl_target, "target KL of the adaptive controller", 0.0),
      number_param("kl_horizon", d.kl_horizon, "horizon of the adaptive controller", 1.0),
      boolean_param("whiten_rewards", d.whiten_rewards,
                    "scale rewards to unit variance over the rollout batch (mean kept)"),
      string_param("padding", "alpaca_farm",
                   "alpaca_farm: padding counts in whitening and losses, as AlpacaFarm; textbook: "
                   "it does not",
                   {"alpaca_farm", "textbook"}),
      number_param("temperature", d.temperature, "rollout sampling temperature", 0.0),
      number_param("top_p", d.top_p, "rollout nucleus sampling", 0.0, 1.0),
      integer_param("max_new_tokens", d.max_new_tokens, "response length limit (AlpacaFarm: 300)",
                    1.0),
      integer_param("max_prompt_tokens", d.max_prompt_tokens,
                    "prompts longer than this are dropped", 1.0),
      integer_param("eval_every", d.eval_every,
                    "steps between evaluations on eval_prompts (0 = only at the end)", 0.0),
      integer_param("eval_rows", d.eval_rows, "eval prompts used per evaluation (0 = all)", 0.0),
      number_param("eval_temperature", d.eval_temperature, "evaluation sampling temperature", 0.0),
      number_param("eval_top_p", d.eval_top_p, "evaluation nucleus sampling", 0.0, 1.0),
      integer_param("checkpoint_every", d.checkpoint_every, "steps between checkpoints (0 = none)",
                    0.0),
      integer_param("stop_after_steps", d.stop_after_steps,
                    "testing aid: stop a fresh run after this many steps", 0.0),
  };
  if (with_value_model) {
    specs.push_back(
        number_param("value_clip_range", d.value_clip_range, "value prediction clip", 0.0));
    specs.push_back(number_param("value_loss_coefficient", d.value_loss_coefficient,
                                 "weight of the value loss", 0.0));
    specs.push_back(number_param("gamma", d.gamma, "GAE discount", 0.0, 1.0));
    specs.push_back(number_param("lambda", d.lambda, "GAE lambda", 0.0, 1.0));
    specs.push_back(
        string_param("value_init", d.value_init,
                     "value model trunk: the reward model's (AlpacaFarm) or the policy's",
                     {"reward", "policy"}));
  } else {
    specs.push_back(
        integer_param("samples_per_prompt", 4, "k samples per prompt for the group baseline", 2.0));
  }
  return specs;
}

PpoSettings read_ppo_settings(const Params& params, bool with_value_model) {
  PpoSettings s;
  s.steps = params.integer("steps");
  s.rollout_batch_size = params.integer("rollout_batch_size");
  s.step_batch_size = params.integer("step_batch_size");
  s.ppo_epochs = params.integer("ppo_epochs");
  s.learning_rate = params.number("learning_rate");
  s.warmup_steps = params.integer("warmup_steps");
  s.adam_epsilon = params.number("adam_epsilon");
  s.max_grad_norm = params.number("max_grad_norm");
  s.clip_range = params.number("clip_range");
  s.kl_coefficient = params.number("kl_coefficient");
  s.kl_estimator = parse_kl_estimator(params.string("kl_estimator"));
  s.adaptive_kl = params.boolean("adaptive_kl");
  s.kl_target = params.number("kl_target");
  s.kl_horizon = params.number("kl_horizon");
  s.whiten_rewards = params.boolean("whiten_rewards");
  s.padding =
      params.string("padding") == "textbook" ? PaddingMode::textbook : PaddingMode::alpaca_farm;
  s.temperature = params.number("temperature");
  s.top_p = params.number("top_p");
  s.max_new_tokens = params.integer("max_new_tokens");
  s.max_prompt_tokens = params.integer("max_prompt_tokens");
  s.eval_every = params.integer("eval_every");
  s.eval_rows = params.integer("eval_rows");
  s.eval_temperature = params.number("eval_temperature");
  s.eval_top_p = params.number("eval_top_p");
  s.checkpoint_every = params.integer("checkpoint_every");
  s.stop_after_steps = params.integer("stop_after_steps");
  if (with_value_model) {
    s.value_clip_range = params.number("value_clip_range");
    s.value_loss_coefficient = params.number("value_loss_coefficient");
    s.gamma = params.number("gamma");
    s.lambda = params.number("lambda");
    s.value_init = params.string("value_init");
  } else {
    s.samples_per_prompt = params.integer("samples_per_prompt");
  }
  return s;
}

}  // namespace paddock::rl
