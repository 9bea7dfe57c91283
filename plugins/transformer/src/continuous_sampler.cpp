// Continuous batching: one batch of rows that requests join and leave between decoding steps.
//
// The batch's key/value cache has one column per sequence position, rows left-padded, and
// every live row's tokens end at the last filled column (each step appends one column to
// every row). New requests are prefilled on their own, left-padded to their longest prompt,
// and merged in: whichever side is shorter is padded on the left. A row's positions count its
// own tokens (the key mask says which columns are its), so neither GPT-2's learned positions
// nor LLaMA's rotary keys, rotated once when cached, care which column holds a token. When
// rows leave, the cache keeps the others (index_select) and drops the leading columns no live
// row uses, so its length is always the longest live row's.
#include <torch/torch.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "paddock/error.hpp"
#include "paddock/transformer/sampler.hpp"
#include "sampling_rows.hpp"

namespace paddock::transformer {
namespace {

using sampling::Row;

// A request whose samples are in the batch. Its rows never move (rows point at options).
struct RunningRequest {
  GenerationOptions options;
  std::vector<Row> rows;  // one per sample
  std::int64_t unfinished = 0;
};

// A request checked and turned into tokens, waiting for its prefill.
struct AdmittedRequest {
  std::size_t id = 0;
  GenerationOptions options;
  std::vector<std::int64_t> prompt;
};

using EndedRequests = std::vector<std::pair<std::size_t, RequestOutcome>>;

class ContinuousBatch {
 public:
  ContinuousBatch(const Decoder& decoder, const SamplingVocabulary& vocabulary,
                  GenerationListener* listener)
      : decoder_(decoder), vocabulary_(vocabulary), listener_(listener) {}

  bool empty() const { return rows_.empty(); }
  std::int64_t running_samples() const { return static_cast<std::int64_t>(rows_.size()); }
  std::vector<std::size_t> running_requests() const {
    std::vector<std::size_t> ids;
    for (const auto& [id, request] : requests_) ids.push_back(id);
    return ids;
  }

  // Prefills the prompts of `incoming` in one forward pass and merges their rows into the
  // batch, every sample of a request a copy of its prompt's row.
  void admit(std::vector<AdmittedRequest> incoming);
  // Drops the rows of the requests `ids` at once.
  EndedRequests cancel(const std::vector<std::size_t>& ids);
  // Every row takes a token; rows that finished leave; the others are fed their token.
  EndedRequests step();

 private:
  void keep_rows(const std::vector<std::int64_t>& kept);
  // The most forward passes any row may still need: the cache's headroom.
  std::int64_t longest_remaining() const;
  torch::Tensor index_tensor(const std::vector<std::int64_t>& indices) const {
    return torch::tensor(indices, torch::kLong).to(decoder_.device());
  }
  RequestOutcome outcome_of(const RunningRequest& request, bool cancelled) const;

