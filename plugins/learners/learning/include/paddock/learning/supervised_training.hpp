// Supervised fine-tuning, shared by the `sft` and `expert_iteration` learners: turning a
// Dataset into training sequences, the token-level loss with the prompt masked out, and a
// validation loss after every epoch.
#pragma once

#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "paddock/dataset.hpp"
#include "paddock/learning/model_access.hpp"
#include "paddock/learning/record_fields.hpp"
#include "paddock/learning/token_sequences.hpp"
#include "paddock/learning/trainer.hpp"

namespace paddock::learning {

enum class SftObjective {
  instruction,     // prompt template + output + EOS, loss on the output only
  language_model,  // raw text + EOS, loss on every token
};

struct SftDataOptions {
  SftObjective objective = SftObjective::instruction;
  std::vector<std::string> text_columns = {"text"};  // language_model: joined by blank lines
  std::int64_t max_length = 512;
  Truncation truncation = Truncation::cut;
  std::int64_t pack_length = 0;  // language_model: pack into rows of this many tokens; 0 = off
};

// What the learner validates on, and when: after every epoch, and every `every_steps`
// optimizer steps when that is above 0. With `groups` (one label per sequence) the loss of
// each group is logged too, as PREFIX/val/GROUP/loss.
struct ValidationSet {
  std::vector<TokenSequence> sequences;
  std::vector<std::string> groups;  // empty, or one per sequence
  std::int64_t every_steps = 0;
};

// The schema of the SFT parameters: training settings plus objective, text_columns and
// truncation (`with_objective` = false leaves out objective and text_columns).
std::vector<ParamSpec> sft_param_specs(bool with_objective);
SftDataOptions read_sft_data_options(const Params& params, bool with_objective);

// One sequence per usable record; logs how many were cut or dropped. `source_rows`, when
// given, receives the record each sequence came from (not with packing).
std::vector<TokenSequence> sft_sequences(const LanguageModel& model, const Dataset& data,
                                         const SftDataOptions& options, const RecordSource& source,
                                         spdlog::logger& log,
                                         std::vector<std::size_t>* source_rows = nullptr);

// The mean negative log-likelihood per target token over `sequences`, without gradients.
double validation_loss(CausalLanguageModel& model, const std::vector<TokenSequence>& sequences,
                       std::int64_t batch_size);

// The mean number of target (loss-bearing) tokens per sequence; 0 for no sequences.
double mean_target_tokens(const std::vector<TokenSequence>& sequences);

// Fine-tunes `student` (a private copy) on `train`; when `validation` holds sequences its
// loss is logged as PREFIX/val/loss after every epoch (and every validation.every_steps). `task`
// supplies the label, metric prefix, data seed and checkpoint root; its callbacks are filled in
// here. With settings.group_by_length a step's loss is its summed target-token loss over (its rows
// x mean_target_tokens(train)), so every target token weighs alike whatever step it falls in.
TrainingSummary run_supervised_training(NodeContext& context, const LanguageModel& student,
                                        const std::vector<TokenSequence>& train,
                                        const ValidationSet& validation,
                                        const TrainingSettings& settings, TrainingTask task);

}  // namespace paddock::learning
