// `sft`: supervised fine-tuning of a causal language model on Alpaca records (prompt masked,
// EOS appended), or plain language-model training on text, with validation after each epoch.
#include <torch/torch.h>

#include "paddock/dataset.hpp"
#include "paddock/learning/learner_nodes.hpp"
#include "paddock/learning/supervised_training.hpp"
#include "paddock/report.hpp"
#include "paddock/simple_node.hpp"

namespace paddock::learning {
namespace {

void run_sft(NodeContext& context) {
  configure_torch_threads();
  const SftSettings sft = sft_schema(/*with_objective=*/true).read(context.params());
  const TrainingSettings& settings = sft.training;
  const SftDataOptions data_options = sft.data_options();
  const LanguageModel student = clone_for_training(context, "model");

  const auto data = context.input<Dataset>("data");
  const auto train =
      sft_sequences(student, *data, data_options, {context.node_name(), "data"}, context.log());
  ValidationSet validation;
  if (context.has_input("val")) {
    // Validation documents are scored one by one, never packed, so each keeps its group.
    SftDataOptions val_options = data_options;
    val_options.pack_length = 0;
    const auto val = context.input<Dataset>("val");
    std::vector<std::size_t> rows;
    validation.sequences = sft_sequences(student, *val, val_options, {context.node_name(), "val"},
                                         context.log(), &rows);
    validation.every_steps = sft.validate_every;
    const std::string& group_column = sft.val_group_column;
    if (!group_column.empty()) {
      for (std::size_t row : rows)
        validation.groups.push_back(
            required_text((*val)[row], group_column, {context.node_name(), "val"}, row));
    }
  }
  context.log().info(
      "sft: {} training sequences ({}), {} validation; {} epochs, effective batch {}, {} "
      "optimizer steps",
      train.size(),
      data_options.objective == SftObjective::instruction ? "instruction" : "language_model",
      validation.sequences.size(), settings.epochs, settings.examples_per_step(),
      total_optimizer_steps(settings, train.size()));

  TrainingTask task;
  task.label = "sft";
  task.data_seed = context.seed();
  task.checkpoint_root = context.work_dir() / "checkpoints";
  const TrainingSummary summary =
      run_supervised_training(context, student, train, validation, settings, task);
  context.log().info("sft: done after {} optimizer steps ({} tokens), last loss {:.4f}",
                     summary.total_steps, summary.tokens_seen, summary.last_loss);
  context.set_output("model", student.model);
  context.set_output("summary", std::make_shared<Report>(nlohmann::ordered_json{
                                    {"node", context.node_name()},
                                    {"training_examples", train.size()},
                                    {"optimizer_steps", summary.total_steps},
                                    {"tokens_seen", summary.tokens_seen},
                                    {"last_loss", summary.last_loss},
                                    {"epochs", settings.epochs},
                                }));
}

}  // namespace

NodeTypeDeclaration sft_node_type() {
  NodeTypeSpec spec;
  spec.name = "sft";
  spec.kind = NodeKind::learner;
  spec.summary = "Supervised fine-tuning on Alpaca records (or language-model training on text).";
  spec.doc =
      "Fine-tunes a copy of `model` with AdamW on a cosine schedule with linear warmup. With "
      "objective = \"instruction\" each record becomes the model's prompt template applied to "
      "instruction and input, then output and EOS; only the output and EOS count in the loss. "
      "With objective = \"language_model\" the text columns are trained on whole, to pretrain "
      "a base model. Checkpoints go to work/checkpoints/step-N every checkpoint_every steps and "
      "an interrupted run resumes from the latest. Metrics: train/loss, train/lr, "
      "train/grad_norm, train/tokens_per_second, val/loss (after each epoch).";
  spec.inputs = {
      {"model", "Model", "the model to start from (copied, never changed)"},
      {"data", "Dataset", "training records: instruction, input, output (or text_columns)"},
      {"val", "Dataset", "validation records, scored after every epoch", /*optional=*/true},
  };
  spec.outputs = {
      {"model", "Model", "the fine-tuned model"},
      {"summary", "Report", "steps, tokens seen and the last loss: e.g. a base model's provenance"},
  };
  const auto schema = sft_schema(/*with_objective=*/true);
  spec.params = schema.specs();
  NodeTypeDeclaration declaration;
  declaration.spec = make_node_type(std::move(spec), run_sft);
  declaration.rules = schema.param_rules();
  const std::vector<std::string> causal_lm = causal_lm_capabilities();
  declaration.required = {{"model", causal_lm}};
  declaration.promised = {{"model", causal_lm}};
  declaration.data_parallel = true;  // trains on every rank (docs/distributed.md)
  return declaration;
}

}  // namespace paddock::learning
