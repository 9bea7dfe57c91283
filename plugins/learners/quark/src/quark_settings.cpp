// Quark's parameters.
#include "paddock/quark/quark_settings.hpp"

namespace paddock::quark {

std::string to_string(QuarkMode mode) {
  return mode == QuarkMode::top_quantile ? "top_quantile" : "all_quantiles";
}

SettingsSchema<QuarkSettings> quark_schema() {
  using S = QuarkSettings;
  SettingsSchema<S> schema;
  schema
      .choice(
          "mode", &S::mode,
          "top_quantile: train on the best quantile only, without a reward token "
          "(AlpacaFarm's default); all_quantiles: train on every quantile after its reward "
          "token, and prompt the saved model with the best token",
          {{"top_quantile", QuarkMode::top_quantile}, {"all_quantiles", QuarkMode::all_quantiles}})
      .integer("quantiles", &S::quantiles,
               "quantiles the pool is cut into, one reward token each (AlpacaFarm: 4)", 1.0, 100.0)
      .integer("rounds", &S::rounds, "sample-then-train rounds", 1.0)
      .integer("rollout_batch_size", &S::rollout_batch_size,
               "prompts sampled (one response each) and added to the pool per round "
               "(AlpacaFarm: 512)",
               1.0)
      .integer("step_batch_size", &S::step_batch_size,
               "pool samples per optimizer step (AlpacaFarm: 256)", 1.0)
      .integer("steps_per_round", &S::steps_per_round,
               "optimizer steps on the pool after each round's sampling (AlpacaFarm: 1)", 1.0)
      .boolean("clear_pool_each_round", &S::clear_pool_each_round,
               "empty the pool before each round's sampling instead of letting it grow")
      .number("learning_rate", &S::learning_rate, "AdamW learning rate (AlpacaFarm: 3e-6)", 0.0)
      .integer("warmup_steps", &S::warmup_steps, "optimizer steps of linear warmup, then constant",
               0.0)
      .number("adam_epsilon", &S::adam_epsilon, "AdamW epsilon", 0.0)
      .number("max_grad_norm", &S::max_grad_norm, "gradient-norm clip (0 = none)", 0.0)
      .number("kl_coefficient", &S::kl_coefficient,
              "weight of KL(policy || reference) per response token (AlpacaFarm: 0.05)", 0.0)
      .number("entropy_coefficient", &S::entropy_coefficient,
              "weight of the entropy bonus per response token (AlpacaFarm: 0)", 0.0)
      .number("temperature", &S::temperature, "sampling temperature of the rounds", 0.0)
      .number("top_p", &S::top_p, "nucleus sampling of the rounds", 0.0, 1.0)
      .integer("max_new_tokens", &S::max_new_tokens, "response length limit (AlpacaFarm: 300)", 1.0)
      .integer("max_prompt_tokens", &S::max_prompt_tokens, "prompts longer than this are dropped",
               1.0)
      .integer("generation_batch_size", &S::generation_batch_size,
               "rows decoded together while sampling", 1.0)
      .integer("checkpoint_every", &S::checkpoint_every,
               "rounds between checkpoints (0 = only when cancelled)", 0.0)
      .choice("on_nan", &S::on_nan,
              "fail: a non-finite loss or gradient stops the node naming the round, the step "
              "and the last checkpoint; skip: that step is dropped and counted",
              {{"fail", learning::NanPolicy::fail}, {"skip", learning::NanPolicy::skip}})
      .integer("stop_after_rounds", &S::stop_after_rounds,
               "testing aid: a fresh run stops with an error after this many rounds, as if "
               "killed; 0 = never",
               0.0)
      .rule({"rollout_batch_size", "quantiles"}, "the first round's pool fills every quantile",
            [](const S& s) -> std::string {
              if (s.rollout_batch_size >= s.quantiles) return "";
              return "rollout_batch_size (" + std::to_string(s.rollout_batch_size) +
                     ") must be at least quantiles (" + std::to_string(s.quantiles) +
                     "): the first round's pool is cut into that many quantiles and none may be "
                     "empty";
            })
      .rule({"top_p"}, "rounds sample from a non-empty nucleus", [](const S& s) {
        return s.top_p > 0 ? std::string()
                           : "top_p must be greater than 0 (it is " + std::to_string(s.top_p) + ")";
      });
  return schema;
}

}  // namespace paddock::quark
