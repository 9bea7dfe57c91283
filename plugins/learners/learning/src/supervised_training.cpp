// Supervised fine-tuning: sequences from records, the masked token loss, validation.
#include "paddock/learning/supervised_training.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <map>

#include "paddock/error.hpp"
#include "paddock/learning/sequence_logprobs.hpp"
#include "paddock/learning/token_batch.hpp"
#include "paddock/torch/side_by_side.hpp"

namespace paddock::learning {
namespace {

std::string joined_text(const Record& record, const std::vector<std::string>& columns,
                        const RecordSource& source, std::size_t row) {
  std::string text;
  bool any_column = false;
  for (const std::string& column : columns) {
    if (record.contains(column)) any_column = true;
    const std::string part = optional_text(record, column, source, row);
    if (part.empty()) continue;
    if (!text.empty()) text += "\n\n";
    text += part;
  }
  if (!any_column) {
    throw Error(describe_row(source, row) + " has none of the text columns " +
                nlohmann::json(columns).dump() +
                " that objective = \"language_model\" reads; set text_columns");
  }
  return text;
}

std::vector<const TokenSequence*> pick(const std::vector<TokenSequence>& sequences,
                                       const std::vector<std::size_t>& rows) {
  std::vector<const TokenSequence*> picked;
  picked.reserve(rows.size());
  for (std::size_t row : rows) picked.push_back(&sequences[row]);
  return picked;
}

}  // namespace

SftDataOptions SftSettings::data_options() const {
  SftDataOptions options;
  options.objective = objective;
  options.text_columns = text_columns;
  options.max_length = training.max_length;
  options.truncation = truncation;
  options.pack_length = pack_length;
  return options;
}

SettingsSchema<SftSettings> sft_schema(bool with_objective) {
  using S = SftSettings;
  SettingsSchema<S> schema;
  schema.group(&S::training, training_schema());
  if (with_objective) {
    schema
        .choice("objective", &S::objective,
                "instruction: prompt template + output + EOS with the prompt masked out of the "
                "loss; language_model: plain next-token training on text_columns, e.g. to "
                "pretrain a base model",
                {{"instruction", SftObjective::instruction},
                 {"language_model", SftObjective::language_model}})
        .strings("text_columns", &S::text_columns,
                 "columns joined (by blank lines) into the text of a record when objective = "
                 "\"language_model\"")
        .integer("validate_every", &S::validate_every,
                 "with a `val` input: also score it every this many optimizer steps (0 = after "
                 "each epoch only), e.g. to follow a long pretraining",
                 0.0)
        .text("val_group_column", &S::val_group_column,
              "with a `val` input: also log the loss of each group of validation records that "
              "share this column's value, as val/GROUP/loss (empty = no groups)")
        .integer("pack_length", &S::pack_length,
                 "pack sequences into training rows of up to this many tokens, so little "
                 "compute goes to padding; language_model: documents (each ending in EOS) run "
                 "on across rows; instruction: whole examples, each attending only to itself "
                 "with its own positions; 0 = one row per record, padded per batch",
                 0.0, static_cast<double>(1 << 20))
        .rule({"pack_length"}, "a packed row holds at least two tokens", [](const S& s) {
          return s.pack_length == 1 ? "pack_length is 0 (off) or at least 2 tokens" : "";
        });
  }
  schema.choice("truncation", &S::truncation,
                "a sequence longer than max_length is cut to it (cut) or left out (drop); one "
                "whose prompt alone fills it is always left out",
                {{"cut", Truncation::cut}, {"drop", Truncation::drop}});
  return schema;
}

std::vector<TokenSequence> sft_sequences(const LanguageModel& model, const Dataset& data,
                                         const SftDataOptions& options, const RecordSource& source,
                                         spdlog::logger& log,
                                         std::vector<std::size_t>* source_rows) {
  const std::int64_t limit = std::min(options.max_length, model.tensors->max_sequence_length());
  std::vector<TokenSequence> sequences;
  TruncationCounts counts;
  for (std::size_t row = 0; row < data.size(); ++row) {
    const Record& record = data[row];
    TokenSequence sequence =
        options.objective == SftObjective::instruction
            ? instruction_sequence(model, instruction_prompt(record, source, row),
                                   required_text(record, "output", source, row),
                                   /*append_eos=*/true)
            : text_sequence(model, joined_text(record, options.text_columns, source, row));
    bool was_cut = false;
    auto limited = limit_length(std::move(sequence), limit, options.truncation, was_cut);
    if (!limited) {
      ++counts.dropped;
      continue;
    }
    counts.cut += was_cut ? 1 : 0;
    ++counts.kept;
    sequences.push_back(std::move(*limited));
    if (source_rows) source_rows->push_back(row);
  }
  if (counts.cut > 0 || counts.dropped > 0) {
    log.warn("input '{}': {} of {} records were longer than {} tokens: {} cut, {} dropped",
             source.port, counts.cut + counts.dropped, data.size(), limit, counts.cut,
             counts.dropped);
  }
  if (options.pack_length > 0) {
    const std::size_t documents = sequences.size();
    const std::int64_t row_length = std::min(options.pack_length, limit);
    // Language-model documents run on across rows, attending across their EOS (GPT-style
    // pretraining); instruction examples stay whole, each attending only to itself.
    sequences = options.objective == SftObjective::language_model
                    ? pack_sequences(sequences, row_length)
                    : pack_documents(sequences, row_length);
    log.info("input '{}': {} {} packed into {} rows of up to {} tokens", source.port, documents,
             options.objective == SftObjective::language_model ? "documents" : "examples",
             sequences.size(), row_length);
  }
  return sequences;
}

double validation_loss(CausalLanguageModel& model, const std::vector<TokenSequence>& sequences,
                       std::int64_t batch_size) {
  // Batches of similar length (little padding), on the CPU side by side with one intra-op
  // thread each; their sums are added in batch order, so the figure does not depend on the
  // thread count.
  std::vector<std::size_t> order(sequences.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return sequences[a].ids.size() > sequences[b].ids.size();
  });
  const auto step = static_cast<std::size_t>(std::max<std::int64_t>(1, batch_size));
  std::vector<double> sums((order.size() + step - 1) / step, 0.0);
  std::vector<std::int64_t> targets(sums.size(), 0);
  const auto run_batch = [&](std::size_t b) {
    torch::NoGradGuard no_grad;
    std::vector<const TokenSequence*> rows;
    for (std::size_t i = b * step; i < std::min(order.size(), (b + 1) * step); ++i)
      rows.push_back(&sequences[order[i]]);
    const TokenBatch batch =
        make_token_batch(rows, model.pad_token_id(), PaddingSide::right, model.device());
    sums[b] = -token_logprobs(model, batch).sum().item<double>();
    targets[b] = batch.target_tokens;
  };
  run_pieces(sums.size(), run_batch, model.device().is_cpu());
  double total = 0.0;
  std::int64_t target_count = 0;
  for (std::size_t b = 0; b < sums.size(); ++b) {
    total += sums[b];
    target_count += targets[b];
  }
  return target_count == 0 ? 0.0 : total / static_cast<double>(target_count);
}

