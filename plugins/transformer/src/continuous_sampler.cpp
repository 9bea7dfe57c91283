// Continuous batching: one batch of rows that requests join and leave between decoding steps,
// behind every sampler of the backend (TextGenerator::generate and RequestGenerator).
//
// The batch's key/value cache has one column per sequence position, rows left-padded, and
// every live row's tokens end at the last filled column (each step appends one column to
// every row). New requests are prefilled on their own, left-padded to their longest prompt,
// and merged in, whichever side is shorter padded on the left. A row's positions count its
// own tokens (the key mask says which columns are its), so neither GPT-2's learned positions
// nor LLaMA's rotary keys, rotated once when cached, care which column holds a token.
//
// A row that finishes (or is cancelled) leaves at once: it takes no more tokens and its slot
// is free. A new row whose prompt fits in the columns already there is written into a free
// slot in place, so a join costs only its prefill. Otherwise, and whenever half the slots are
// free or the cache has no column left for the next step, the batch is rebuilt: the live rows
// are kept (index_select), the leading columns none of them uses are cut away, and new rows
// are appended. So the rows computed are never more than twice the live ones, and the cache
// is never longer than the longest live row plus kHeadroom columns.
#include <torch/torch.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "paddock/error.hpp"
#include "paddock/torch/side_by_side.hpp"
#include "paddock/transformer/sampler.hpp"
#include "sampling_lanes.hpp"
#include "sampling_rows.hpp"

namespace paddock::transformer {
namespace {

using sampling::Row;

// Columns allocated beyond the longest live row at each rebuild: the steps before the next.
constexpr std::int64_t kHeadroom = 64;

// A request whose samples are in the batch. Its rows never move (rows point at options).
struct RunningRequest {
  GenerationOptions options;
  std::vector<std::pair<std::int64_t, float>> logit_bias;
  std::int64_t top_logprobs = 0;
  std::vector<Row> rows;  // one per sample
  std::int64_t unfinished = 0;
};

// A request checked and turned into tokens, waiting for its prefill.
struct AdmittedRequest {
  std::size_t id = 0;
  // Its rows are seeded as this prompt of a call (row_seed): 0 for a request of a
  // RequestGenerator call, the prompt's index for TextGenerator::generate.
  std::size_t seed_prompt = 0;
  GenerationOptions options;
  std::vector<std::pair<std::int64_t, float>> logit_bias;
  std::int64_t top_logprobs = 0;
  std::vector<std::int64_t> prompt;
};

// New rows after their prefill, one per sample, left-padded to `length` columns.
struct Prefill {
  std::vector<Row*> rows;
  std::vector<torch::Tensor> keys, values;  // [rows, kv_heads, length, head_dim] per layer
  torch::Tensor mask;                       // [rows, length]
  torch::Tensor next_position;              // [rows, 1]
  torch::Tensor logits;                     // [rows, V]
  std::int64_t length = 0;
};

using EndedRequests = std::vector<std::pair<std::size_t, RequestOutcome>>;

class ContinuousBatch {
 public:
  ContinuousBatch(const Decoder& decoder, const SamplingVocabulary& vocabulary,
                  GenerationListener* listener)
      : decoder_(decoder), vocabulary_(vocabulary), listener_(listener) {}

  bool empty() const { return live_ == 0; }
  std::int64_t running_samples() const { return live_; }
  std::vector<std::size_t> running_requests() const {
    std::vector<std::size_t> ids;
    for (const auto& [id, request] : requests_) ids.push_back(id);
    return ids;
  }

  // Prefills the prompts of `incoming` in one forward pass and adds their rows to the batch,
  // every sample of a request a copy of its prompt's row.
  void admit(std::vector<AdmittedRequest> incoming);
  // Drops the rows of the requests `ids` at once.
  EndedRequests cancel(const std::vector<std::size_t>& ids);
  // Every live row takes a token; rows that finished leave; the others are fed their token.
  EndedRequests step();