  const Decoder& decoder_;
  const SamplingVocabulary& vocabulary_;
  GenerationListener* listener_;
  std::map<std::size_t, std::unique_ptr<RunningRequest>> requests_;
  std::vector<Row*> rows_;       // the batch, in the order of the tensors' rows
  KeyValueCache cache_;          // [B, kv_heads, capacity, head_dim] per layer
  torch::Tensor key_mask_;       // [B, capacity]: 1 where a column holds one of the row's tokens
  torch::Tensor next_position_;  // [B, 1]: each row's position for its next token
  torch::Tensor logits_;         // [B, V]: each row's logits for its next token
};

std::int64_t ContinuousBatch::longest_remaining() const {
  std::int64_t longest = 1;
  for (const Row* row : rows_) {
    longest = std::max(
        longest, row->options->max_new_tokens - static_cast<std::int64_t>(row->tokens.size()));
  }
  return longest;
}

void ContinuousBatch::admit(std::vector<AdmittedRequest> incoming) {
  if (incoming.empty()) return;
  const torch::Device device = decoder_.device();
  const auto count = static_cast<std::int64_t>(incoming.size());
  std::int64_t longest = 0;
  for (const AdmittedRequest& request : incoming)
    longest = std::max(longest, static_cast<std::int64_t>(request.prompt.size()));
  std::vector<std::int64_t> flat_ids(count * longest, vocabulary_.pad_token_id);
  std::vector<std::int64_t> flat_mask(count * longest, 0);
  for (std::int64_t i = 0; i < count; ++i) {
    const auto& prompt = incoming[i].prompt;
    const std::int64_t offset = longest - static_cast<std::int64_t>(prompt.size());
    std::copy(prompt.begin(), prompt.end(), flat_ids.begin() + i * longest + offset);
    std::fill_n(flat_mask.begin() + i * longest + offset, longest - offset, 1);
  }
  const auto ids = torch::from_blob(flat_ids.data(), {count, longest}, torch::kLong).to(device);
  const auto mask = torch::from_blob(flat_mask.data(), {count, longest}, torch::kLong).to(device);
  const auto positions = positions_from_mask(mask);
  KeyValueCache prefill = decoder_.make_cache(count, longest);
  const auto hidden = decoder_.forward(ids, positions, mask, &prefill);

  // One row per sample, each a copy of its request's prefilled row.
  std::vector<std::int64_t> source;
  std::vector<Row*> new_rows;
  for (std::int64_t i = 0; i < count; ++i) {
    AdmittedRequest& admitted = incoming[i];
    auto request = std::make_unique<RunningRequest>();
    request->options = std::move(admitted.options);
    request->unfinished = request->options.samples_per_prompt;
    request->rows.resize(static_cast<std::size_t>(request->unfinished));
    for (std::int64_t s = 0; s < request->unfinished; ++s) {
      Row& row = request->rows[static_cast<std::size_t>(s)];
      row.request = admitted.id;
      row.sample = s;
      row.options = &request->options;
      row.rng.seed(sampling::row_seed(request->options.seed, /*prompt=*/0, s));  // as if alone
      new_rows.push_back(&row);
      source.push_back(i);
    }
    requests_[admitted.id] = std::move(request);
  }
  const auto index = index_tensor(source);
  const auto added_logits = decoder_.logits(hidden.select(1, longest - 1)).index_select(0, index);
  const auto added_mask = mask.index_select(0, index);
  const auto added_position = (positions.narrow(1, longest - 1, 1) + 1).index_select(0, index);

  // Merge: both sides end at the same column, the shorter one padded on the left.
  const std::int64_t old_rows = running_samples(), old_length = cache_.length;
  const auto added_rows = static_cast<std::int64_t>(new_rows.size());
  rows_.insert(rows_.end(), new_rows.begin(), new_rows.end());
  const std::int64_t length = std::max(old_length, longest);
  const std::int64_t capacity = length + longest_remaining();
  const auto place = [&](const torch::Tensor& old_part, const torch::Tensor& new_part,
                         std::vector<std::int64_t> shape, std::int64_t column_dim) {
    shape[0] = old_rows + added_rows;
    shape[column_dim] = capacity;
    auto merged = torch::zeros(shape, new_part.options());
    if (old_rows > 0) {
      merged.narrow(0, 0, old_rows)
          .narrow(column_dim, length - old_length, old_length)
          .copy_(old_part.narrow(column_dim, 0, old_length));
    }
    merged.narrow(0, old_rows, added_rows)
        .narrow(column_dim, length - longest, longest)
        .copy_(new_part);
    return merged;
  };
  KeyValueCache merged;
  for (std::size_t layer = 0; layer < prefill.keys.size(); ++layer) {
    const auto keys = prefill.keys[layer].index_select(0, index);
    const auto values = prefill.values[layer].index_select(0, index);
    merged.keys.push_back(place(old_rows ? cache_.keys[layer] : keys, keys, keys.sizes().vec(), 2));
    merged.values.push_back(
        place(old_rows ? cache_.values[layer] : values, values, values.sizes().vec(), 2));
  }
  merged.length = length;
  merged.capacity = capacity;
  cache_ = std::move(merged);
  key_mask_ =
      place(old_rows ? key_mask_ : added_mask, added_mask, added_mask.sizes().vec(), /*dim=*/1);
  next_position_ = old_rows ? torch::cat({next_position_, added_position}) : added_position;
  logits_ = old_rows ? torch::cat({logits_, added_logits.to(logits_.dtype())}) : added_logits;
}

void ContinuousBatch::keep_rows(const std::vector<std::int64_t>& kept) {
  if (kept.size() == rows_.size()) return;
  std::vector<Row*> rows;
  for (std::int64_t b : kept) rows.push_back(rows_[static_cast<std::size_t>(b)]);
  rows_ = std::move(rows);
  if (rows_.empty()) {
    cache_ = KeyValueCache{};
    key_mask_ = next_position_ = logits_ = torch::Tensor();
    return;
  }
  const auto index = index_tensor(kept);
  const std::int64_t length = cache_.length;
  const auto mask = key_mask_.index_select(0, index).narrow(1, 0, length);
  // Every row ends at the last column, so the longest row says where the used columns begin.
  const std::int64_t used = mask.sum(1).max().item<std::int64_t>();
  const std::int64_t first = length - used;
  const std::int64_t capacity = used + longest_remaining();
  const auto keep = [&](const torch::Tensor& tensor, std::int64_t column_dim) {
    auto shape = tensor.sizes().vec();
    shape[0] = static_cast<std::int64_t>(kept.size());
    shape[column_dim] = capacity;
    auto kept_tensor = torch::zeros(shape, tensor.options());
    kept_tensor.narrow(column_dim, 0, used)
        .copy_(tensor.narrow(column_dim, first, used).index_select(0, index));
    return kept_tensor;
  };
  for (std::size_t layer = 0; layer < cache_.keys.size(); ++layer) {
    cache_.keys[layer] = keep(cache_.keys[layer], 2);
    cache_.values[layer] = keep(cache_.values[layer], 2);
  }
  cache_.length = used;
  cache_.capacity = capacity;
  key_mask_ = keep(key_mask_, 1);
  next_position_ = next_position_.index_select(0, index);
  logits_ = logits_.index_select(0, index);
}

RequestOutcome ContinuousBatch::outcome_of(const RunningRequest& request, bool cancelled) const {
  RequestOutcome outcome;
  outcome.cancelled = cancelled;
  for (const Row& row : request.rows) {
    outcome.generations.push_back(sampling::to_generation(row, vocabulary_));
    if (cancelled && !row.finished) outcome.generations.back().finish_reason = "cancelled";
  }
  return outcome;
}

EndedRequests ContinuousBatch::cancel(const std::vector<std::size_t>& ids) {
  const std::set<std::size_t> stopping(ids.begin(), ids.end());
  std::vector<std::int64_t> kept;
  for (std::size_t b = 0; b < rows_.size(); ++b)
    if (!stopping.count(rows_[b]->request)) kept.push_back(static_cast<std::int64_t>(b));
  EndedRequests ended;
  for (std::size_t id : ids) {
    const auto found = requests_.find(id);
    if (found != requests_.end()) ended.emplace_back(id, outcome_of(*found->second, true));
  }
  keep_rows(kept);
  for (std::size_t id : ids) requests_.erase(id);
  return ended;
}

EndedRequests ContinuousBatch::step() {
  const std::vector<std::int64_t> chosen = sampling::choose_tokens(logits_, rows_);
  const auto logprobs_cpu = torch::log_softmax(logits_.to(torch::kFloat32), -1).to(torch::kCPU);
  const auto logprobs = logprobs_cpu.accessor<float, 2>();
  std::vector<std::int64_t> kept, feed;
  std::vector<std::size_t> done;
  for (std::size_t b = 0; b < rows_.size(); ++b) {
    Row& row = *rows_[b];
    const auto i = static_cast<std::int64_t>(b);
    sampling::accept_token(row, chosen[b], logprobs[i][chosen[b]], vocabulary_, listener_);
    if (!row.finished) {
      kept.push_back(i);
      feed.push_back(chosen[b]);
    } else if (--requests_.at(row.request)->unfinished == 0) {
      done.push_back(row.request);
    }
  }
  EndedRequests ended;
  for (std::size_t id : done) ended.emplace_back(id, outcome_of(*requests_.at(id), false));
  keep_rows(kept);
  for (std::size_t id : done) requests_.erase(id);
  if (rows_.empty()) return ended;

  const std::int64_t batch = running_samples(), length = cache_.length;
  const auto next = torch::tensor(feed, torch::kLong).view({batch, 1}).to(decoder_.device());
  key_mask_.narrow(1, length, 1).fill_(1);
  const auto hidden =
      decoder_.forward(next, next_position_, key_mask_.narrow(1, 0, length + 1), &cache_);
  logits_ = decoder_.logits(hidden.squeeze(1));
  next_position_ = next_position_ + 1;
  return ended;
}

// The feed behind sample_requests: every request at once, then nothing.
class FixedFeed final : public RequestFeed {
 public:
  explicit FixedFeed(const std::vector<GenerationRequest>& requests)
      : requests_(requests), outcomes_(requests.size()) {}