double mean_target_tokens(const std::vector<TokenSequence>& sequences) {
  if (sequences.empty()) return 0.0;
  double total = 0.0;
  for (const TokenSequence& sequence : sequences)
    total += static_cast<double>(target_token_count(sequence));
  return total / static_cast<double>(sequences.size());
}

TrainingSummary run_supervised_training(NodeContext& context, const LanguageModel& student,
                                        const std::vector<TokenSequence>& train,
                                        const ValidationSet& validation,
                                        const TrainingSettings& settings, TrainingTask task) {
  CausalLanguageModel& tensors = *student.tensors;
  task.example_count = train.size();
  task.example_lengths.clear();
  for (const TokenSequence& sequence : train) task.example_lengths.push_back(sequence.ids.size());
  // Grouped by length, a step's token mean would weigh the tokens of short-answer steps above
  // those of long-answer ones; dividing a step's summed loss by its rows x the set's mean
  // target tokens per example instead weighs every target token alike, as random steps do
  // on average.
  const double mean_targets = settings.group_by_length ? mean_target_tokens(train) : 0.0;
  task.micro_batch_loss = [&, mean_targets](const std::vector<std::size_t>& rows) {
    const TokenBatch batch = make_token_batch(pick(train, rows), tensors.pad_token_id(),
                                              PaddingSide::right, tensors.device());
    MicroBatchLoss result;
    result.tokens = batch.tokens;
    if (mean_targets > 0.0) {
      const double expected_targets = static_cast<double>(rows.size()) * mean_targets;
      result.loss = -token_logprobs(tensors, batch).sum() / expected_targets;
      result.normalizer = expected_targets;
    } else {
      result.loss = language_model_loss(tensors, batch);
      // The loss is a mean over target tokens; ranks split a micro-batch by this count.
      result.normalizer = shifted_target_mask(batch).sum().item<double>();
    }
    return result;
  };
  if (!validation.sequences.empty()) {
    auto validate = [&context, &tensors, &validation, &settings, label = task.label,
                     prefix = task.metric_prefix](std::int64_t step, const std::string& when) {
      const double loss = validation_loss(tensors, validation.sequences, settings.batch_size);
      context.metric(step, prefix + "val/loss", loss);
      context.log().info("{}: {} validation loss {:.4f} on {} sequences", label, when, loss,
                         validation.sequences.size());
      if (validation.groups.empty()) return;
      std::map<std::string, std::vector<TokenSequence>> by_group;
      for (std::size_t i = 0; i < validation.sequences.size(); ++i)
        by_group[validation.groups[i]].push_back(validation.sequences[i]);
      for (const auto& [group, sequences] : by_group)
        context.metric(step, prefix + "val/" + group + "/loss",
                       validation_loss(tensors, sequences, settings.batch_size));
    };
    task.end_of_epoch = [validate](std::int64_t epoch, std::int64_t step) {
      validate(step, "epoch " + std::to_string(epoch + 1));
    };
    if (validation.every_steps > 0) {
      task.every_steps = validation.every_steps;
      task.at_every_steps = [validate](std::int64_t step) {
        validate(step, "step " + std::to_string(step));
      };
    }
  }
  return run_training(context, *student.model, tensors, settings, task);
}

}  // namespace paddock::learning