 private:
  Prefill prefill(std::vector<AdmittedRequest>& incoming);
  void place_in_free_slots(const Prefill& added);
  // New tensors holding the live rows (leading unused columns cut) and then `added`'s rows.
  void rebuild(const Prefill* added);
  void free_slot(std::size_t slot);
  // After rows left: forgets everything when none is live, rebuilds when half the slots are
  // free or no column is left for the next step.
  void settle();
  std::vector<std::int64_t> live_slots() const;
  torch::Tensor index_tensor(const std::vector<std::int64_t>& indices) const {
    return torch::tensor(indices, torch::kLong).to(decoder_.device());
  }
  RequestOutcome outcome_of(const RunningRequest& request, bool cancelled) const;

  const Decoder& decoder_;
  const SamplingVocabulary& vocabulary_;
  GenerationListener* listener_;
  std::map<std::size_t, std::unique_ptr<RunningRequest>> requests_;
  std::vector<Row*> slots_;  // one per tensor row; null where the slot is free
  std::int64_t live_ = 0;    // slots holding a row
  KeyValueCache cache_;      // [slots, kv_heads, capacity, head_dim] per layer
  torch::Tensor key_mask_;   // [slots, capacity]: 1 where a column holds one of the row's tokens
  torch::Tensor next_position_;  // [slots, 1]: each row's position for its next token
  torch::Tensor logits_;         // [slots, V]: each row's logits for its next token
};

std::vector<std::int64_t> ContinuousBatch::live_slots() const {
  std::vector<std::int64_t> live;
  for (std::size_t b = 0; b < slots_.size(); ++b)
    if (slots_[b] != nullptr) live.push_back(static_cast<std::int64_t>(b));
  return live;
}

Prefill ContinuousBatch::prefill(std::vector<AdmittedRequest>& incoming) {
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
  KeyValueCache cache = decoder_.make_cache(count, longest);
  const auto hidden = decoder_.forward(ids, positions, mask, &cache);

  // One row per sample, each a copy of its request's prefilled row.
  Prefill added;
  std::vector<std::int64_t> source;
  for (std::int64_t i = 0; i < count; ++i) {
    AdmittedRequest& admitted = incoming[i];
    auto request = std::make_unique<RunningRequest>();
    request->options = std::move(admitted.options);
    request->logit_bias = std::move(admitted.logit_bias);
    request->top_logprobs = admitted.top_logprobs;
    request->unfinished = request->options.samples_per_prompt;
    request->rows.resize(static_cast<std::size_t>(request->unfinished));
    for (std::int64_t s = 0; s < request->unfinished; ++s) {
      Row& row = request->rows[static_cast<std::size_t>(s)];
      row.request = admitted.id;
      row.sample = s;
      row.options = &request->options;
      if (!request->logit_bias.empty()) row.logit_bias = &request->logit_bias;
      row.top_logprobs = request->top_logprobs;
      row.rng.seed(sampling::row_seed(request->options.seed, admitted.seed_prompt, s));
      added.rows.push_back(&row);
      source.push_back(i);
    }
    requests_[admitted.id] = std::move(request);
  }
  const auto index = index_tensor(source);
  for (std::size_t layer = 0; layer < cache.keys.size(); ++layer) {
    added.keys.push_back(cache.keys[layer].index_select(0, index));
    added.values.push_back(cache.values[layer].index_select(0, index));
  }
  added.mask = mask.index_select(0, index);
  added.next_position = (positions.narrow(1, longest - 1, 1) + 1).index_select(0, index);
  added.logits = decoder_.logits(hidden.select(1, longest - 1)).index_select(0, index);
  added.length = longest;
  return added;
}

void ContinuousBatch::admit(std::vector<AdmittedRequest> incoming) {
  if (incoming.empty()) return;
  const Prefill added = prefill(incoming);
  const auto free = static_cast<std::int64_t>(slots_.size()) - live_;
  const auto count = static_cast<std::int64_t>(added.rows.size());
  if (count <= free && added.length <= cache_.length) {
    place_in_free_slots(added);
  } else {
    rebuild(&added);
  }
}

void ContinuousBatch::place_in_free_slots(const Prefill& added) {
  std::vector<std::int64_t> free;
  for (std::size_t b = 0; b < slots_.size() && free.size() < added.rows.size(); ++b) {
    if (slots_[b] == nullptr) {
      slots_[b] = added.rows[free.size()];
      free.push_back(static_cast<std::int64_t>(b));
    }
  }
  live_ += static_cast<std::int64_t>(added.rows.size());
  const auto index = index_tensor(free);
  // The new rows end at the last column, like every live row. Earlier columns still hold
  // the previous occupant's keys and values, finite and now masked out.
  const std::int64_t start = cache_.length - added.length;
  for (std::size_t layer = 0; layer < cache_.keys.size(); ++layer) {
    cache_.keys[layer].narrow(2, start, added.length).index_copy_(0, index, added.keys[layer]);
    cache_.values[layer].narrow(2, start, added.length).index_copy_(0, index, added.values[layer]);
  }
  key_mask_.index_fill_(0, index, 0);
  key_mask_.narrow(1, start, added.length).index_copy_(0, index, added.mask);
  next_position_.index_copy_(0, index, added.next_position);
  logits_.index_copy_(0, index, added.logits.to(logits_.dtype()));
}

void ContinuousBatch::rebuild(const Prefill* added) {
  const std::vector<std::int64_t> kept = live_slots();
  const auto kept_rows = static_cast<std::int64_t>(kept.size());
  const auto added_rows = added ? static_cast<std::int64_t>(added->rows.size()) : 0;
  std::int64_t used = 0;  // the columns the longest live row takes (all end at the last one)
  torch::Tensor index;
  if (kept_rows > 0) {
    index = index_tensor(kept);
    used = key_mask_.index_select(0, index)
               .narrow(1, 0, cache_.length)
               .sum(1)
               .max()
               .item<std::int64_t>();
  }
  const std::int64_t length = std::max(used, added ? added->length : 0);
  const std::int64_t capacity = length + kHeadroom;
  const std::int64_t first = cache_.length - used;  // the first column a live row uses
  // Live rows first, then the new ones; each part ends at column `length` - 1.
  const auto combine = [&](const torch::Tensor& old_part, const torch::Tensor& new_part,
                           std::int64_t column_dim) {
    const torch::Tensor& like = kept_rows > 0 ? old_part : new_part;
    auto shape = like.sizes().vec();
    shape[0] = kept_rows + added_rows;
    shape[column_dim] = capacity;
    auto combined = torch::zeros(shape, like.options());
    if (kept_rows > 0) {
      combined.narrow(0, 0, kept_rows)
          .narrow(column_dim, length - used, used)
          .copy_(old_part.narrow(column_dim, first, used).index_select(0, index));
    }
    if (added_rows > 0) {
      combined.narrow(0, kept_rows, added_rows)
          .narrow(column_dim, length - added->length, added->length)
          .copy_(new_part);
    }
    return combined;
  };
  const torch::Tensor none;
  KeyValueCache cache;
  const auto layers = static_cast<std::size_t>(decoder_.config().layers);
  for (std::size_t layer = 0; layer < layers; ++layer) {
    const bool have_old = kept_rows > 0;
    cache.keys.push_back(
        combine(have_old ? cache_.keys[layer] : none, added_rows ? added->keys[layer] : none, 2));
    cache.values.push_back(combine(have_old ? cache_.values[layer] : none,
                                   added_rows ? added->values[layer] : none, 2));
  }
  cache.length = length;
  cache.capacity = capacity;
  key_mask_ = combine(key_mask_, added_rows ? added->mask : none, 1);
  const auto stack = [&](const torch::Tensor& old_part, const torch::Tensor& new_part) {
    if (kept_rows == 0) return new_part;
    const auto kept_part = old_part.index_select(0, index);
    return added_rows ? torch::cat({kept_part, new_part.to(kept_part.dtype())}) : kept_part;
  };
  next_position_ = stack(next_position_, added_rows ? added->next_position : none);
  logits_ = stack(logits_, added_rows ? added->logits : none);
  cache_ = std::move(cache);
  std::vector<Row*> slots;
  for (std::int64_t b : kept) slots.push_back(slots_[static_cast<std::size_t>(b)]);
  if (added_rows) slots.insert(slots.end(), added->rows.begin(), added->rows.end());
  slots_ = std::move(slots);
  live_ = kept_rows + added_rows;
}

void ContinuousBatch::free_slot(std::size_t slot) {
  slots_[slot] = nullptr;
  --live_;
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
  EndedRequests ended;
  for (std::size_t id : ids) {
    const auto found = requests_.find(id);
    if (found != requests_.end()) ended.emplace_back(id, outcome_of(*found->second, true));
  }
  for (std::size_t b = 0; b < slots_.size(); ++b)
    if (slots_[b] != nullptr && stopping.count(slots_[b]->request)) free_slot(b);
  for (std::size_t id : ids) requests_.erase(id);
  settle();
  return ended;
}

void ContinuousBatch::settle() {
  const auto slots = static_cast<std::int64_t>(slots_.size());
  if (live_ == 0) {
    slots_.clear();
    cache_ = KeyValueCache{};
    key_mask_ = next_position_ = logits_ = torch::Tensor();
  } else if (2 * (slots - live_) >= slots || cache_.length == cache_.capacity) {
    rebuild(/*added=*/nullptr);
  }
}

EndedRequests ContinuousBatch::step() {
  const std::vector<std::int64_t> live = live_slots();
  std::vector<Row*> rows;
  for (std::int64_t b : live) rows.push_back(slots_[static_cast<std::size_t>(b)]);
  const bool gaps = live.size() != slots_.size();
  const auto logits = gaps ? logits_.index_select(0, index_tensor(live)) : logits_;
  const std::vector<std::int64_t> chosen = sampling::choose_tokens(
      sampling::apply_logit_bias(logits, rows), rows, vocabulary_.sampled_ids);
  const auto logprobs = torch::log_softmax(logits.to(torch::kFloat32), -1);
  const bool want_alternatives =
      std::any_of(rows.begin(), rows.end(), [](const Row* row) { return row->top_logprobs > 0; });
  // The whole [rows, V] table leaves the device only when a row asks for alternatives.
  std::vector<std::vector<TokenAlternative>> alternatives(rows.size());
  if (want_alternatives) {
    alternatives =
        sampling::likeliest_tokens(logprobs.to(torch::kCPU), rows, vocabulary_.sampled_ids);
  }
  const auto chosen_logprobs =
      logprobs.gather(1, index_tensor(chosen).view({-1, 1})).view({-1}).to(torch::kCPU);
  const auto chosen_logprob = chosen_logprobs.accessor<float, 1>();
  std::vector<std::size_t> done;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    Row& row = *rows[k];
    sampling::accept_token(row, chosen[k], chosen_logprob[static_cast<std::int64_t>(k)],
                           std::move(alternatives[k]), vocabulary_, listener_);
    if (!row.finished) continue;
    free_slot(static_cast<std::size_t>(live[k]));
    if (--requests_.at(row.request)->unfinished == 0) done.push_back(row.request);
  }
  EndedRequests ended;
  for (std::size_t id : done) ended.emplace_back(id, outcome_of(*requests_.at(id), false));
  for (std::size_t id : done) requests_.erase(id);
  settle();
  if (live_ == 0) return ended;

