// Capability look-ups on Model inputs and cloning before training.
#include "paddock/learning/model_access.hpp"

#include "paddock/port_capabilities.hpp"

#include <algorithm>
#include <string>

#include "paddock/error.hpp"

namespace paddock::learning {
namespace {

std::string where(const NodeContext& context, std::string_view port, const Model& model) {
  return "node '" + context.node_name() + "': the model on input '" + std::string(port) +
         "' (backend '" + model.backend() + "')";
}

}  // namespace

bool has_capability(const Model& model, std::string_view capability) {
  const auto capabilities = model.capabilities();
  return std::find(capabilities.begin(), capabilities.end(), capability) != capabilities.end();
}

CausalLanguageModel& require_causal_lm(Model& model, const NodeContext& context,
                                       std::string_view port) {
  auto* tensors = model.as<CausalLanguageModel>();
  if (!tensors) {
    throw Error(where(context, port, model) +
                " cannot be trained or scored token by token: it lacks the CausalLanguageModel "
                "capability; use a LibTorch backend such as `transformer`");
  }
  return *tensors;
}

TextGenerator& require_text_generator(Model& model, const NodeContext& context,
                                      std::string_view port) {
  auto* generator = model.as<TextGenerator>();
  if (!generator) {
    throw Error(where(context, port, model) + " cannot generate text (no TextGenerator)");
  }
  return *generator;
}

RewardScorer& require_reward_scorer(Model& model, const NodeContext& context,
                                    std::string_view port) {
  auto* scorer = model.as<RewardScorer>();
  const auto capabilities = model.capabilities();
  const bool has_reward =
      std::find(capabilities.begin(), capabilities.end(), "reward") != capabilities.end();
  if (!scorer || !has_reward) {
    throw Error(where(context, port, model) +
                " has no reward head; connect the `model` output of a reward_model node");
  }
  return *scorer;
}

LanguageModel shared_language_model(const NodeContext& context, std::string_view port) {
  LanguageModel handle;
  handle.model = context.input<Model>(port);
  handle.tensors = &require_causal_lm(*handle.model, context, port);
  handle.generator = &require_text_generator(*handle.model, context, port);
  return handle;
}

std::vector<std::string> causal_lm_capabilities() {
  return {capability::kGenerate, capability::kLogprobs, capability::kTrain};
}

void declare_reward_learner_ports(NodeTypeDeclaration& declaration) {
  const std::vector<std::string> causal_lm = causal_lm_capabilities();
  declaration.required.push_back({"policy", causal_lm});
  declaration.required.push_back({"reward", {capability::kReward}});
  declaration.required.push_back({"reference", {capability::kLogprobs}});
  declaration.promised.push_back({"model", causal_lm});
}

LanguageModel clone_for_training(const NodeContext& context, std::string_view port) {
  const auto input = context.input<Model>(port);
  const CausalLanguageModel& original = require_causal_lm(*input, context, port);
  LanguageModel handle;
  handle.model = original.clone();
  handle.tensors = &require_causal_lm(*handle.model, context, port);
  handle.generator = &require_text_generator(*handle.model, context, port);
  return handle;
}

}  // namespace paddock::learning
