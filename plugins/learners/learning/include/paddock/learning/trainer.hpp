// The training loop every gradient-based learner runs: epochs over a seeded permutation,
// micro-batches with gradient accumulation, AdamW on a cosine schedule with warmup, gradient
// clipping, the NaN/inf guard, metrics and progress, cancellation at step boundaries, and
// checkpoints that a later run resumes from bit for bit.
//
// A learner supplies the loss of a micro-batch (and, optionally, an end-of-epoch hook and
// extra state for its checkpoints); the loop does the rest.
//
// With several ranks (NodeContext::world_size() > 1) the loop trains data-parallel: every
// micro-batch of the global step is split across the ranks (rank r takes its rows r, r + W,
// ...), each rank's loss is weighted by its share of the micro-batch's normaliser (summed
// over the ranks), and the gradients are summed over the ranks in buckets before the
// optimizer step, so W processes end with the weights one process would (fp32 rounding
// aside). Only rank 0 writes checkpoints; every rank resumes from them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "paddock/context.hpp"
#include "paddock/learning/training_settings.hpp"
#include "paddock/model.hpp"
#include "paddock/torch/causal_lm.hpp"

namespace paddock::learning {

struct MicroBatchLoss {
  torch::Tensor loss;       // differentiable scalar: the mean over the micro-batch's examples
  std::int64_t tokens = 0;  // tokens processed, for the tokens/s rate
  std::map<std::string, double> metrics;  // micro-batch means, logged as PREFIX/train/KEY
  // What `loss` is a mean over, when not the rows: e.g. the target tokens of a token-mean
  // loss. Data-parallel training weights each rank's part of a micro-batch by it.
  std::optional<double> normalizer;
};

struct TrainingTask {
  std::string label;          // progress label and log prefix, e.g. "sft"
  std::string metric_prefix;  // prepended to every metric key, e.g. "round2/"; may be empty
  std::size_t example_count = 0;
  std::uint64_t data_seed = 0;  // seeds the per-epoch permutations
  // Each example's length in tokens (for a pair, its longer side): what group_by_length sorts
  // by. Required when the settings ask for it.
  std::vector<std::size_t> example_lengths;
  std::filesystem::path checkpoint_root;
  std::function<MicroBatchLoss(const std::vector<std::size_t>& rows)> micro_batch_loss;
  // Optional: runs after the last step of each epoch (0-based), e.g. a validation pass.
  std::function<void(std::int64_t epoch, std::int64_t step)> end_of_epoch;
  // Optional: runs after every `every_steps`-th optimizer step (not the last, which ends an
  // epoch), e.g. validation during a long pretraining. It must not change the training state.
  std::int64_t every_steps = 0;
  std::function<void(std::int64_t step)> at_every_steps;
  // Optional: learner state beyond the model and optimizer, written into / read from a
  // checkpoint directory.
  std::function<void(const std::filesystem::path&)> save_extra;
  std::function<void(const std::filesystem::path&)> load_extra;
  // The keys micro_batch_loss sets in `metrics`; with several ranks only these are summed
  // over the ranks (a rank may have no rows in a micro-batch, and so no metrics).
  std::vector<std::string> metric_keys;
};

struct TrainingSummary {
  std::int64_t total_steps = 0;
  std::int64_t skipped_steps = 0;
  std::int64_t resumed_from_step = 0;  // 0 for a fresh run
  double last_loss = 0.0;
  std::int64_t tokens_seen = 0;        // tokens through the forward passes, resumed runs included
  double communication_seconds = 0.0;  // time in collective operations (several ranks)
};

// Trains `model` (already a private copy) in place. Leaves it in inference mode.
TrainingSummary run_training(NodeContext& context, Model& model, CausalLanguageModel& tensors,
                             const TrainingSettings& settings, const TrainingTask& task);

// The number of optimizer steps `settings` gives for `example_count` examples.
std::int64_t total_optimizer_steps(const TrainingSettings& settings, std::size_t example_count);

}  // namespace paddock::learning
