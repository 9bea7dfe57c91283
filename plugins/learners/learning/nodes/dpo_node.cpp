// `dpo`: Direct Preference Optimisation. The policy (a copy of `model`) learns from
// preference pairs against a frozen reference (`reference`, or `model` itself): the sigmoid
// loss -log sigmoid(beta * ((logp_w - ref_w) - (logp_l - ref_l))) on summed response
// log-probabilities, or the IPO loss ((...) - 1 / (2 beta))^2 on per-token means. Reference
// log-probabilities can be computed once and cached in the work directory.
#include <torch/torch.h>

#include <algorithm>

#include "paddock/dataset.hpp"
#include "paddock/error.hpp"
#include "paddock/learning/checkpoint_store.hpp"
#include "paddock/learning/learner_nodes.hpp"
#include "paddock/learning/preference_sequences.hpp"
#include "paddock/learning/sequence_logprobs.hpp"
#include "paddock/learning/trainer.hpp"
#include "paddock/report.hpp"
#include "paddock/simple_node.hpp"

namespace paddock::learning {
namespace {

enum class DpoLoss { sigmoid, ipo };

// Text whose tokens tell whether the reference shares the policy's tokenizer.
constexpr const char* kTokenizerProbe = "Reference and policy: one tokenizer? 12 + 3 = 15.";

// Every pair once, in chunks of at most `batch_size` pairs of similar length (longest first):
// the forward-only passes pad little. Each pair's values are its own, whatever its chunk.
std::vector<std::vector<std::size_t>> length_sorted_chunks(const std::vector<TokenPair>& pairs,
                                                           std::int64_t batch_size) {
  const std::vector<std::size_t> lengths = pair_lengths(pairs);
  std::vector<std::size_t> order(pairs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return lengths[a] > lengths[b]; });
  std::vector<std::vector<std::size_t>> chunks;
  const auto step = static_cast<std::size_t>(std::max<std::int64_t>(1, batch_size));
  for (std::size_t first = 0; first < order.size(); first += step) {
    chunks.emplace_back(
        order.begin() + static_cast<std::ptrdiff_t>(first),
        order.begin() + static_cast<std::ptrdiff_t>(std::min(order.size(), first + step)));
  }
  return chunks;
}

// The reference's log-probabilities for every pair: [N, 2] float64 on the CPU.
torch::Tensor reference_table(CausalLanguageModel& reference, const std::vector<TokenPair>& pairs,
                              DpoLoss loss, std::int64_t batch_size) {
  torch::NoGradGuard no_grad;
  auto table = torch::zeros({static_cast<std::int64_t>(pairs.size()), 2}, torch::kFloat64);
  for (const std::vector<std::size_t>& chunk : length_sorted_chunks(pairs, batch_size)) {
    auto [chosen, rejected] = pair_logprobs(reference, pairs, chunk, loss == DpoLoss::ipo);
    const auto index =
        torch::tensor(std::vector<std::int64_t>(chunk.begin(), chunk.end()), torch::kLong);
    table.index_copy_(0, index,
                      torch::stack({chosen, rejected}, 1).to(torch::kCPU, torch::kFloat64));
  }
  return table;
}

struct DpoTerms {
  torch::Tensor loss;
  torch::Tensor chosen_rewards;    // beta * (policy - reference) on chosen: [B]
  torch::Tensor rejected_rewards;  // the same on rejected
};

DpoTerms dpo_terms(const torch::Tensor& policy_chosen, const torch::Tensor& policy_rejected,
                   const torch::Tensor& reference_chosen, const torch::Tensor& reference_rejected,
                   double beta, DpoLoss loss) {
  const auto chosen_ratio = policy_chosen - reference_chosen;
  const auto rejected_ratio = policy_rejected - reference_rejected;
  const auto logits = chosen_ratio - rejected_ratio;
  DpoTerms terms;
  terms.loss = loss == DpoLoss::sigmoid ? -torch::log_sigmoid(beta * logits).mean()
                                        : (logits - 1.0 / (2.0 * beta)).pow(2).mean();
  terms.chosen_rewards = beta * chosen_ratio.detach();
  terms.rejected_rewards = beta * rejected_ratio.detach();
  return terms;
}

struct DpoSettings {
  TrainingSettings training = [] {
    TrainingSettings defaults;
    defaults.epochs = 2;
    defaults.batch_size = 8;
    defaults.learning_rate = 5e-5;
    defaults.warmup_ratio = 0.1;
    defaults.max_length = 256;
    defaults.checkpoint_every = 100;
    return defaults;
  }();
  double beta = 0.1;
  DpoLoss loss = DpoLoss::sigmoid;
  bool precompute_reference = true;
  Truncation truncation = Truncation::cut;
};

SettingsSchema<DpoSettings> dpo_schema() {
  using S = DpoSettings;
  SettingsSchema<S> schema;
  schema.group(&S::training, training_schema())
      .number("beta", &S::beta, "strength of the pull towards the reference", 0.0)
      .choice("loss", &S::loss,
              "sigmoid (DPO, summed log-probabilities) or ipo (IPO, per-token mean "
              "log-probabilities)",
              {{"sigmoid", DpoLoss::sigmoid}, {"ipo", DpoLoss::ipo}})
      .boolean("precompute_reference", &S::precompute_reference,
               "compute the reference's log-probabilities once, cache them in the work directory "
               "and drop the reference from memory")
      .choice("truncation", &S::truncation,
              "a sequence longer than max_length is cut (cut) or its pair left out (drop)",
              {{"cut", Truncation::cut}, {"drop", Truncation::drop}})
      .rule({"beta"}, "beta is positive", [](const S& s) {
        return s.beta > 0 ? "" : "beta must be above 0: both losses divide by it or scale by it";
      });
  return schema;
}

void run_dpo(NodeContext& context) {
  configure_torch_threads();
  const DpoSettings dpo = dpo_schema().read(context.params());
  const TrainingSettings& settings = dpo.training;
  const double beta = dpo.beta;
  const DpoLoss loss = dpo.loss;
  const Truncation truncation = dpo.truncation;
  const std::string loss_name = loss == DpoLoss::ipo ? "ipo" : "sigmoid";
  const LanguageModel policy = clone_for_training(context, "model");
  const std::string reference_port = context.has_input("reference") ? "reference" : "model";
  // The input itself serves as the frozen reference: inputs are never changed.
  LanguageModel reference = shared_language_model(context, reference_port);

  const auto data = context.input<Dataset>("pairs");
  const TokenPairs tokenized = tokenize_preference_pairs(
      policy, *data, {context.node_name(), "pairs"}, settings.max_length, truncation);
  const std::vector<TokenPair>& pairs = tokenized.pairs;
  context.log().info("dpo: {} pairs from {} rows; skipped {} ties, {} unannotated, {} too long",
                     pairs.size(), data->size(), tokenized.ties, tokenized.unannotated,
                     tokenized.too_long);
  if (reference_port == "reference" &&
      (reference.tensors->vocab_size() != policy.tensors->vocab_size() ||
       reference.tensors->tokenize(kTokenizerProbe) != policy.tensors->tokenize(kTokenizerProbe))) {
    throw Error("node '" + context.node_name() +
                "': the reference model tokenises text differently from the policy; DPO needs "
                "both to share one tokenizer");
  }

  torch::Tensor cached;  // [N, 2] reference log-probabilities when precomputed
  if (dpo.precompute_reference) {
    const auto file = context.work_dir() / "reference_logprobs.pt";
    if (std::filesystem::exists(file)) {
      std::vector<torch::Tensor> stored;
      torch::load(stored, file.string());
      if (stored.size() == 1 && stored[0].size(0) == static_cast<std::int64_t>(pairs.size()))
        cached = stored[0];
    }
    const bool computed = !cached.defined();
    if (computed) cached = reference_table(*reference.tensors, pairs, loss, settings.batch_size);
    if (computed && context.rank() == 0) {  // every rank computes it; rank 0 writes it
      std::filesystem::create_directories(context.work_dir());
      const auto partial = file.string() + ".partial";
      torch::save(std::vector<torch::Tensor>{cached}, partial);
      std::filesystem::rename(partial, file);
      context.log().info("dpo: cached the reference log-probabilities of {} pairs in {}",
                         pairs.size(), file.string());
    }
    reference = {};  // no longer needed: only the policy stays in use
  }
  const auto reference_for = [&](const std::vector<std::size_t>& rows) {
    if (cached.defined()) {
      const auto index =
          torch::tensor(std::vector<std::int64_t>(rows.begin(), rows.end()), torch::kLong);
      const auto values =
          cached.index_select(0, index).to(policy.tensors->device(), torch::kFloat32);
      return std::make_pair(values.select(1, 0), values.select(1, 1));
    }
    torch::NoGradGuard no_grad;
    return pair_logprobs(*reference.tensors, pairs, rows, loss == DpoLoss::ipo);
  };

  CausalLanguageModel& tensors = *policy.tensors;
  TrainingTask task;
  task.label = "dpo";
  task.example_count = pairs.size();
  task.example_lengths = pair_lengths(pairs);
  task.data_seed = context.seed();
  task.checkpoint_root = context.work_dir() / "checkpoints";
  task.metric_keys = {"rewards_chosen", "rewards_rejected", "reward_margin", "reward_accuracy"};
  task.micro_batch_loss = [&](const std::vector<std::size_t>& rows) {
    MicroBatchLoss result;
    auto [policy_chosen, policy_rejected] =
        pair_logprobs(tensors, pairs, rows, loss == DpoLoss::ipo, &result.tokens);
    auto [reference_chosen, reference_rejected] = reference_for(rows);
    const DpoTerms terms =
        dpo_terms(policy_chosen, policy_rejected, reference_chosen, reference_rejected, beta, loss);
    result.loss = terms.loss;
    result.metrics["rewards_chosen"] = terms.chosen_rewards.mean().item<double>();
    result.metrics["rewards_rejected"] = terms.rejected_rewards.mean().item<double>();
    result.metrics["reward_margin"] =
        (terms.chosen_rewards - terms.rejected_rewards).mean().item<double>();
    result.metrics["reward_accuracy"] =
        (terms.chosen_rewards > terms.rejected_rewards).to(torch::kFloat32).mean().item<double>();
    return result;
  };
  context.log().info("dpo: beta {}, {} loss, {} optimizer steps", beta, loss_name,
                     total_optimizer_steps(settings, pairs.size()));
  const TrainingSummary summary = run_training(context, *policy.model, tensors, settings, task);

  // The implicit rewards of every pair under the trained policy, for the report.
  double chosen_sum = 0, rejected_sum = 0, correct = 0;
  {
    torch::NoGradGuard no_grad;
    for (const std::vector<std::size_t>& chunk : length_sorted_chunks(pairs, settings.batch_size)) {
      auto [policy_chosen, policy_rejected] =
          pair_logprobs(tensors, pairs, chunk, loss == DpoLoss::ipo);
      auto [reference_chosen, reference_rejected] = reference_for(chunk);
      const DpoTerms terms = dpo_terms(policy_chosen, policy_rejected, reference_chosen,
                                       reference_rejected, beta, loss);
      chosen_sum += terms.chosen_rewards.sum().item<double>();
      rejected_sum += terms.rejected_rewards.sum().item<double>();
      correct += (terms.chosen_rewards > terms.rejected_rewards).sum().item<double>();
    }
  }
  const double n = static_cast<double>(pairs.size());
  nlohmann::ordered_json report;
  report["pairs"] = pairs.size();
  report["beta"] = beta;
  report["loss"] = loss_name;
  report["rewards_chosen"] = chosen_sum / n;
  report["rewards_rejected"] = rejected_sum / n;
  report["reward_margin"] = (chosen_sum - rejected_sum) / n;
  report["reward_accuracy"] = correct / n;
  report["optimizer_steps"] = summary.total_steps;
  report["skipped"] = {{"ties", tokenized.ties},
                       {"unannotated", tokenized.unannotated},
                       {"too_long", tokenized.too_long}};
  context.set_output("model", policy.model);
  context.set_output("report", std::make_shared<Report>(std::move(report)));
}

}  // namespace

