// The rollout-and-optimise loop shared by PPO, RLOO and GRPO.
#include "paddock/rl/policy_gradient_learner.hpp"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <optional>
#include <sstream>

#include "paddock/annotator.hpp"
#include "paddock/distributed/data_parallel_group.hpp"
#include "paddock/distributed/gradient_buckets.hpp"
#include "paddock/learning/checkpoint_store.hpp"
#include "paddock/learning/data_order.hpp"
#include "paddock/learning/gradient_shards.hpp"
#include "paddock/learning/model_access.hpp"
#include "paddock/learning/optimization.hpp"
#include "paddock/learning/resumable_loop.hpp"
#include "paddock/random.hpp"
#include "paddock/report.hpp"
#include "paddock/rl/ppo_settings.hpp"
#include "paddock/rl/response_batch.hpp"
#include "paddock/rl/rollout_chunks.hpp"
#include "paddock/seed.hpp"
#include "paddock/torch/side_by_side.hpp"

namespace paddock::rl {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using learning::LanguageModel;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string algorithm_name(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::ppo:
      return "ppo";
    case Algorithm::rloo:
      return "rloo";
    case Algorithm::grpo:
      return "grpo";
  }
  return "?";
}

// Generations as bytes, to pass the samples of one rank to the others.
std::string encode_generations(const std::vector<std::vector<Generation>>& generated) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& samples : generated) {
    nlohmann::json row = nlohmann::json::array();
    for (const Generation& generation : samples)
      row.push_back({generation.text, generation.token_ids, generation.token_logprobs,
                     generation.finish_reason});
    rows.push_back(std::move(row));
  }
  return rows.dump();
}

std::vector<std::vector<Generation>> decode_generations(const std::string& bytes) {
  std::vector<std::vector<Generation>> generated;
  for (const auto& row : nlohmann::json::parse(bytes)) {
    std::vector<Generation> samples;
    for (const auto& item : row)
      samples.push_back({item[0].get<std::string>(), item[1].get<std::vector<std::int64_t>>(),
                         item[2].get<std::vector<float>>(), item[3].get<std::string>()});
    generated.push_back(std::move(samples));
  }
  return generated;
}

// Everything computed once per rollout batch, before the optimisation epochs.
struct Rollouts {
  ResponseBatch batch;
  std::vector<std::size_t> prompt_of;  // into the pool
  torch::Tensor old_logprobs, reference_logprobs, old_values, advantages, returns, loss_mask;
  torch::Tensor scores;  // [B] proxy reward
  torch::Tensor kl;      // [B, R] per-token estimate, 0 beyond each response
};

class PolicyGradientRun {
 public:
  PolicyGradientRun(NodeContext& context, Algorithm algorithm)
      : context_(context),
        algorithm_(algorithm),
        settings_(ppo_schema(algorithm == Algorithm::ppo).read(context.params())),
        store_(context.work_dir() / "checkpoints") {}

  void run() {
    configure_torch_threads();
    policy_ = learning::clone_for_training(context_, "policy");
    group_ = distributed::DataParallelGroup::join(context_, policy_.tensors->device());
    reference_ = context_.has_input("reference")
                     ? learning::shared_language_model(context_, "reference")
                     : learning::shared_language_model(context_, "policy");
    reward_model_ = context_.input<Model>("reward");
    scorer_ = &learning::require_reward_scorer(*reward_model_, context_, "reward");
    if (algorithm_ == Algorithm::ppo) make_value_model();
    pool_ = make_prompt_pool(*context_.input<Dataset>("prompts"), *policy_.tensors,
                             *policy_.generator, settings_.max_prompt_tokens,
                             "node '" + context_.node_name() + "': input 'prompts'");
    if (pool_.dropped > 0)
      context_.log().info("dropped {} prompts longer than {} tokens", pool_.dropped,
                          settings_.max_prompt_tokens);

    std::vector<torch::Tensor> parameters = policy_.tensors->parameters();
    policy_.tensors->set_training(true);
    if (value_.tensors) {
      value_.tensors->set_training(true);
      for (const auto& tensor : value_.tensors->parameters()) parameters.push_back(tensor);
    }
    parameters_ = parameters;
    optimizer_ = learning::make_adamw(
        parameters_, {settings_.learning_rate, 0.0, 0.9, 0.999, settings_.adam_epsilon});
    kl_coefficient_ = settings_.kl_coefficient;

    std::int64_t start_step = 0;
    if (auto latest = store_.latest()) start_step = restore(*latest);
    saved_step_ = start_step;
    auto progress = context_.progress(algorithm_name(algorithm_) + " steps",
                                      static_cast<std::uint64_t>(settings_.steps));
    progress->advance(static_cast<std::uint64_t>(start_step));
    if (start_step == 0) evaluate(0);
    learning::ResumableLoop loop;
    loop.start = start_step;
    loop.total = settings_.steps;
    loop.checkpoint_every = settings_.checkpoint_every;
    loop.stop_after = settings_.stop_after_steps;
    // All ranks stop at the same step, or one would wait for the others in a collective.
    loop.cancelled = [&] { return group_->any(context_.cancelled(), "the cancellation check"); };
    loop.saved = [&] { return saved_step_; };
    loop.save = [&](std::int64_t done) { save(done); };
    loop.iterate = [&](std::int64_t step) {
      this->step(step, *progress);
      const std::int64_t done = step + 1;
      if (settings_.eval_every > 0 && done % settings_.eval_every == 0 && done < settings_.steps)
        evaluate(done);
    };
    learning::run_resumable_loop(loop);
    evaluate(settings_.steps);
    progress->finish();
    policy_.tensors->set_training(false);
    context_.set_output("model", policy_.model);
    context_.set_output("report", std::make_shared<Report>(summary_));
  }