  std::vector<GenerationRequest> take(std::int64_t /*running_samples*/) override {
    if (taken_) return {};
    taken_ = true;
    return requests_;
  }
  bool cancelled(std::size_t /*request*/) override { return !failure_.empty(); }
  void finished(std::size_t request, RequestOutcome outcome) override {
    if (!outcome.error.empty() && failure_.empty()) {
      failure_ = requests_.size() == 1
                     ? outcome.error
                     : "request " + std::to_string(request) + ": " + outcome.error;
    }
    outcomes_.at(request) = std::move(outcome);
  }

  const std::string& failure() const { return failure_; }
  std::vector<std::vector<Generation>> results() {
    std::vector<std::vector<Generation>> results;
    for (RequestOutcome& outcome : outcomes_) results.push_back(std::move(outcome.generations));
    return results;
  }

 private:
  const std::vector<GenerationRequest>& requests_;
  std::vector<RequestOutcome> outcomes_;
  bool taken_ = false;
  std::string failure_;  // the first request that could not be generated stops the call
};

}  // namespace

void sample_continuously(const Decoder& decoder, RequestFeed& feed,
                         const SamplingVocabulary& vocabulary, GenerationListener* listener) {
  torch::NoGradGuard no_grad;
  ContinuousBatch batch(decoder, vocabulary, listener);
  const std::int64_t max_positions = decoder.config().max_positions;
  std::size_t next_id = 0;
  while (true) {
    std::vector<std::size_t> stopping;
    for (std::size_t id : batch.running_requests())
      if (feed.cancelled(id)) stopping.push_back(id);
    if (!stopping.empty()) {
      for (auto& [id, outcome] : batch.cancel(stopping)) feed.finished(id, std::move(outcome));
    }
    std::vector<GenerationRequest> incoming = feed.take(batch.running_samples());
    std::vector<AdmittedRequest> admitted;
    for (GenerationRequest& request : incoming) {
      const std::size_t id = next_id++;
      // Checked before admission, so a request that cannot run fails alone.
      try {
        sampling::check_options(request.options, "");
        std::vector<std::int64_t> prompt = vocabulary.encode(request.prompt);
        if (prompt.empty()) throw Error("the prompt has no tokens");
        sampling::check_fits(static_cast<std::int64_t>(prompt.size()),
                             request.options.max_new_tokens, max_positions);
        admitted.push_back({id, std::move(request.options), std::move(prompt)});
      } catch (const Error& error) {
        RequestOutcome outcome;
        outcome.error = error.what();
        feed.finished(id, std::move(outcome));
      }
    }
    batch.admit(std::move(admitted));
    if (batch.empty()) {
      if (incoming.empty()) return;
      continue;
    }
    for (auto& [id, outcome] : batch.step()) feed.finished(id, std::move(outcome));
  }
}

std::vector<std::vector<Generation>> sample_requests(const Decoder& decoder,
                                                     const std::vector<GenerationRequest>& requests,
                                                     const SamplingVocabulary& vocabulary,
                                                     GenerationListener* listener) {
  FixedFeed feed(requests);
  sample_continuously(decoder, feed, vocabulary, listener);
  if (!feed.failure().empty()) throw Error(feed.failure());
  return feed.results();
}

}  // namespace paddock::transformer
