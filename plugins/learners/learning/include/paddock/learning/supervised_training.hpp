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

// The SFT parameters: the training group (with SFT's defaults) and how records become
// sequences. max_length is the training group's.
struct SftSettings {
  TrainingSettings training = [] {
    TrainingSettings defaults;
    defaults.batch_size = 16;
    defaults.learning_rate = 3e-4;
    defaults.max_length = 256;
    defaults.checkpoint_every = 100;
    return defaults;
  }();
  SftObjective objective = SftObjective::instruction;
  std::vector<std::string> text_columns = {"text"};
  std::int64_t validate_every = 0;
  std::string val_group_column;
  std::int64_t pack_length = 0;
  Truncation truncation = Truncation::cut;

  SftDataOptions data_options() const;
};

// The schema; `with_objective` = false (expert iteration) leaves out what only the `sft`
// node has: objective, text_columns, validate_every, val_group_column and pack_length.
SettingsSchema<SftSettings> sft_schema(bool with_objective);

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