  // Every slot is fed: a live row its new token, a free slot padding it ignores. A free slot's
  // position stays put, so it never runs past the model's table.
  const auto batch = static_cast<std::int64_t>(slots_.size());
  const std::int64_t length = cache_.length;
  std::vector<std::int64_t> feed(slots_.size(), vocabulary_.pad_token_id), alive(slots_.size(), 0);
  for (std::size_t b = 0; b < slots_.size(); ++b) {
    if (slots_[b] == nullptr) continue;
    feed[b] = slots_[b]->tokens.back();
    alive[b] = 1;
  }
  const torch::Device device = decoder_.device();
  const auto next = torch::tensor(feed, torch::kLong).view({batch, 1}).to(device);
  const auto alive_column = torch::tensor(alive, torch::kLong).view({batch, 1}).to(device);
  key_mask_.narrow(1, length, 1).copy_(alive_column);
  const auto hidden =
      decoder_.forward(next, next_position_, key_mask_.narrow(1, 0, length + 1), &cache_);
  logits_ = decoder_.logits(hidden.squeeze(1));
  next_position_ = next_position_ + alive_column;
  return ended;
}

// Where the batch's loop gets its rows and where their outcomes go.
class RowSource {
 public:
  virtual ~RowSource() = default;
  // Requests to admit now, given how many samples are running. `offered` is set when
  // anything was handed over, admitted or not; nothing offered and nothing running ends
  // the loop.
  virtual std::vector<AdmittedRequest> take(std::int64_t running_samples, bool& offered) = 0;
  virtual bool cancelled(std::size_t id) = 0;
  virtual void finished(std::size_t id, RequestOutcome outcome) = 0;
};

void run_batch(const Decoder& decoder, RowSource& source, const SamplingVocabulary& vocabulary,
               GenerationListener* listener) {
  torch::NoGradGuard no_grad;
  ContinuousBatch batch(decoder, vocabulary, listener);
  while (true) {
    std::vector<std::size_t> stopping;
    for (std::size_t id : batch.running_requests())
      if (source.cancelled(id)) stopping.push_back(id);
    if (!stopping.empty()) {
      for (auto& [id, outcome] : batch.cancel(stopping)) source.finished(id, std::move(outcome));
    }
    bool offered = false;
    batch.admit(source.take(batch.running_samples(), offered));
    if (batch.empty()) {
      if (!offered) return;
      continue;
    }
    for (auto& [id, outcome] : batch.step()) source.finished(id, std::move(outcome));
  }
}

// A RequestGenerator's feed: text prompts with options of their own, each checked before
// admission, so a request that cannot run fails alone.
class RequestFeedSource final : public RowSource {
 public:
  RequestFeedSource(const Decoder& decoder, RequestFeed& feed, const SamplingVocabulary& vocabulary)
      : decoder_(decoder), feed_(feed), vocabulary_(vocabulary) {}