NodeTypeDeclaration dpo_node_type() {
  NodeTypeSpec spec;
  spec.name = "dpo";
  spec.kind = NodeKind::learner;
  spec.summary = "Direct Preference Optimisation (sigmoid or IPO loss) against a frozen reference.";
  spec.doc =
      "Trains a copy of `model` on preference pairs: chosen is the preferred output, rejected "
      "the other; ties and unannotated rows are skipped. Sequences are prompt + output + EOS "
      "with the prompt masked. The reference is `reference` when connected, else `model` "
      "itself (never changed). Metrics train/rewards_chosen, train/rewards_rejected, "
      "train/reward_margin, train/reward_accuracy (implicit rewards beta * (log pi - log "
      "ref)); the report holds them over all pairs after training.";
  spec.inputs = {
      {"model", "Model", "the policy to start from, also the reference unless one is given"},
      {"reference", "Model", "a frozen reference sharing the policy's tokenizer",
       /*optional=*/true},
      {"pairs", "Dataset", "instruction, input, output_1, output_2, preference in {1, 2}"},
  };
  spec.outputs = {
      {"model", "Model", "the trained policy"},
      {"report", "Report", "implicit rewards, margin and accuracy over the pairs"},
  };
  const auto schema = dpo_schema();
  spec.params = schema.specs();
  NodeTypeDeclaration declaration;
  declaration.spec = make_node_type(std::move(spec), run_dpo);
  declaration.rules = schema.param_rules();
  const std::vector<std::string> causal_lm = causal_lm_capabilities();
  declaration.required = {{"model", causal_lm}, {"reference", {capability::kLogprobs}}};
  declaration.promised = {{"model", causal_lm}};
  declaration.data_parallel = true;  // trains on every rank (docs/distributed.md)
  return declaration;
}

}  // namespace paddock::learning
