// KV-cached batched sampling.
#include "paddock/transformer/sampler.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <random>
#include <tuple>

#include "paddock/error.hpp"
#include "paddock/random.hpp"
#include "paddock/seed.hpp"

namespace paddock::transformer {
namespace {

struct Row {
  std::size_t prompt = 0;
  std::int64_t sample = 0;
  const GenerationOptions* options = nullptr;
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

// Next tokens for every row of `logits` [B, V], all rows under the same options.
void choose_tokens_alike(const torch::Tensor& logits, const GenerationOptions& options,
                         const std::vector<Row*>& rows, std::int64_t* chosen) {
  const std::int64_t batch = logits.size(0), vocab = logits.size(1);
  if (options.temperature <= 0) {
    const auto best = logits.argmax(-1).to(torch::kCPU);
    for (std::int64_t b = 0; b < batch; ++b) chosen[b] = best[b].item<std::int64_t>();
    return;
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
}

// Next tokens for every row of `logits` [B, V]. Rows that share their sampling settings are
// processed together; when all do (every TextGenerator::generate call), the whole batch goes
// through one computation.
std::vector<std::int64_t> choose_tokens(const torch::Tensor& logits, std::vector<Row*>& rows) {
  const std::int64_t batch = logits.size(0);
  std::vector<std::int64_t> chosen(batch);
  using Settings = std::tuple<double, double, std::int64_t>;  // temperature, top_p, top_k
  const auto settings_of = [](const Row* row) {
    const GenerationOptions& options = *row->options;
    return Settings{options.temperature <= 0 ? 0.0 : options.temperature,
                    options.temperature <= 0 ? 1.0 : options.top_p,
                    options.temperature <= 0 ? 0 : options.top_k};
  };
  std::map<Settings, std::vector<std::int64_t>> groups;
  for (std::int64_t b = 0; b < batch; ++b) groups[settings_of(rows[b])].push_back(b);
  if (groups.size() == 1) {
    choose_tokens_alike(logits, *rows[0]->options, rows, chosen.data());
    return chosen;
  }
  for (const auto& [settings, members] : groups) {
    std::vector<Row*> group_rows;
    for (std::int64_t b : members) group_rows.push_back(rows[b]);
    const auto index = torch::tensor(members, torch::kLong).to(logits.device());
    std::vector<std::int64_t> group_chosen(members.size());
    choose_tokens_alike(logits.index_select(0, index), *group_rows[0]->options, group_rows,
                        group_chosen.data());
    for (std::size_t k = 0; k < members.size(); ++k) chosen[members[k]] = group_chosen[k];
  }
  return chosen;
}

// The text a row's tokens stand for: before the stop string when one stopped it, else
// everything but a final EOS.
std::string row_text(const Row& row, const SamplingVocabulary& vocabulary) {
  if (row.stopped_by_string) return row.stopped_text;
  std::vector<std::int64_t> visible = row.tokens;
  if (!visible.empty() && visible.back() == vocabulary.eos_token_id) visible.pop_back();
  return vocabulary.decode(visible);
}

void generate_batch(const Decoder& decoder, const std::vector<std::vector<std::int64_t>>& prompts,
                    std::vector<Row*>& rows, const SamplingVocabulary& vocabulary,
                    GenerationListener* listener) {
  const torch::Device device = decoder.device();
  const std::int64_t batch = static_cast<std::int64_t>(rows.size());
  const std::int64_t max_positions = decoder.config().max_positions;
  std::int64_t longest = 0, max_new = 0;
  for (Row* row : rows) {
    const auto prompt_length = static_cast<std::int64_t>(prompts[row->prompt].size());
    const std::int64_t row_new = row->options->max_new_tokens;
    if (prompt_length + row_new > max_positions) {
      throw Error("a prompt of " + std::to_string(prompt_length) + " tokens plus " +
                  std::to_string(row_new) + " new tokens exceeds the model's " +
                  std::to_string(max_positions) + " positions");
    }
    longest = std::max(longest, prompt_length);
    max_new = std::max(max_new, row_new);
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
    const std::vector<std::int64_t> chosen = choose_tokens(logits, rows);
    const auto logprobs_cpu = torch::log_softmax(logits.to(torch::kFloat32), -1).to(torch::kCPU);
    const auto logprobs = logprobs_cpu.accessor<float, 2>();
    bool all_finished = true;
    for (std::int64_t b = 0; b < batch; ++b) {
      Row& row = *rows[b];
      if (row.finished) continue;
      const GenerationOptions& options = *row.options;
      row.tokens.push_back(chosen[b]);
      row.logprobs.push_back(logprobs[b][chosen[b]]);
      std::string text;  // decoded only when a stop string or a listener needs it
      if (chosen[b] == vocabulary.eos_token_id) {
        row.finished = true;
        row.finish_reason = "stop";
      } else if (!options.stop.empty()) {
        text = vocabulary.decode(row.tokens);
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
      if (!row.finished && static_cast<std::int64_t>(row.tokens.size()) >= options.max_new_tokens)
        row.finished = true;  // finish_reason stays "length"
      if (listener != nullptr) {
        if (row.finished || options.stop.empty()) text = row_text(row, vocabulary);
        GeneratedToken token;
        token.request = row.prompt;
        token.sample = row.sample;
        token.token_id = chosen[b];
        token.logprob = row.logprobs.back();
        token.text = text;
        token.finished = row.finished;
        if (row.finished) token.finish_reason = row.finish_reason;
        listener->on_token(token);
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
    // Rows that finished early (a smaller max_new_tokens) keep being fed padding; their
    // positions stop at the last one so they never run past the model's table.
    next_position = (next_position + 1).clamp_max(max_positions - 1);
  }
}

void check_options(const GenerationOptions& options, const std::string& where) {
  if (options.samples_per_prompt < 1) throw Error(where + "samples_per_prompt must be at least 1");
  if (options.max_new_tokens < 1) throw Error(where + "max_new_tokens must be at least 1");
  if (!(options.top_p > 0 && options.top_p <= 1)) throw Error(where + "top_p must be in (0, 1]");
}

// The row's own generator: the same for a prompt alone or among others.
std::uint64_t row_seed(std::uint64_t seed, std::size_t prompt, std::int64_t sample) {
  return derive_seed(seed,
                     "prompt " + std::to_string(prompt) + " sample " + std::to_string(sample));
}

std::vector<std::vector<Generation>> run_rows(const Decoder& decoder,
                                              const std::vector<std::vector<std::int64_t>>& prompts,
                                              std::vector<Row>& rows, std::size_t batch_size,
                                              const SamplingVocabulary& vocabulary,
                                              GenerationListener* listener) {
  torch::NoGradGuard no_grad;
  // Batch rows of similar prompt length together: less padding, same results.
  std::vector<Row*> order;
  for (Row& row : rows) order.push_back(&row);
  std::stable_sort(order.begin(), order.end(), [&](const Row* a, const Row* b) {
    return prompts[a->prompt].size() < prompts[b->prompt].size();
  });
  batch_size = std::max<std::size_t>(1, batch_size);
  for (std::size_t start = 0; start < order.size(); start += batch_size) {
    std::vector<Row*> batch(order.begin() + start,
                            order.begin() + std::min(order.size(), start + batch_size));
    generate_batch(decoder, prompts, batch, vocabulary, listener);
  }
  std::vector<std::vector<Generation>> results(prompts.size());
  for (Row& row : rows) {
    Generation generation;
    generation.token_ids = row.tokens;
    generation.token_logprobs = row.logprobs;
    generation.finish_reason = row.finish_reason;
    generation.text = row_text(row, vocabulary);
    results[row.prompt].push_back(std::move(generation));
  }
  return results;
}

}  // namespace

std::vector<std::vector<Generation>> sample_continuations(
    const Decoder& decoder, const std::vector<std::vector<std::int64_t>>& prompts,
    const GenerationOptions& options, const SamplingVocabulary& vocabulary) {
  check_options(options, "");
  std::vector<Row> rows;
  for (std::size_t p = 0; p < prompts.size(); ++p) {
    if (prompts[p].empty()) throw Error("prompt " + std::to_string(p) + " has no tokens");
    for (std::int64_t s = 0; s < options.samples_per_prompt; ++s) {
      Row row;
      row.prompt = p;
      row.sample = s;
      row.options = &options;
      row.rng.seed(row_seed(options.seed, p, s));
      rows.push_back(std::move(row));
    }
  }
  return run_rows(decoder, prompts, rows, static_cast<std::size_t>(options.batch_size), vocabulary,
                  /*listener=*/nullptr);
}

std::vector<std::vector<Generation>> sample_requests(
    const Decoder& decoder, const std::vector<std::vector<std::int64_t>>& prompts,
    const std::vector<GenerationOptions>& options, const SamplingVocabulary& vocabulary,
    GenerationListener* listener) {
  if (prompts.size() != options.size())
    throw Error("sample_requests: prompts and options differ in number");
  std::vector<Row> rows;
  for (std::size_t p = 0; p < prompts.size(); ++p) {
    const std::string where = "request " + std::to_string(p) + ": ";
    check_options(options[p], where);
    if (prompts[p].empty()) throw Error(where + "the prompt has no tokens");
    for (std::int64_t s = 0; s < options[p].samples_per_prompt; ++s) {
      Row row;
      row.prompt = p;
      row.sample = s;
      row.options = &options[p];
      row.rng.seed(row_seed(options[p].seed, /*prompt=*/0, s));  // as if alone
      rows.push_back(std::move(row));
    }
  }
  return run_rows(decoder, prompts, rows, /*batch_size=*/rows.size(), vocabulary, listener);
}

}  // namespace paddock::transformer