  std::vector<AdmittedRequest> take(std::int64_t running_samples, bool& offered) override {
    std::vector<GenerationRequest> incoming = feed_.take(running_samples);
    offered = !incoming.empty();
    std::vector<AdmittedRequest> admitted;
    for (GenerationRequest& request : incoming) {
      const std::size_t id = next_id_++;
      try {
        admitted.push_back(admit(id, request));
      } catch (const Error& error) {
        RequestOutcome outcome;
        outcome.error = error.what();
        feed_.finished(id, std::move(outcome));
      }
    }
    return admitted;
  }
  bool cancelled(std::size_t id) override { return feed_.cancelled(id); }
  void finished(std::size_t id, RequestOutcome outcome) override {
    feed_.finished(id, std::move(outcome));
  }

 private:
  AdmittedRequest admit(std::size_t id, GenerationRequest& request) const {
    const std::int64_t max_positions = decoder_.config().context_length();
    sampling::check_options(request.options, "");
    sampling::check_logit_bias(request.logit_bias, decoder_.config().vocab_size);
    if (request.top_logprobs < 0 || request.top_logprobs > sampling::kMaxTopLogprobs) {
      throw Error("top_logprobs must be between 0 and " +
                  std::to_string(sampling::kMaxTopLogprobs) + ", not " +
                  std::to_string(request.top_logprobs));
    }
    std::vector<std::int64_t> prompt = vocabulary_.encode(request.prompt);
    if (prompt.empty()) throw Error("the prompt has no tokens");
    const auto prompt_length = static_cast<std::int64_t>(prompt.size());
    // Up to the room left, but at least one token: a full prompt still fails below.
    if (request.fit_to_context && prompt_length < max_positions) {
      request.options.max_new_tokens =
          std::min(request.options.max_new_tokens, max_positions - prompt_length);
    }
    sampling::check_fits(prompt_length, request.options.max_new_tokens, decoder_.config());
    return {id,
            /*seed_prompt=*/0,
            std::move(request.options),
            std::move(request.logit_bias),
            request.top_logprobs,
            std::move(prompt)};
  }