 private:
  void make_value_model() {
    // AlpacaFarm initialises the value model from the reward model's trunk, with a new head.
    const std::string port = settings_.value_init == "reward" ? "reward" : "policy";
    value_ = learning::clone_for_training(context_, port);
    value_.tensors->add_value_head();
  }

  std::vector<std::size_t> take_prompts(std::int64_t step) {
    if (!prompt_batches_) {
      prompt_batches_.emplace(derive_seed(context_.seed(), "prompts"), pool_.prompts.size(),
                              static_cast<std::size_t>(settings_.rollout_batch_size));
    }
    return prompt_batches_->batch(step);
  }

  // Forward passes without gradients, in chunks of step_batch_size rows; on the CPU side by
  // side, one intra-op thread each, so a chunk's bits do not depend on the thread count.
  torch::Tensor chunked(const ResponseBatch& batch,
                        const std::function<torch::Tensor(const ResponseBatch&)>& forward) {
    const auto rows = static_cast<std::size_t>(batch.size());
    const auto chunk = static_cast<std::size_t>(settings_.step_batch_size);
    std::vector<torch::Tensor> parts((rows + chunk - 1) / chunk);
    const auto run_chunk = [&](std::size_t c) {
      torch::NoGradGuard no_grad;
      const auto start = static_cast<std::int64_t>(c * chunk);
      const auto end = static_cast<std::int64_t>(std::min(rows, (c + 1) * chunk));
      parts[c] = forward(select_rows(batch, torch::arange(start, end, torch::kLong)));
    };
    run_pieces(parts.size(), run_chunk, batch.ids.device().is_cpu());
    return torch::cat(parts, 0);
  }

