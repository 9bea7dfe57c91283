// KV-cached batched sampling.
#include "paddock/transformer/sampler.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "paddock/error.hpp"
#include "paddock/random.hpp"
#include "paddock/seed.hpp"

namespace paddock::transformer {
namespace {

struct Row {
  std::size_t prompt = 0;
  std::int64_t sample = 0;
  std::mt19937_64 rng;
  std::vector<std::int64_t> tokens;
  std::vector<float> logprobs;
  std::string finish_reason = "length";
  bool finished = false;
  bool stopped_by_string = false;
  std::string stopped_text;  // the text before the stop string
};

// Draws one token from `probabilities` (CPU, float, sums to ~1) by inverse CDF.
std::int64_t draw(const float* probabilities, std::int64_t size, std::mt19937_64& rng) {
  const double u = uniform01(rng);
  double total = 0;
  for (std::int64_t i = 0; i < size; ++i) total += probabilities[i];
  double cumulative = 0;
  const double target = u * total;
  std::int64_t last_nonzero = 0;
  for (std::int64_t i = 0; i < size; ++i) {
    if (probabilities[i] <= 0) continue;
    last_nonzero = i;
    cumulative += probabilities[i];
    if (cumulative > target) return i;
  }
  return last_nonzero;
}

// Next tokens for every row of `logits` [B, V] under the options.
std::vector<std::int64_t> choose_tokens(const torch::Tensor& logits,
                                        const GenerationOptions& options, std::vector<Row*>& rows) {
  const std::int64_t batch = logits.size(0), vocab = logits.size(1);
  std::vector<std::int64_t> chosen(batch);
  if (options.temperature <= 0) {
    const auto best = logits.argmax(-1).to(torch::kCPU);
    for (std::int64_t b = 0; b < batch; ++b) chosen[b] = best[b].item<std::int64_t>();
    return chosen;
  }
  auto scaled = logits.to(torch::kFloat32) / options.temperature;
  if (options.top_k > 0 && options.top_k < vocab) {
    const auto kth = std::get<0>(scaled.topk(options.top_k, -1)).narrow(1, options.top_k - 1, 1);
    scaled = scaled.masked_fill(scaled < kth, -std::numeric_limits<float>::infinity());
  }
  auto probabilities = torch::softmax(scaled, -1);
  if (options.top_p < 1.0) {
    auto [sorted, order] = probabilities.sort(-1, /*descending=*/true);
    const auto before = sorted.cumsum(-1) - sorted;              // mass strictly above each token
    sorted = sorted.masked_fill(before >= options.top_p, 0.0f);  // keeps at least the top token
    probabilities = torch::zeros_like(probabilities).scatter(-1, order, sorted);
  }
  const auto cpu = probabilities.to(torch::kCPU).contiguous();
  for (std::int64_t b = 0; b < batch; ++b) {
    chosen[b] = draw(cpu.data_ptr<float>() + b * vocab, vocab, rows[b]->rng);
  }
  return chosen;
}

void generate_batch(const Decoder& decoder, const std::vector<std::vector<std::int64_t>>& prompts,
                    std::vector<Row*>& rows, const GenerationOptions& options,
                    const SamplingVocabulary& vocabulary) {
  const torch::Device device = decoder.device();
  const std::int64_t batch = static_cast<std::int64_t>(rows.size());
  std::int64_t longest = 0;
  for (Row* row : rows) longest = std::max<std::int64_t>(longest, prompts[row->prompt].size());
  const std::int64_t max_new = options.max_new_tokens;
  if (longest + max_new > decoder.config().max_positions) {
    throw Error("a prompt of " + std::to_string(longest) + " tokens plus " +
                std::to_string(max_new) + " new tokens exceeds the model's " +
                std::to_string(decoder.config().max_positions) + " positions");
  }
  std::vector<std::int64_t> flat_ids(batch * longest, vocabulary.pad_token_id);
  std::vector<std::int64_t> flat_mask(batch * (longest + max_new), 0);
  for (std::int64_t b = 0; b < batch; ++b) {
    const auto& prompt = prompts[rows[b]->prompt];
    const std::int64_t offset = longest - static_cast<std::int64_t>(prompt.size());
    std::copy(prompt.begin(), prompt.end(), flat_ids.begin() + b * longest + offset);
    std::fill_n(flat_mask.begin() + b * (longest + max_new) + offset, longest - offset, 1);
  }
  auto ids = torch::from_blob(flat_ids.data(), {batch, longest}, torch::kLong).clone();
  auto key_mask =
      torch::from_blob(flat_mask.data(), {batch, longest + max_new}, torch::kLong).clone();
  ids = ids.to(device);
  key_mask = key_mask.to(device);
  KeyValueCache cache = decoder.make_cache(batch, longest + max_new);
  auto positions = positions_from_mask(key_mask.narrow(1, 0, longest));
  auto hidden = decoder.forward(ids, positions, key_mask.narrow(1, 0, longest), &cache);
  auto logits = decoder.logits(hidden.narrow(1, longest - 1, 1).squeeze(1));
  auto next_position = positions.narrow(1, longest - 1, 1) + 1;

  for (std::int64_t step = 0; step < max_new; ++step) {
    const std::vector<std::int64_t> chosen = choose_tokens(logits, options, rows);
    const auto logprobs_cpu = torch::log_softmax(logits.to(torch::kFloat32), -1).to(torch::kCPU);
    const auto logprobs = logprobs_cpu.accessor<float, 2>();
    bool all_finished = true;
    for (std::int64_t b = 0; b < batch; ++b) {
      Row& row = *rows[b];
      if (row.finished) continue;
      row.tokens.push_back(chosen[b]);
      row.logprobs.push_back(logprobs[b][chosen[b]]);
      if (chosen[b] == vocabulary.eos_token_id) {
        row.finished = true;
        row.finish_reason = "stop";
      } else if (!options.stop.empty()) {
        const std::string text = vocabulary.decode(row.tokens);
        for (const std::string& stop : options.stop) {
          const std::size_t at = stop.empty() ? std::string::npos : text.find(stop);
          if (at != std::string::npos) {
            row.finished = true;
            row.finish_reason = "stop";
            row.stopped_by_string = true;
            row.stopped_text = text.substr(0, at);
            break;
          }
        }
      }
      all_finished = all_finished && row.finished;
    }
    if (all_finished || step + 1 == max_new) break;
    std::vector<std::int64_t> feed(batch);
    for (std::int64_t b = 0; b < batch; ++b)
      feed[b] = rows[b]->finished ? vocabulary.pad_token_id : chosen[b];
    const auto next = torch::tensor(feed, torch::kLong).view({batch, 1}).to(device);
    key_mask.narrow(1, longest + step, 1).fill_(1);
    hidden =
        decoder.forward(next, next_position, key_mask.narrow(1, 0, longest + step + 1), &cache);
    logits = decoder.logits(hidden.squeeze(1));
    next_position = next_position + 1;
  }
}

}  // namespace

std::vector<std::vector<Generation>> sample_continuations(
    const Decoder& decoder, const std::vector<std::vector<std::int64_t>>& prompts,
    const GenerationOptions& options, const SamplingVocabulary& vocabulary) {
  if (options.samples_per_prompt < 1) throw Error("samples_per_prompt must be at least 1");
  if (options.max_new_tokens < 1) throw Error("max_new_tokens must be at least 1");
  if (!(options.top_p > 0 && options.top_p <= 1)) throw Error("top_p must be in (0, 1]");
  torch::NoGradGuard no_grad;
  std::vector<Row> rows;
  for (std::size_t p = 0; p < prompts.size(); ++p) {
    if (prompts[p].empty()) throw Error("prompt " + std::to_string(p) + " has no tokens");
    for (std::int64_t s = 0; s < options.samples_per_prompt; ++s) {
      Row row;
      row.prompt = p;
      row.sample = s;
      row.rng.seed(derive_seed(options.seed,
                               "prompt " + std::to_string(p) + " sample " + std::to_string(s)));
      rows.push_back(std::move(row));
    }
  }
  // Batch rows of similar prompt length together: less padding, same results.
  std::vector<Row*> order;
  for (Row& row : rows) order.push_back(&row);
  std::stable_sort(order.begin(), order.end(), [&](const Row* a, const Row* b) {
    return prompts[a->prompt].size() < prompts[b->prompt].size();
  });
  const std::size_t batch_size =
      static_cast<std::size_t>(std::max<std::int64_t>(1, options.batch_size));
  for (std::size_t start = 0; start < order.size(); start += batch_size) {
    std::vector<Row*> batch(order.begin() + start,
                            order.begin() + std::min(order.size(), start + batch_size));
    generate_batch(decoder, prompts, batch, options, vocabulary);
  }
  std::vector<std::vector<Generation>> results(prompts.size());
  for (Row& row : rows) {
    Generation generation;
    generation.token_ids = row.tokens;
    generation.token_logprobs = row.logprobs;
    generation.finish_reason = row.finish_reason;
    if (row.stopped_by_string) {
      generation.text = row.stopped_text;
    } else {
      std::vector<std::int64_t> visible = row.tokens;
      if (!visible.empty() && visible.back() == vocabulary.eos_token_id) visible.pop_back();
      generation.text = vocabulary.decode(visible);
    }
    results[row.prompt].push_back(std::move(generation));
  }
  return results;
}

}  // namespace paddock::transformer
