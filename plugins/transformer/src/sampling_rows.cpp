// Choosing tokens row by row, and deciding when a row ends.
#include "sampling_rows.hpp"

#include <torch/torch.h>

#include <limits>
#include <map>
#include <tuple>

#include "paddock/error.hpp"
#include "paddock/random.hpp"
#include "paddock/seed.hpp"

namespace paddock::transformer::sampling {
namespace {

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

}  // namespace

void check_options(const GenerationOptions& options, const std::string& where) {
  if (options.samples_per_prompt < 1) throw Error(where + "samples_per_prompt must be at least 1");
  if (options.max_new_tokens < 1) throw Error(where + "max_new_tokens must be at least 1");
  if (!(options.top_p > 0 && options.top_p <= 1)) throw Error(where + "top_p must be in (0, 1]");
}

void check_fits(std::int64_t prompt_length, std::int64_t max_new_tokens,
                const ModelConfig& config) {
  const std::int64_t context = config.context_length();
  if (prompt_length + max_new_tokens <= context) return;
  throw Error("a prompt of " + std::to_string(prompt_length) + " tokens plus " +
              std::to_string(max_new_tokens) + " new tokens exceeds the model's " +
              std::to_string(context) + " positions" +
              (context < config.max_positions ? " (its sliding window, which Paddock does not "
                                                "apply: it runs no longer sequences)"
                                              : ""));
}

std::uint64_t row_seed(std::uint64_t seed, std::size_t prompt, std::int64_t sample) {
  return derive_seed(seed,
                     "prompt " + std::to_string(prompt) + " sample " + std::to_string(sample));
}

torch::Tensor apply_logit_bias(const torch::Tensor& logits, const std::vector<Row*>& rows) {
  std::vector<std::int64_t> row_index, token_index;
  std::vector<float> bias;
  for (std::size_t b = 0; b < rows.size(); ++b) {
    if (rows[b]->logit_bias == nullptr) continue;
    for (const auto& [token, value] : *rows[b]->logit_bias) {
      row_index.push_back(static_cast<std::int64_t>(b));
      token_index.push_back(token);
      bias.push_back(value);
    }
  }
  if (bias.empty()) return logits;
  auto biased = logits.to(torch::kFloat32).clone();
  const auto on_device = [&](const torch::Tensor& tensor) { return tensor.to(logits.device()); };
  biased.index_put_({on_device(torch::tensor(row_index, torch::kLong)),
                     on_device(torch::tensor(token_index, torch::kLong))},
                    on_device(torch::tensor(bias, torch::kFloat32)), /*accumulate=*/true);
  return biased;
}

void check_logit_bias(const std::vector<std::pair<std::int64_t, float>>& logit_bias,
                      std::int64_t vocab_size) {
  for (const auto& [token, value] : logit_bias) {
    if (token < 0 || token >= vocab_size) {
      throw Error("logit_bias: token id " + std::to_string(token) +
                  " is outside the vocabulary (ids 0 to " + std::to_string(vocab_size - 1) + ")");
    }
  }
}

std::vector<std::int64_t> choose_tokens(const torch::Tensor& all_logits,
                                        const std::vector<Row*>& rows, std::int64_t sampled_ids) {
  const bool padded = sampled_ids > 0 && sampled_ids < all_logits.size(1);
  const torch::Tensor logits = padded ? all_logits.narrow(1, 0, sampled_ids) : all_logits;
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

std::vector<std::vector<TokenAlternative>> likeliest_tokens(const torch::Tensor& logprobs,
                                                            const std::vector<Row*>& rows,
                                                            std::int64_t sampled_ids) {
  std::vector<std::vector<TokenAlternative>> likeliest(rows.size());
  std::int64_t most = 0;
  for (const Row* row : rows) most = std::max(most, row->top_logprobs);
  if (most == 0) return likeliest;
  const bool padded = sampled_ids > 0 && sampled_ids < logprobs.size(1);
  const auto candidates = padded ? logprobs.narrow(1, 0, sampled_ids) : logprobs;
  most = std::min(most, candidates.size(1));
  const auto [values, indices] = candidates.topk(most, -1);  // sorted, likeliest first
  const auto value = values.accessor<float, 2>();
  const auto index = indices.accessor<std::int64_t, 2>();
  for (std::size_t b = 0; b < rows.size(); ++b) {
    const std::int64_t wanted = std::min(rows[b]->top_logprobs, most);
    for (std::int64_t k = 0; k < wanted; ++k) {
      const auto row = static_cast<std::int64_t>(b);
      likeliest[b].push_back({index[row][k], value[row][k]});
    }
  }
  return likeliest;
}

void accept_token(Row& row, std::int64_t token, float logprob,
                  std::vector<TokenAlternative> alternatives, const SamplingVocabulary& vocabulary,
                  GenerationListener* listener) {
  const GenerationOptions& options = *row.options;
  row.tokens.push_back(token);
  row.logprobs.push_back(logprob);
  if (row.top_logprobs > 0) row.alternatives.push_back(std::move(alternatives));
  std::string text;  // decoded only when a stop string or a listener needs it
  if (token == vocabulary.eos_token_id) {
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
  if (listener == nullptr) return;
  if (row.finished || options.stop.empty()) text = row_text(row, vocabulary);
  GeneratedToken report;
  report.request = row.request;
  report.sample = row.sample;
  report.token_id = token;
  report.logprob = logprob;
  report.text = text;
  report.finished = row.finished;
  if (row.finished) report.finish_reason = row.finish_reason;
  if (row.top_logprobs > 0) report.top_logprobs = row.alternatives.back();
  listener->on_token(report);
}

std::string row_text(const Row& row, const SamplingVocabulary& vocabulary) {
  if (row.stopped_by_string) return row.stopped_text;
  std::vector<std::int64_t> visible = row.tokens;
  if (!visible.empty() && visible.back() == vocabulary.eos_token_id) visible.pop_back();
  return vocabulary.decode(visible);
}

Generation to_generation(const Row& row, const SamplingVocabulary& vocabulary) {
  Generation generation;
  generation.token_ids = row.tokens;
  generation.token_logprobs = row.logprobs;
  generation.finish_reason = row.finish_reason;
  generation.text = row_text(row, vocabulary);
  generation.top_logprobs = row.alternatives;
  return generation;
}

}  // namespace paddock::transformer::sampling