  // Samples the rollout prompts in chunks of step_batch_size rows, chunk c seeded with
  // derive_seed(node seed, "rollouts STEP rows FIRST"), so a prompt's samples do not depend on
  // how many ranks there are. Rank r samples chunks r, r + W, ..., side by side on the CPU
  // when the policy allows concurrent generate calls; then every rank receives every chunk,
  // in order.
  std::vector<std::vector<Generation>> generate_rollouts(const std::vector<std::string>& texts,
                                                         const GenerationOptions& options,
                                                         std::int64_t step) {
    const std::size_t chunk = static_cast<std::size_t>(
        std::max<std::int64_t>(1, settings_.step_batch_size / options.samples_per_prompt));
    const std::size_t chunks = (texts.size() + chunk - 1) / chunk;
    std::vector<std::size_t> my_chunks;
    for (std::size_t c = static_cast<std::size_t>(group_->rank()); c < chunks;
         c += static_cast<std::size_t>(group_->size()))
      my_chunks.push_back(c);
    const bool side_by_side =
        policy_.tensors->device().is_cpu() &&
        learning::has_capability(*policy_.model, capability::kConcurrentGenerate);
    auto mine = sample_chunks(
        *policy_.generator, texts, chunk, my_chunks, options,
        [&](std::size_t c) {
          return derive_seed(context_.seed(), "rollouts " + std::to_string(step) + " rows " +
                                                  std::to_string(c * chunk));
        },
        side_by_side);
    if (group_->alone()) {
      std::vector<std::vector<Generation>> all;
      for (auto& part : mine)
        for (auto& samples : part) all.push_back(std::move(samples));
      return all;
    }
    std::vector<std::vector<Generation>> flat_mine;
    for (auto& part : mine)
      for (auto& samples : part) flat_mine.push_back(std::move(samples));
    const auto gathered =
        group_->gather_bytes(encode_generations(flat_mine), "the rollout exchange");
    std::vector<std::vector<std::vector<Generation>>> by_rank;
    for (const std::string& bytes : gathered) by_rank.push_back(decode_generations(bytes));
    // Put the chunks back in order: chunk c came from rank c mod W.
    std::vector<std::vector<Generation>> all;
    std::vector<std::size_t> taken(by_rank.size(), 0);
    for (std::size_t c = 0; c < chunks; ++c) {
      const std::size_t owner = c % by_rank.size();
      const std::size_t count = std::min(texts.size(), (c + 1) * chunk) - c * chunk;
      for (std::size_t i = 0; i < count; ++i) all.push_back(by_rank[owner][taken[owner]++]);
    }
    return all;
  }

  Rollouts collect(std::int64_t step, double& generation_seconds, Report& metrics_out) {
    const auto chosen = take_prompts(step);
    std::vector<std::string> texts;
    for (std::size_t index : chosen) texts.push_back(pool_.texts[index]);
    GenerationOptions options;
    options.temperature = settings_.temperature;
    options.top_p = settings_.top_p;
    options.max_new_tokens = settings_.max_new_tokens;
    options.samples_per_prompt = algorithm_ == Algorithm::ppo ? 1 : settings_.samples_per_prompt;
    options.batch_size = settings_.step_batch_size;
    const auto started = Clock::now();
    policy_.tensors->set_training(false);
    const auto generated = generate_rollouts(texts, options, step);
    policy_.tensors->set_training(true);
    generation_seconds = seconds_since(started);

    Rollouts rollouts;
    std::vector<Generation> flat;
    std::vector<float> rollout_logprob_sums;
    for (std::size_t p = 0; p < generated.size(); ++p) {
      for (const Generation& generation : generated[p]) {
        flat.push_back(generation);
        rollouts.prompt_of.push_back(chosen[p]);
      }
    }
    const torch::Device device = policy_.tensors->device();
    rollouts.batch = make_response_batch(pool_.ids, rollouts.prompt_of, flat,
                                         policy_.tensors->pad_token_id(), device);
    const ResponseBatch& batch = rollouts.batch;
    const auto response_mask = batch.response_mask;
    rollouts.loss_mask = settings_.padding == PaddingMode::textbook || algorithm_ != Algorithm::ppo
                             ? response_mask
                             : torch::ones_like(response_mask);

    rollouts.old_logprobs = chunked(
        batch, [&](const ResponseBatch& b) { return response_logprobs(*policy_.tensors, b); });
    rollouts.reference_logprobs = chunked(
        batch, [&](const ResponseBatch& b) { return response_logprobs(*reference_.tensors, b); });
    // The gap between the sampler's log-probabilities and the training forward pass.
    double gap = 0;
    std::int64_t gap_tokens = 0;
    const auto old_cpu = rollouts.old_logprobs.to(torch::kCPU).contiguous();
    const auto old_values_view = old_cpu.accessor<float, 2>();
    for (std::size_t i = 0; i < flat.size(); ++i) {
      for (std::size_t t = 0; t < flat[i].token_logprobs.size(); ++t, ++gap_tokens) {
        gap +=
            std::abs(flat[i].token_logprobs[t] -
                     old_values_view[static_cast<std::int64_t>(i)][static_cast<std::int64_t>(t)]);
      }
    }
    std::vector<InstructionPrompt> prompts;
    for (std::size_t index : rollouts.prompt_of) prompts.push_back(pool_.prompts[index]);
    const auto scores = scorer_->score(prompts, batch.response_texts);
    rollouts.scores =
        torch::tensor(std::vector<double>(scores.begin(), scores.end()), torch::kFloat64)
            .to(torch::kFloat32)
            .to(device);
    rollouts.kl =
        kl_per_token(rollouts.old_logprobs, rollouts.reference_logprobs, settings_.kl_estimator) *
        response_mask;

    if (algorithm_ == Algorithm::ppo) {
      rollouts.old_values = chunked(
          batch, [&](const ResponseBatch& b) { return response_values(*value_.tensors, b); });
      const auto mask = rollouts.loss_mask;
      const auto penalty =
          kl_penalty(kl_per_token(rollouts.old_logprobs, rollouts.reference_logprobs,
                                  settings_.kl_estimator),
                     settings_.kl_estimator) *
          mask;
      auto rewards = shaped_rewards(penalty, rollouts.scores, batch.last_index, kl_coefficient_);
      if (settings_.whiten_rewards) rewards = whiten(rewards, mask, /*shift_mean=*/false) * mask;
      const auto estimate = generalized_advantages(rewards, rollouts.old_values * mask,
                                                   settings_.gamma, settings_.lambda);
      rollouts.advantages = whiten(estimate.advantages, mask, /*shift_mean=*/true) * mask;
      rollouts.returns = estimate.returns;
      metrics_out.content()["value/explained_variance"] =
          explained_variance(rollouts.old_values, rollouts.returns, mask);
    } else {
      // Group-relative advantages over the k samples of each prompt; the KL penalty enters
      // the reward (summed over the response).
      const std::int64_t k = settings_.samples_per_prompt;
      const auto sequence_penalty =
          (kl_penalty(rollouts.kl, settings_.kl_estimator) * response_mask).sum(1);
      const auto rewards = (rollouts.scores - kl_coefficient_ * sequence_penalty).view({-1, k});
      const torch::Tensor advantages = algorithm_ == Algorithm::rloo
                                           ? leave_one_out_advantages(rewards)
                                           : group_standardized_advantages(rewards);
      rollouts.advantages = advantages.reshape({-1, 1}) * response_mask;
    }
    metrics_out.content()["rollout/logprob_gap"] =
        gap_tokens > 0 ? gap / static_cast<double>(gap_tokens) : 0.0;
    return rollouts;
  }