  const Decoder& decoder_;
  RequestFeed& feed_;
  const SamplingVocabulary& vocabulary_;
  std::size_t next_id_ = 0;
};

// TextGenerator::generate's prompts (already checked) for one lane, in the order given
// (shortest first), admitted while their samples fit in `room` running rows (a prompt at a
// time when nothing runs). Each prompt's samples go to its slot of `results`; lanes hold
// disjoint prompts, so they write disjoint slots.
class PromptListSource final : public RowSource {
 public:
  PromptListSource(const std::vector<std::vector<std::int64_t>>& prompts,
                   std::vector<std::size_t> order, const GenerationOptions& options,
                   std::int64_t room, std::vector<std::vector<Generation>>& results)
      : prompts_(prompts),
        options_(options),
        room_(std::max<std::int64_t>(1, room)),
        order_(std::move(order)),
        results_(results) {}

  std::vector<AdmittedRequest> take(std::int64_t running_samples, bool& offered) override {
    std::vector<AdmittedRequest> admitted;
    while (next_ < order_.size() &&
           (running_samples == 0 || running_samples + options_.samples_per_prompt <= room_)) {
      const std::size_t p = order_[next_++];
      admitted.push_back({p, /*seed_prompt=*/p, options_, {}, 0, prompts_[p]});
      running_samples += options_.samples_per_prompt;
    }
    offered = !admitted.empty();
    return admitted;
  }
  bool cancelled(std::size_t /*id*/) override { return false; }
  void finished(std::size_t id, RequestOutcome outcome) override {
    results_.at(id) = std::move(outcome.generations);
  }

