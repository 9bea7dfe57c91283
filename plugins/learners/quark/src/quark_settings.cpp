// The Quark parameter schema and its reading.
#include "paddock/quark/quark_settings.hpp"

#include "paddock/error.hpp"

namespace paddock::quark {

std::string to_string(QuarkMode mode) {
  return mode == QuarkMode::top_quantile ? "top_quantile" : "all_quantiles";
}

std::vector<ParamSpec> quark_param_specs(const QuarkSettings& d) {
  return {
      string_param("mode", to_string(d.mode),
                   "top_quantile: train on the best quantile only, without a reward token "
                   "(AlpacaFarm's default); all_quantiles: train on every quantile after its "
                   "reward token, and prompt the saved model with the best token",
                   {"top_quantile", "all_quantiles"}),
      integer_param("quantiles", d.quantiles,
                    "quantiles the pool is cut into, one reward token each (AlpacaFarm: 4)", 1.0,
                    100.0),
      integer_param("rounds", d.rounds, "sample-then-train rounds", 1.0),
      integer_param("rollout_batch_size", d.rollout_batch_size,
                    "prompts sampled (one response each) and added to the pool per round "
                    "(AlpacaFarm: 512)",
                    1.0),
      integer_param("step_batch_size", d.step_batch_size,
                    "pool samples per optimizer step (AlpacaFarm: 256)", 1.0),
      integer_param("steps_per_round", d.steps_per_round,
                    "optimizer steps on the pool after each round's sampling (AlpacaFarm: 1)", 1.0),
      boolean_param("clear_pool_each_round", d.clear_pool_each_round,
                    "empty the pool before each round's sampling instead of letting it grow"),
      number_param("learning_rate", d.learning_rate, "AdamW learning rate (AlpacaFarm: 3e-6)", 0.0),
      integer_param("warmup_steps", d.warmup_steps,
                    "optimizer steps of linear warmup, then constant", 0.0),
      number_param("adam_epsilon", d.adam_epsilon, "AdamW epsilon", 0.0),
      number_param("max_grad_norm", d.max_grad_norm, "gradient-norm clip (0 = none)", 0.0),
      number_param("kl_coefficient", d.kl_coefficient,
                   "weight of KL(policy || reference) per response token (AlpacaFarm: 0.05)", 0.0),
      number_param("entropy_coefficient", d.entropy_coefficient,
                   "weight of the entropy bonus per response token (AlpacaFarm: 0)", 0.0),
      number_param("temperature", d.temperature, "sampling temperature of the rounds", 0.0),
      number_param("top_p", d.top_p, "nucleus sampling of the rounds", 0.0, 1.0),
      integer_param("max_new_tokens", d.max_new_tokens, "response length limit (AlpacaFarm: 300)",
                    1.0),
      integer_param("max_prompt_tokens", d.max_prompt_tokens,
                    "prompts longer than this are dropped", 1.0),
      integer_param("generation_batch_size", d.generation_batch_size,
                    "sequences per forward pass while sampling", 1.0),
      integer_param("checkpoint_every", d.checkpoint_every,
                    "rounds between checkpoints (0 = only when cancelled)", 0.0),
      string_param("on_nan", "fail",
                   "fail: a non-finite loss or gradient stops the node naming the round, the "
                   "step and the last checkpoint; skip: that step is dropped and counted",
                   {"fail", "skip"}),
      integer_param("stop_after_rounds", d.stop_after_rounds,
                    "testing aid: a fresh run stops with an error after this many rounds, as if "
                    "killed; 0 = never",
                    0.0),
  };
}

QuarkSettings read_quark_settings(const Params& params) {
  QuarkSettings s;
  s.mode =
      params.string("mode") == "all_quantiles" ? QuarkMode::all_quantiles : QuarkMode::top_quantile;
  s.quantiles = params.integer("quantiles");
  s.rounds = params.integer("rounds");
  s.rollout_batch_size = params.integer("rollout_batch_size");
  s.step_batch_size = params.integer("step_batch_size");
  s.steps_per_round = params.integer("steps_per_round");
  s.clear_pool_each_round = params.boolean("clear_pool_each_round");
  s.learning_rate = params.number("learning_rate");
  s.warmup_steps = params.integer("warmup_steps");
  s.adam_epsilon = params.number("adam_epsilon");
  s.max_grad_norm = params.number("max_grad_norm");
  s.kl_coefficient = params.number("kl_coefficient");
  s.entropy_coefficient = params.number("entropy_coefficient");
  s.temperature = params.number("temperature");
  s.top_p = params.number("top_p");
  s.max_new_tokens = params.integer("max_new_tokens");
  s.max_prompt_tokens = params.integer("max_prompt_tokens");
  s.generation_batch_size = params.integer("generation_batch_size");
  s.checkpoint_every = params.integer("checkpoint_every");
  s.on_nan =
      params.string("on_nan") == "skip" ? learning::NanPolicy::skip : learning::NanPolicy::fail;
  s.stop_after_rounds = params.integer("stop_after_rounds");
  // Every quantile must hold at least one sample after the first round.
  if (s.rollout_batch_size < s.quantiles) {
    throw Error("rollout_batch_size (" + std::to_string(s.rollout_batch_size) +
                ") must be at least quantiles (" + std::to_string(s.quantiles) +
                "): the first round's pool is cut into that many quantiles and none may be "
                "empty");
  }
  if (s.top_p <= 0.0)
    throw Error("top_p must be greater than 0 (it is " + std::to_string(s.top_p) + ")");
  return s;
}

}  // namespace paddock::quark