  // The loss of minibatch rows `rows`, weighted by their share of the minibatch's
  // `all_tokens` loss tokens (1 when `whole`: they are the whole minibatch); `parts` gets the
  // loss, policy loss, value loss, clip fraction, approximate KL and entropy, so weighted.
  torch::Tensor weighted_loss(const Rollouts& rollouts, const std::vector<std::int64_t>& rows,
                              double all_tokens, bool whole, std::vector<double>& parts) {
    const auto index = torch::tensor(rows, torch::kLong);
    const auto device_index = index.to(rollouts.batch.ids.device());
    const ResponseBatch batch = select_rows(rollouts.batch, index);
    const auto mask = rollouts.loss_mask.index_select(0, device_index);
    const double share =
        whole ? 1.0 : (all_tokens > 0 ? mask.sum().item<double>() / all_tokens : 0.0);
    torch::Tensor token_entropy;
    const auto logprobs = response_logprobs(*policy_.tensors, batch, &token_entropy);
    const auto loss_parts = clipped_policy_loss(
        logprobs, rollouts.old_logprobs.index_select(0, device_index),
        rollouts.advantages.index_select(0, device_index), mask, settings_.clip_range);
    torch::Tensor loss = loss_parts.loss;
    if (algorithm_ == Algorithm::ppo) {
      const auto values = response_values(*value_.tensors, batch);
      const auto vloss = clipped_value_loss(
          values, rollouts.old_values.index_select(0, device_index),
          rollouts.returns.index_select(0, device_index), mask, settings_.value_clip_range);
      loss = loss + settings_.value_loss_coefficient * vloss;
      parts[2] = vloss.item<double>() * share;
    }
    parts[0] = loss.item<double>() * share;
    parts[1] = loss_parts.loss.item<double>() * share;
    parts[3] = loss_parts.clip_fraction.item<double>() * share;
    parts[4] = loss_parts.approximate_kl.item<double>() * share;
    parts[5] = masked_mean(token_entropy.detach(),
                           rollouts.batch.response_mask.index_select(0, device_index))
                   .item<double>() *
               share;
    return whole ? loss : loss * share;
  }

