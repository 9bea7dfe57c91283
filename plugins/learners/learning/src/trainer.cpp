// The shared training loop with checkpoints and resume.
#include "paddock/learning/trainer.hpp"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "paddock/distributed/data_parallel_group.hpp"
#include "paddock/distributed/gradient_buckets.hpp"
#include "paddock/error.hpp"
#include "paddock/learning/checkpoint_store.hpp"
#include "paddock/learning/data_order.hpp"
#include "paddock/learning/gradient_shards.hpp"
#include "paddock/learning/optimization.hpp"
#include "paddock/learning/resumable_loop.hpp"

namespace paddock::learning {
namespace fs = std::filesystem;
namespace {

constexpr int kCheckpointFormat = 1;

std::string format_number(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

// Everything a checkpoint restores besides tensors.
struct LoopState {
  std::int64_t step = 0;
  DataCursor cursor;
  std::int64_t skipped_steps = 0;
  std::int64_t tokens_seen = 0;
};

class TrainingLoop {
 public:
  TrainingLoop(NodeContext& context, Model& model, CausalLanguageModel& tensors,
               const TrainingSettings& settings, const TrainingTask& task)
      : context_(context),
        model_(model),
        tensors_(tensors),
        settings_(settings),
        task_(task),
        store_(task.checkpoint_root, settings.keep_checkpoints) {}

  TrainingSummary run();

 private:
  // One optimizer step's forward and backward passes over rows [begin, end) of `order`.
  struct StepResult {
    double loss = 0.0;
    std::int64_t tokens = 0;
    std::map<std::string, double> metrics;
    std::optional<std::string> non_finite;
  };
  StepResult accumulate_gradients(const std::vector<std::size_t>& order, std::size_t begin,
                                  std::size_t end);
  // The order epoch `epoch` visits the examples in: its permutation, length-grouped when the
  // settings ask.
  std::vector<std::size_t> epoch_order(std::int64_t epoch) const;
  // Alone on the CPU with batch_size >= 2 * kRowsPerShard: every micro-batch's gradients
  // come from gradient shards (gradient_shards.hpp), added into the parameters' .grad.
  bool sharded() const;
  void accumulate_shards(const std::vector<std::size_t>& rows, double share, StepResult& step);
  // Sums gradients and the step's numbers over the ranks (nothing to do alone).
  void combine_ranks(StepResult& step);
  bool writes_checkpoints() const { return context_.rank() == 0; }
  fs::path save_checkpoint();
  void restore_checkpoint(const fs::path& directory);
  [[noreturn]] void fail_on_non_finite(const std::string& what, std::int64_t step_number) const;
  std::string where() const { return "node '" + context_.node_name() + "' (" + task_.label + ")"; }

  NodeContext& context_;
  Model& model_;
  CausalLanguageModel& tensors_;
  const TrainingSettings& settings_;
  const TrainingTask& task_;
  CheckpointStore store_;
  std::vector<torch::Tensor> parameters_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  std::unique_ptr<distributed::DataParallelGroup> group_;
  LoopState state_;
  std::int64_t total_steps_ = 0;
  std::optional<fs::path> last_checkpoint_;
};

std::vector<std::size_t> TrainingLoop::epoch_order(std::int64_t epoch) const {
  std::vector<std::size_t> order = epoch_permutation(task_.data_seed, epoch, task_.example_count);
  if (!settings_.group_by_length) return order;
  if (task_.example_lengths.size() != task_.example_count)
    throw Error(where() + ": group_by_length needs the length of each of the " +
                std::to_string(task_.example_count) + " examples, but the learner gave " +
                std::to_string(task_.example_lengths.size()));
  return length_grouped_order(
      order, task_.example_lengths, static_cast<std::size_t>(settings_.examples_per_step()),
      task_.data_seed, epoch, static_cast<std::size_t>(settings_.length_window_steps));
}

fs::path TrainingLoop::save_checkpoint() {
  // Every rank holds the same weights and optimizer state; rank 0 writes them for all.
  if (!writes_checkpoints()) {
    last_checkpoint_ = store_.root() / ("step-" + std::to_string(state_.step));
    return *last_checkpoint_;
  }
  const fs::path written = store_.save(state_.step, [&](const fs::path& directory) {
    model_.save(directory / "model");
    write_file_atomically(directory / "model" / "paddock_model.json",
                          nlohmann::json{{"backend", model_.backend()}}.dump() + "\n");
    std::vector<torch::Tensor> weights;
    for (const torch::Tensor& parameter : parameters_) weights.push_back(parameter.detach());
    torch::save(weights, (directory / "parameters.pt").string());
    torch::save(*optimizer_, (directory / "optimizer.pt").string());
    std::ostringstream rng;
    rng << context_.rng();
    write_file_atomically(directory / "rng.txt", rng.str() + "\n");
    if (task_.save_extra) task_.save_extra(directory);
    const nlohmann::json state = {
        {"format", kCheckpointFormat},           {"optimizer_step", state_.step},
        {"scheduler_step", state_.step},         {"total_steps", total_steps_},
        {"epoch", state_.cursor.epoch},          {"index_in_epoch", state_.cursor.index},
        {"example_count", task_.example_count},  {"data_seed", task_.data_seed},
        {"skipped_steps", state_.skipped_steps}, {"tokens_seen", state_.tokens_seen},
    };
    write_file_atomically(directory / "state.json", state.dump(2) + "\n");  // last: completes it
  });
  last_checkpoint_ = written;
  context_.log().info("{}: checkpoint at optimizer step {} in {}", task_.label, state_.step,
                      written.string());
  return written;
}

void TrainingLoop::restore_checkpoint(const fs::path& directory) {
  const auto state = nlohmann::json::parse(read_whole_file(directory / "state.json"));
  const auto examples = state.at("example_count").get<std::size_t>();
  const auto total = state.at("total_steps").get<std::int64_t>();
  if (examples != task_.example_count || total != total_steps_ ||
      state.at("data_seed").get<std::uint64_t>() != task_.data_seed) {
    throw Error(where() + ": the checkpoint " + directory.string() + " was written for " +
                std::to_string(examples) + " examples and " + std::to_string(total) +
                " steps, but this run has " + std::to_string(task_.example_count) + " and " +
                std::to_string(total_steps_) +
                "; delete the node's work directory or re-run with --force");
  }
  std::vector<torch::Tensor> weights;
  torch::load(weights, (directory / "parameters.pt").string());
  if (weights.size() != parameters_.size())
    throw Error(where() + ": the checkpoint " + directory.string() + " holds " +
                std::to_string(weights.size()) + " tensors but the model has " +
                std::to_string(parameters_.size()));
  {
    torch::NoGradGuard no_grad;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (!weights[i].sizes().equals(parameters_[i].sizes()))
        throw Error(where() + ": tensor " + std::to_string(i) + " of checkpoint " +
                    directory.string() + " has another shape than the model's");
      parameters_[i].copy_(weights[i]);
    }
  }
  torch::load(*optimizer_, (directory / "optimizer.pt").string(), tensors_.device());
  std::istringstream rng(read_whole_file(directory / "rng.txt"));
  rng >> context_.rng();
  if (task_.load_extra) task_.load_extra(directory);
  state_.step = state.at("optimizer_step").get<std::int64_t>();
  state_.cursor.epoch = state.at("epoch").get<std::int64_t>();
  state_.cursor.index = state.at("index_in_epoch").get<std::size_t>();
  state_.skipped_steps = state.at("skipped_steps").get<std::int64_t>();
  state_.tokens_seen = state.value("tokens_seen", std::int64_t{0});  // older checkpoints: 0
  last_checkpoint_ = directory;
  context_.log().info("{}: resuming from {} (optimizer step {} of {}, epoch {}, row {} of {})",
                      task_.label, directory.string(), state_.step, total_steps_,
                      state_.cursor.epoch + 1, state_.cursor.index, task_.example_count);
}

void TrainingLoop::fail_on_non_finite(const std::string& what, std::int64_t step_number) const {
  const std::string checkpoint = last_checkpoint_
                                     ? "the last good checkpoint is " + last_checkpoint_->string() +
                                           " (running again resumes from it)"
                                     : "no checkpoint has been written yet (checkpoint_every = " +
                                           std::to_string(settings_.checkpoint_every) + ")";
  throw Error(where() + ": the " + what + " at optimizer step " + std::to_string(step_number) +
              " of " + std::to_string(total_steps_) + " (epoch " +
              std::to_string(state_.cursor.epoch + 1) + "); " + checkpoint +
              ". Lower learning_rate, check the data, or set on_nan = \"skip\" to drop such "
              "steps");
}

TrainingLoop::StepResult TrainingLoop::accumulate_gradients(const std::vector<std::size_t>& order,
                                                            std::size_t begin, std::size_t end) {
  StepResult step;
  const auto per_pass = static_cast<std::size_t>(settings_.batch_size);
  const auto rank = static_cast<std::size_t>(group_->rank());
  const auto ranks = static_cast<std::size_t>(group_->size());
  for (std::size_t first = begin; first < end; first += per_pass) {
    const std::size_t last = std::min(end, first + per_pass);
    // This rank's rows of the micro-batch: every W-th, starting at its rank.
    std::vector<std::size_t> rows;
    for (std::size_t i = first + rank; i < last; i += ranks) rows.push_back(order[i]);
    const double share = static_cast<double>(last - first) / static_cast<double>(end - begin);
    if (sharded()) {
      accumulate_shards(rows, share, step);
      if (step.non_finite) break;
      continue;
    }
    MicroBatchLoss part;
    double units = 0.0;
    if (!rows.empty()) {
      part = task_.micro_batch_loss(rows);
      units = part.normalizer.value_or(static_cast<double>(rows.size()));
    }
    // The micro-batch's loss is a mean over all ranks' units; each rank contributes its part.
    double fraction = 1.0;
    if (!group_->alone()) {
      const double all_units = group_->sum({units}, "the micro-batch size exchange").front();
      fraction = all_units > 0.0 ? units / all_units : 0.0;
    }
    if (rows.empty()) continue;
    const double weight = share * fraction;
    const double value = part.loss.item<double>();
    step.tokens += part.tokens;
    if (!std::isfinite(value)) {
      step.non_finite = "training loss is " + format_number(value);
      if (group_->alone()) break;
      continue;  // the other ranks still expect this rank in every collective
    }
    (part.loss * weight).backward();
    step.loss += value * weight;
    for (const auto& [key, metric] : part.metrics) step.metrics[key] += metric * weight;
  }
  return step;
}

bool TrainingLoop::sharded() const {
  return group_->alone() && tensors_.device().is_cpu() &&
         gradient_shard_count(static_cast<std::size_t>(settings_.batch_size)) > 1;
}

void TrainingLoop::accumulate_shards(const std::vector<std::size_t>& rows, double share,
                                     StepResult& step) {
  const std::size_t shards = gradient_shard_count(rows.size());
  std::vector<std::vector<std::size_t>> rows_of(shards);
  for (std::size_t k = 0; k < shards; ++k) rows_of[k] = shard_rows(rows, shards, k);
  std::vector<MicroBatchLoss> parts(shards);
  const std::vector<ShardGradients> gradients =
      shard_gradients(shards, parameters_, [&](std::size_t k) {
        parts[k] = task_.micro_batch_loss(rows_of[k]);
        return parts[k].loss;
      });
  // The micro-batch's loss is a mean over its units; each shard contributes its part, as a
  // rank does.
  std::vector<double> units(shards);
  double all_units = 0.0;
  for (std::size_t k = 0; k < shards; ++k) {
    units[k] = parts[k].normalizer.value_or(static_cast<double>(rows_of[k].size()));
    all_units += units[k];
  }
  for (std::size_t k = 0; k < shards; ++k) {
    step.tokens += parts[k].tokens;
    if (!std::isfinite(gradients[k].loss)) {
      step.non_finite = "training loss is " + format_number(gradients[k].loss);
      return;
    }
  }
  for (std::size_t k = 0; k < shards; ++k) {
    const double weight = share * (all_units > 0.0 ? units[k] / all_units : 0.0);
    add_gradients(parameters_, gradients[k].gradients, weight);
    step.loss += gradients[k].loss * weight;
    for (const auto& [key, metric] : parts[k].metrics) step.metrics[key] += metric * weight;
  }
}

void TrainingLoop::combine_ranks(StepResult& step) {
  if (group_->alone()) return;
  distributed::sum_gradients(*group_, parameters_);
  std::vector<double> numbers = {step.loss, step.non_finite ? 1.0 : 0.0,
                                 static_cast<double>(step.tokens)};
  for (const std::string& key : task_.metric_keys) {
    const auto found = step.metrics.find(key);
    numbers.push_back(found == step.metrics.end() ? 0.0 : found->second);
  }
  numbers = group_->sum(numbers, "the exchange of the step's loss and metrics");
  step.loss = numbers[0];
  if (numbers[1] > 0.0 && !step.non_finite)
    step.non_finite = "training loss is not finite on another rank";
  step.tokens = static_cast<std::int64_t>(numbers[2]);
  step.metrics.clear();
  for (std::size_t i = 0; i < task_.metric_keys.size(); ++i)
    step.metrics[task_.metric_keys[i]] = numbers[3 + i];
}

TrainingSummary TrainingLoop::run() {
  const std::size_t count = task_.example_count;
  if (count == 0) throw Error(where() + ": there is nothing to train on (no usable examples)");
  total_steps_ = total_optimizer_steps(settings_, count);
  const std::int64_t warmup = warmup_steps_for(settings_.warmup_ratio, total_steps_);
  tensors_.set_training(true);
  parameters_ = tensors_.parameters();
  group_ = distributed::DataParallelGroup::join(context_, tensors_.device());
  if (!group_->alone())
    context_.log().info("{}: training data-parallel as rank {} of {}", task_.label, group_->rank(),
                        group_->size());
  AdamWSettings adamw;
  adamw.learning_rate = settings_.learning_rate;
  adamw.weight_decay = settings_.weight_decay;
  adamw.epsilon = settings_.adam_epsilon;
  optimizer_ = make_adamw(parameters_, adamw);

  TrainingSummary summary;
  summary.total_steps = total_steps_;
  if (const auto latest = store_.latest()) {
    restore_checkpoint(*latest);
    summary.resumed_from_step = state_.step;
  }
  const std::string& prefix = task_.metric_prefix;
  auto progress = context_.progress(task_.label, static_cast<std::uint64_t>(total_steps_));
  if (state_.step > 0) progress->advance(static_cast<std::uint64_t>(state_.step));

  const auto per_step = static_cast<std::size_t>(settings_.examples_per_step());
  std::vector<std::size_t> order = epoch_order(state_.cursor.epoch);
  ResumableLoop loop;
  loop.start = state_.step;
  loop.total = total_steps_;
  loop.checkpoint_every = settings_.checkpoint_every;
  loop.stop_after = settings_.stop_after_steps;
  loop.unit = "optimizer steps";
  loop.where = where();
  // All ranks stop at the same step, or one would wait for the others in a collective.
  loop.cancelled = [&] { return group_->any(context_.cancelled(), "the cancellation check"); };
  loop.saved = [&] {
    return last_checkpoint_ ? CheckpointStore::step_of(*last_checkpoint_) : std::int64_t{-1};
  };
  loop.save = [&](std::int64_t) { save_checkpoint(); };
  loop.iterate = [&](std::int64_t) {
    const auto started = std::chrono::steady_clock::now();
    const std::size_t begin = state_.cursor.index, end = std::min(count, begin + per_step);
    const std::int64_t number = state_.step + 1;
    optimizer_->zero_grad();
    StepResult result = accumulate_gradients(order, begin, end);
    combine_ranks(result);
    std::optional<std::string>& non_finite = result.non_finite;
    const double loss = result.loss;
    const std::int64_t tokens = result.tokens;
    const std::map<std::string, double>& metrics = result.metrics;
    const double learning_rate =
        cosine_learning_rate(state_.step, total_steps_, warmup, settings_.learning_rate);
    double norm = 0.0;
    if (!non_finite) {
      const GuardedStep step =
          guarded_step(*optimizer_, parameters_, loss, learning_rate, settings_.max_grad_norm);
      norm = step.norm;
      if (!step.taken())
        non_finite =
            step.non_finite + " is " + format_number(step.non_finite == "loss" ? loss : norm);
    }
    if (non_finite) {
      if (settings_.on_nan == NanPolicy::fail) fail_on_non_finite(*non_finite, number);
      ++state_.skipped_steps;
      context_.log().warn("{}: skipped optimizer step {}: the {} (on_nan = \"skip\"; {} skipped)",
                          task_.label, number, *non_finite, state_.skipped_steps);
      context_.metric(number, prefix + "train/skipped_steps",
                      static_cast<double>(state_.skipped_steps));
    }
    optimizer_->zero_grad();
    state_.step = number;
    state_.cursor.index = end;

    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (!non_finite) {
      summary.last_loss = loss;
      context_.metric(number, prefix + "train/loss", loss);
      context_.metric(number, prefix + "train/lr", learning_rate);
      context_.metric(number, prefix + "train/grad_norm", norm);
      for (const auto& [key, value] : metrics)
        context_.metric(number, prefix + "train/" + key, value);
      progress->set_status("loss " + format_number(loss) + ", lr " + format_number(learning_rate));
    }
    if (seconds > 0)
      context_.metric(number, prefix + "train/tokens_per_second",
                      static_cast<double>(tokens) / seconds);
    progress->add_tokens(static_cast<std::uint64_t>(tokens));
    progress->advance();
    state_.tokens_seen += tokens;

    if (state_.cursor.index >= count) {
      if (task_.end_of_epoch) task_.end_of_epoch(state_.cursor.epoch, state_.step);
      ++state_.cursor.epoch;
      state_.cursor.index = 0;
      if (state_.step < total_steps_) order = epoch_order(state_.cursor.epoch);
    }
    if (task_.at_every_steps && task_.every_steps > 0 && state_.step % task_.every_steps == 0 &&
        state_.step < total_steps_ && state_.cursor.index != 0) {
      tensors_.set_training(false);
      task_.at_every_steps(state_.step);
      tensors_.set_training(true);
    }
  };
  run_resumable_loop(loop);
  progress->finish();
  tensors_.set_training(false);
  summary.skipped_steps = state_.skipped_steps;
  summary.tokens_seen = state_.tokens_seen;
  summary.communication_seconds = group_->communication_seconds();
  if (!group_->alone())
    context_.log().info("{}: {:.2f} s in collective operations over {} steps", task_.label,
                        summary.communication_seconds, total_steps_);
  if (state_.skipped_steps > 0)
    context_.log().warn("{}: {} of {} optimizer steps were skipped for a non-finite loss",
                        task_.label, state_.skipped_steps, total_steps_);
  return summary;
}

}  // namespace

std::int64_t total_optimizer_steps(const TrainingSettings& settings, std::size_t example_count) {
  const auto per_step = static_cast<std::size_t>(settings.examples_per_step());
  const auto per_epoch = static_cast<std::int64_t>((example_count + per_step - 1) / per_step);
  return settings.epochs * per_epoch;
}

TrainingSummary run_training(NodeContext& context, Model& model, CausalLanguageModel& tensors,
                             const TrainingSettings& settings, const TrainingTask& task) {
  TrainingLoop loop(context, model, tensors, settings, task);
  return loop.run();
}

}  // namespace paddock::learning