 private:
  const std::vector<std::vector<std::int64_t>>& prompts_;
  const GenerationOptions& options_;
  std::int64_t room_;
  std::vector<std::size_t> order_;  // prompt indices
  std::size_t next_ = 0;
  std::vector<std::vector<Generation>>& results_;
};

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

std::vector<std::vector<Generation>> sample_continuations(
    const Decoder& decoder, const std::vector<std::vector<std::int64_t>>& prompts,
    const GenerationOptions& options, const SamplingVocabulary& vocabulary) {
  sampling::check_options(options, "");
  for (std::size_t p = 0; p < prompts.size(); ++p) {
    if (prompts[p].empty()) throw Error("prompt " + std::to_string(p) + " has no tokens");
    sampling::check_fits(static_cast<std::int64_t>(prompts[p].size()), options.max_new_tokens,
                         decoder.config());
  }
  // On the CPU, the prompts (shortest first) are dealt to the lanes in turn, each lane
  // decoding its share of batch_size rows. A row's draws depend on its prompt's index only.
  const std::size_t lanes =
      decoder.device().is_cpu() ? sampling::lane_count(options.batch_size, prompts.size()) : 1;
  std::vector<std::size_t> by_length(prompts.size());
  for (std::size_t p = 0; p < prompts.size(); ++p) by_length[p] = p;
  std::stable_sort(by_length.begin(), by_length.end(), [&](std::size_t a, std::size_t b) {
    return prompts[a].size() < prompts[b].size();
  });
  std::vector<std::vector<Generation>> results(prompts.size());
  std::vector<PromptListSource> sources;
  sources.reserve(lanes);
  for (std::size_t lane = 0; lane < lanes; ++lane) {
    std::vector<std::size_t> mine;
    for (std::size_t i = lane; i < by_length.size(); i += lanes) mine.push_back(by_length[i]);
    const auto share = static_cast<std::int64_t>(lanes);
    const std::int64_t room = (options.batch_size + share - 1 - static_cast<std::int64_t>(lane)) /
                              share;  // the lanes' rooms add up to batch_size
    sources.emplace_back(prompts, std::move(mine), options, room, results);
  }
  run_side_by_side(lanes, [&](std::size_t lane) {
    run_batch(decoder, sources[lane], vocabulary, /*listener=*/nullptr);
  });
  return results;
}

void sample_continuously(const Decoder& decoder, RequestFeed& feed,
                         const SamplingVocabulary& vocabulary, GenerationListener* listener) {
  RequestFeedSource source(decoder, feed, vocabulary);
  run_batch(decoder, source, vocabulary, listener);
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
