// Finding the capabilities a learner needs on its Model inputs, with errors that name the
// node and port, and cloning an input before training (inputs are shared with other nodes
// and must never be changed).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "paddock/capabilities.hpp"
#include "paddock/context.hpp"
#include "paddock/model.hpp"
#include "paddock/node_declaration.hpp"
#include "paddock/torch/causal_lm.hpp"

namespace paddock::learning {

// A Model together with the two faces a learner uses: tensors and the prompt template.
struct LanguageModel {
  std::shared_ptr<Model> model;
  CausalLanguageModel* tensors = nullptr;
  TextGenerator* generator = nullptr;
};

// Whether `model` lists `capability` (a name from paddock/port_capabilities.hpp).
bool has_capability(const Model& model, std::string_view capability);

// The capability or an Error naming the node, the port and the model's backend.
CausalLanguageModel& require_causal_lm(Model& model, const NodeContext& context,
                                       std::string_view port);
TextGenerator& require_text_generator(Model& model, const NodeContext& context,
                                      std::string_view port);
RewardScorer& require_reward_scorer(Model& model, const NodeContext& context,
                                    std::string_view port);

// The model on `port` as it is (for reading only: a frozen reference, a sampler).
LanguageModel shared_language_model(const NodeContext& context, std::string_view port);
// generate, logprobs and train: what a policy port requires and a trained policy promises.
std::vector<std::string> causal_lm_capabilities();

// The capabilities of a learner that trains input `policy` against a frozen `reward` model
// (and an optional `reference`) into output `model`, as ppo, rloo, grpo and quark declare.
void declare_reward_learner_ports(NodeTypeDeclaration& declaration);

// A deep copy of the model on `port`, ready to train; the input itself is left untouched.
LanguageModel clone_for_training(const NodeContext& context, std::string_view port);

}  // namespace paddock::learning
