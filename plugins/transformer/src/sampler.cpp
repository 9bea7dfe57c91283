// KV-cached sampling in fixed batches (TextGenerator::generate): the rows of a batch start
// together and the batch runs until its last row finishes.
#include <torch/torch.h>

#include <algorithm>

#include "paddock/error.hpp"
#include "paddock/transformer/sampler.hpp"
#include "sampling_rows.hpp"

namespace paddock::transformer {
namespace {

using sampling::Row;

void generate_batch(const Decoder& decoder, const std::vector<std::vector<std::int64_t>>& prompts,
                    std::vector<Row*>& rows, const SamplingVocabulary& vocabulary) {
  const torch::Device device = decoder.device();
  const std::int64_t batch = static_cast<std::int64_t>(rows.size());
  const std::int64_t max_positions = decoder.config().max_positions;
  std::int64_t longest = 0, max_new = 0;
  for (Row* row : rows) {
    const auto prompt_length = static_cast<std::int64_t>(prompts[row->request].size());
    const std::int64_t row_new = row->options->max_new_tokens;
    sampling::check_fits(prompt_length, row_new, max_positions);
    longest = std::max(longest, prompt_length);
    max_new = std::max(max_new, row_new);
  }
  std::vector<std::int64_t> flat_ids(batch * longest, vocabulary.pad_token_id);
  std::vector<std::int64_t> flat_mask(batch * (longest + max_new), 0);
  for (std::int64_t b = 0; b < batch; ++b) {
    const auto& prompt = prompts[rows[b]->request];
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
    const std::vector<std::int64_t> chosen =
        sampling::choose_tokens(logits, rows, vocabulary.sampled_ids);
    const auto logprobs_cpu = torch::log_softmax(logits.to(torch::kFloat32), -1).to(torch::kCPU);
    const auto logprobs = logprobs_cpu.accessor<float, 2>();
    bool all_finished = true;
    for (std::int64_t b = 0; b < batch; ++b) {
      Row& row = *rows[b];
      if (row.finished) continue;
      sampling::accept_token(row, chosen[b], logprobs[b][chosen[b]], {}, vocabulary,
                             /*listener=*/nullptr);
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

std::vector<std::vector<Generation>> run_rows(const Decoder& decoder,
                                              const std::vector<std::vector<std::int64_t>>& prompts,
                                              std::vector<Row>& rows, std::size_t batch_size,
                                              const SamplingVocabulary& vocabulary) {
  torch::NoGradGuard no_grad;
  // Batch rows of similar prompt length together: less padding, same results.
  std::vector<Row*> order;
  for (Row& row : rows) order.push_back(&row);
  std::stable_sort(order.begin(), order.end(), [&](const Row* a, const Row* b) {
    return prompts[a->request].size() < prompts[b->request].size();
  });
  batch_size = std::max<std::size_t>(1, batch_size);
  for (std::size_t start = 0; start < order.size(); start += batch_size) {
    std::vector<Row*> batch(order.begin() + start,
                            order.begin() + std::min(order.size(), start + batch_size));
    generate_batch(decoder, prompts, batch, vocabulary);
  }
  std::vector<std::vector<Generation>> results(prompts.size());
  for (Row& row : rows) results[row.request].push_back(sampling::to_generation(row, vocabulary));
  return results;
}

}  // namespace

std::vector<std::vector<Generation>> sample_continuations(
    const Decoder& decoder, const std::vector<std::vector<std::int64_t>>& prompts,
    const GenerationOptions& options, const SamplingVocabulary& vocabulary) {
  sampling::check_options(options, "");
  std::vector<Row> rows;
  for (std::size_t p = 0; p < prompts.size(); ++p) {
    if (prompts[p].empty()) throw Error("prompt " + std::to_string(p) + " has no tokens");
    for (std::int64_t s = 0; s < options.samples_per_prompt; ++s) {
      Row row;
      row.request = p;
      row.sample = s;
      row.options = &options;
      row.rng.seed(sampling::row_seed(options.seed, p, s));
      rows.push_back(std::move(row));
    }
  }
  return run_rows(decoder, prompts, rows, static_cast<std::size_t>(options.batch_size), vocabulary);
}

}  // namespace paddock::transformer