  void step(std::int64_t step, Progress& progress) {
    Report metrics;
    double generation_seconds = 0;
    const auto started = Clock::now();
    Rollouts rollouts = collect(step, generation_seconds, metrics);
    const auto training_started = Clock::now();
    const std::int64_t rows = rollouts.batch.size();
    double policy_loss = 0, value_loss = 0, clip_fraction = 0, approximate_kl = 0, entropy = 0;
    std::int64_t updates = 0;
    for (std::int64_t epoch = 0; epoch < settings_.ppo_epochs; ++epoch) {
      std::vector<std::int64_t> order(static_cast<std::size_t>(rows));
      for (std::int64_t i = 0; i < rows; ++i) order[static_cast<std::size_t>(i)] = i;
      std::mt19937_64 rng(derive_seed(
          context_.seed(), "minibatches " + std::to_string(step) + " " + std::to_string(epoch)));
      paddock::shuffle(order, rng);
      for (std::int64_t start = 0; start < rows; start += settings_.step_batch_size) {
        const std::int64_t end = std::min(rows, start + settings_.step_batch_size);
        // This rank's rows of the minibatch: every W-th, starting at its rank. Every rank
        // holds the whole rollout batch, so each knows the minibatch's token count.
        std::vector<std::int64_t> mine;
        for (std::int64_t i = start + group_->rank(); i < end; i += group_->size())
          mine.push_back(order[static_cast<std::size_t>(i)]);
        const auto all_index = torch::tensor(
            std::vector<std::int64_t>(order.begin() + start, order.begin() + end), torch::kLong);
        const double all_tokens =
            rollouts.loss_mask.index_select(0, all_index.to(rollouts.loss_mask.device()))
                .sum()
                .item<double>();
        const int warmup = static_cast<int>(settings_.warmup_steps);
        const double learning_rate =
            optimizer_steps_ < warmup
                ? settings_.learning_rate * static_cast<double>(optimizer_steps_ + 1) / (warmup + 1)
                : settings_.learning_rate;
        optimizer_->zero_grad();
        // loss, policy loss, value loss, clip fraction, approximate KL, entropy: this rank's
        // parts, weighted by its share of the minibatch's tokens.
        std::vector<double> parts(6, 0.0);
        const std::size_t shards = policy_.tensors->device().is_cpu() && group_->alone()
                                       ? learning::gradient_shard_count(mine.size())
                                       : 1;
        if (shards > 1) {
          // Gradient shards (paddock/learning/gradient_shards.hpp), each weighted by its
          // share of the minibatch's tokens, added in shard order.
          std::vector<std::vector<double>> shard_parts(shards, std::vector<double>(6, 0.0));
          const auto gradients = learning::shard_gradients(shards, parameters_, [&](std::size_t k) {
            return weighted_loss(rollouts, learning::shard_rows(mine, shards, k), all_tokens,
                                 /*whole=*/false, shard_parts[k]);
          });
          for (std::size_t k = 0; k < shards; ++k) {
            learning::add_gradients(parameters_, gradients[k].gradients, 1.0);
            for (std::size_t i = 0; i < parts.size(); ++i) parts[i] += shard_parts[k][i];
          }
        } else if (!mine.empty()) {
          const torch::Tensor loss =
              weighted_loss(rollouts, mine, all_tokens, /*whole=*/group_->alone(), parts);
          if (std::isfinite(parts[0])) loss.backward();
        }
        if (!group_->alone()) {
          distributed::sum_gradients(*group_, parameters_);
          parts = group_->sum(parts, "the exchange of the minibatch's losses");
        }
        const learning::GuardedStep guarded = learning::guarded_step(
            *optimizer_, parameters_, parts[0], learning_rate, settings_.max_grad_norm);
        if (!guarded.taken()) {
          throw Error("step " + std::to_string(step) + ": the loss or its gradient is not finite" +
                      (last_checkpoint_.empty() ? std::string(" (no checkpoint yet)")
                                                : "; last good checkpoint: " + last_checkpoint_));
        }
        ++optimizer_steps_;
        ++updates;
        policy_loss += parts[1];
        value_loss += parts[2];
        clip_fraction += parts[3];
        approximate_kl += parts[4];
        entropy += parts[5];
      }
    }
    const double training_seconds = seconds_since(training_started);
    const double total_seconds = seconds_since(started);
    const auto response_mask = rollouts.batch.response_mask;
    const double sequence_kl = (rollouts.kl).sum(1).mean().item<double>();
    const double mean_score = rollouts.scores.mean().item<double>();
    double mean_length = 0;
    for (auto length : rollouts.batch.response_lengths) mean_length += static_cast<double>(length);
    mean_length /= static_cast<double>(rollouts.batch.response_lengths.size());
    const std::int64_t s = step + 1;
    auto& extra = metrics.content();
    const std::vector<std::pair<std::string, double>> values = {
        {"reward/proxy", mean_score},
        {"objective/kl", sequence_kl},
        {"objective/kl_coefficient", kl_coefficient_},
        {"policy/entropy", entropy / static_cast<double>(updates)},
        {"policy/clip_fraction", clip_fraction / static_cast<double>(updates)},
        {"policy/approximate_kl", approximate_kl / static_cast<double>(updates)},
        {"loss/policy", policy_loss / static_cast<double>(updates)},
        {"rollout/response_length", mean_length},
        {"time/generation_seconds", generation_seconds},
        {"time/training_seconds", training_seconds},
        {"time/generation_share", generation_seconds / total_seconds},
    };
    for (const auto& [key, value] : values) context_.metric(s, key, value);
    if (algorithm_ == Algorithm::ppo) {
      context_.metric(s, "loss/value", value_loss / static_cast<double>(updates));
      context_.metric(s, "value/explained_variance",
                      extra["value/explained_variance"].get<double>());
    }
    context_.metric(s, "rollout/logprob_gap", extra["rollout/logprob_gap"].get<double>());
    if (settings_.adaptive_kl) {
      kl_coefficient_ = adapt_kl_coefficient(kl_coefficient_, sequence_kl, settings_.kl_target,
                                             settings_.kl_horizon,
                                             static_cast<double>(settings_.rollout_batch_size));
    }
    std::ostringstream status;
    status.precision(3);
    status << "reward " << mean_score << " kl " << sequence_kl << " len " << mean_length;
    progress.add_tokens(static_cast<std::uint64_t>(response_mask.sum().item<double>()));
    progress.set_status(status.str());
    progress.advance();
    summary_["final_step"] = s;
    summary_["final_proxy_reward"] = mean_score;
    summary_["final_kl"] = sequence_kl;
    summary_["generation_share"] = generation_seconds / total_seconds;
  }

  // Samples eval prompts at the evaluation temperature; logs the proxy reward and, with a
  // judge, the win rate against the prompts' reference `output` (the judge's "human" view).
  void evaluate(std::int64_t step) {
    // Rank 0 evaluates alone: the judge may call a paid API, which must happen once.
    if (context_.rank() != 0) return;
    if (!context_.has_input("eval_prompts")) return;
    const auto prompts = context_.input<Dataset>("eval_prompts");
    const std::size_t count = settings_.eval_rows > 0
                                  ? std::min<std::size_t>(prompts->size(), settings_.eval_rows)
                                  : prompts->size();
    std::vector<std::string> texts;
    std::vector<InstructionPrompt> instructions;
    for (std::size_t row = 0; row < count; ++row) {
      InstructionPrompt prompt{text_column((*prompts)[row], "instruction", row), ""};
      if (auto input = (*prompts)[row].find("input");
          input != (*prompts)[row].end() && input->is_string())
        prompt.input = *input;
      texts.push_back(policy_.generator->format_prompt(prompt));
      instructions.push_back(prompt);
    }
    GenerationOptions options;
    options.temperature = settings_.eval_temperature;
    options.top_p = settings_.eval_top_p;
    options.max_new_tokens = settings_.max_new_tokens;
    options.batch_size = settings_.eval_batch_size;
    options.seed = derive_seed(context_.seed(), "evaluation");
    policy_.tensors->set_training(false);
    const auto generated = policy_.generator->generate(texts, options);
    policy_.tensors->set_training(true);
    std::vector<std::string> outputs;
    for (const auto& samples : generated) outputs.push_back(samples.front().text);
    const auto scores = scorer_->score(instructions, outputs);
    double mean = 0;
    for (double score : scores) mean += score / static_cast<double>(scores.size());
    context_.metric(step, "eval/proxy_reward", mean);
    summary_["evaluations"].push_back({{"step", step}, {"proxy_reward", mean}});
    if (!context_.has_input("eval_judge")) return;
    const auto judge = context_.input<Annotator>("eval_judge");
    std::vector<PreferencePair> pairs;
    for (std::size_t row = 0; row < count; ++row) {
      const Record& record = (*prompts)[row];
      PreferencePair pair{instructions[row].instruction, instructions[row].input,
                          text_column(record, "output", row), outputs[row]};
      for (const auto& item : record.items()) {
        if (item.key() != "instruction" && item.key() != "input" && item.key() != "output")
          pair.metadata[item.key()] = item.value();
      }
      pairs.push_back(std::move(pair));
    }
    double wins = 0;
    std::int64_t annotated = 0;
    for (const Annotation& annotation : judge->annotate(pairs)) {
      if (!annotation.preference) continue;
      ++annotated;
      wins += *annotation.preference == 2 ? 1.0 : *annotation.preference == 0 ? 0.5 : 0.0;
    }
    if (annotated == 0) return;
    const double win_rate = 100.0 * wins / static_cast<double>(annotated);
    context_.metric(step, "eval/human_win_rate", win_rate);
    summary_["evaluations"].back()["human_win_rate"] = win_rate;
    context_.log().info("step {}: eval proxy reward {:.3f}, win rate against the reference {:.1f}%",
                        step, mean, win_rate);
  }

  void save(std::int64_t step) {
    saved_step_ = step;
    // Every rank holds the same weights and optimizer state; rank 0 writes them for all.
    if (context_.rank() != 0) {
      last_checkpoint_ = (store_.root() / ("step-" + std::to_string(step))).string();
      return;
    }
    last_checkpoint_ =
        store_
            .save(step,
                  [&](const fs::path& directory) {
                    std::vector<torch::Tensor> weights;
                    for (const auto& parameter : parameters_) weights.push_back(parameter.detach());
                    torch::save(weights, (directory / "parameters.pt").string());
                    torch::save(*optimizer_, (directory / "optimizer.pt").string());
                    const nlohmann::json state = {{"step", step},
                                                  {"optimizer_steps", optimizer_steps_},
                                                  {"kl_coefficient", kl_coefficient_},
                                                  {"prompts", pool_.prompts.size()},
                                                  {"summary", summary_}};
                    learning::write_file_atomically(directory / "state.json", state.dump(2) + "\n");
                  })
            .string();
    context_.log().info("checkpoint at step {} in {}", step, last_checkpoint_);
  }

  std::int64_t restore(const fs::path& directory) {
    const auto state = nlohmann::json::parse(learning::read_whole_file(directory / "state.json"));
    if (state.at("prompts").get<std::size_t>() != pool_.prompts.size()) {
      throw Error("checkpoint " + directory.string() +
                  " was written for another prompt set; re-run with --force");
    }
    std::vector<torch::Tensor> weights;
    torch::load(weights, (directory / "parameters.pt").string());
    if (weights.size() != parameters_.size())
      throw Error("checkpoint " + directory.string() + " does not fit this model");
    {
      torch::NoGradGuard no_grad;
      for (std::size_t i = 0; i < weights.size(); ++i) parameters_[i].copy_(weights[i]);
    }
    torch::load(*optimizer_, (directory / "optimizer.pt").string(), policy_.tensors->device());
    optimizer_steps_ = state.at("optimizer_steps").get<std::int64_t>();
    kl_coefficient_ = state.at("kl_coefficient").get<double>();
    summary_ = state.at("summary");
    last_checkpoint_ = directory.string();
    const std::int64_t step = state.at("step").get<std::int64_t>();
    context_.log().info("resuming from {} at step {}", directory.string(), step);
    return step;
  }

  NodeContext& context_;
  Algorithm algorithm_;
  PpoSettings settings_;
  learning::CheckpointStore store_;
  LanguageModel policy_, reference_, value_;
  std::shared_ptr<Model> reward_model_;
  RewardScorer* scorer_ = nullptr;
  PromptPool pool_;
  std::vector<torch::Tensor> parameters_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  std::unique_ptr<distributed::DataParallelGroup> group_;
  std::int64_t optimizer_steps_ = 0;
  double kl_coefficient_ = 0;
  std::optional<learning::EpochBatches> prompt_batches_;
  nlohmann::ordered_json summary_ = nlohmann::ordered_json::object();
  std::string last_checkpoint_;
  std::int64_t saved_step_ = 0;  // the step of the newest checkpoint (or the start)
};

}  // namespace

void run_policy_gradient(NodeContext& context, Algorithm algorithm) {
  PolicyGradientRun(context, algorithm).run();
}

}  // namespace paddock::rl
