// The API judge's annotate(): cache lookup, batching, concurrent requests, parsing, and the
// durable cache append; and the pool that holds several judges.
#include "api_llm_annotator.hpp"

#include <chrono>
#include <cstdlib>
#include <random>
#include <unordered_map>

#include <spdlog/fmt/fmt.h>

#include "paddock/error.hpp"
#include "paddock/random.hpp"
#include "paddock/seed.hpp"
#include "pair_key.hpp"

namespace paddock::annotators {
namespace {

struct Batch {
  bool with_input = false;
  std::vector<std::size_t> rows;  // representative rows of distinct pairs, in order
};

std::string shorten(const std::string& text, std::size_t limit = 200) {
  return text.size() <= limit ? text : text.substr(0, limit) + "...";
}

}  // namespace

PreferencePair dummy_pair(bool with_input) {
  PreferencePair pair;
  pair.instruction = "Name the colour of a clear daytime sky.";
  pair.input = with_input ? "Answer in one word." : "";
  pair.output_1 = "Blue.";
  pair.output_2 = "The sky at noon is usually green.";
  return pair;
}

ApiLlmAnnotator::ApiLlmAnnotator(ApiJudgeConfig config, std::shared_ptr<ApiJudgeRuntime> runtime)
    : config_(std::move(config)), identity_(config_.identity()), runtime_(std::move(runtime)) {
  if (!runtime_ || !runtime_->cache || !runtime_->ledger) {
    throw Error("api_llm: judge '" + config_.name + "' needs a cache and a ledger");
  }
}

std::string ApiLlmAnnotator::cache_key(const PreferencePair& pair) const {
  return stable_hash_hex(pair_key(pair) + '\x1f' + identity_);
}

std::string ApiLlmAnnotator::without_secrets(std::string text, const std::string& key) const {
  return redact(redact(std::move(text), key), api_client::url_userinfo(config_.base_url));
}

std::string ApiLlmAnnotator::endpoint_url() const {
  std::string url = config_.base_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url + (config_.endpoint == "chat" ? "/chat/completions" : "/completions");
}

const std::string& ApiLlmAnnotator::api_key() {
  std::call_once(key_once_, [this] {
    api_key_ =
        api_client::read_api_key(config_.api_key_env, "api_llm judge '" + config_.name + "'");
  });
  return api_key_;
}

std::string ApiLlmAnnotator::request_body(std::span<const PreferencePair> batch,
                                          bool with_input) const {
  const PromptTemplate& prompt_template =
      with_input ? config_.template_with_input : config_.template_without_input;
  const RenderedPrompt prompt = prompt_template.render(batch);
  nlohmann::ordered_json body = {{"model", config_.model}};
  if (config_.endpoint == "chat") {
    body["messages"] = nlohmann::ordered_json::array();
    if (!prompt.system.empty()) {
      body["messages"].push_back({{"role", "system"}, {"content", prompt.system}});
    }
    body["messages"].push_back({{"role", "user"}, {"content", prompt.user}});
  } else {
    body["prompt"] = prompt.as_single_text();
  }
  body["temperature"] = config_.temperature;
  body["max_tokens"] = config_.max_tokens;
  body["n"] = 1;
  if (!config_.logit_bias.empty()) body["logit_bias"] = config_.logit_bias;
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<std::string> ApiLlmAnnotator::completion_text(const std::string& body) const {
  const auto document = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object()) return std::nullopt;
  const auto choices = document.find("choices");
  if (choices == document.end() || !choices->is_array() || choices->empty()) return std::nullopt;
  const nlohmann::json& choice = choices->front();
  if (!choice.is_object()) return std::nullopt;
  if (config_.endpoint == "chat") {
    const auto message = choice.find("message");
    if (message == choice.end() || !message->is_object()) return std::nullopt;
    const auto content = message->find("content");
    if (content == message->end() || !content->is_string()) return std::nullopt;
    return content->get<std::string>();
  }
  const auto text = choice.find("text");
  if (text == choice.end() || !text->is_string()) return std::nullopt;
  return text->get<std::string>();
}

std::vector<Annotation> ApiLlmAnnotator::annotate(std::span<const PreferencePair> pairs) {
  std::vector<Annotation> results(pairs.size());
  std::vector<std::size_t> representative(pairs.size());
  std::vector<std::string> keys(pairs.size());
  std::unordered_map<std::string, std::size_t> first_miss;
  std::vector<std::size_t> with_input_rows, without_input_rows;
  std::int64_t hits = 0;

  for (std::size_t row = 0; row < pairs.size(); ++row) {
    representative[row] = row;
    results[row].annotator = config_.name;
    keys[row] = cache_key(pairs[row]);
    if (const auto cached = runtime_->cache->find(keys[row]);
        cached && (cached->preference || !runtime_->retry_unannotated)) {
      results[row].preference = cached->preference;
      results[row].raw = cached->raw;
      ++hits;
      continue;
    }
    const auto [where, inserted] = first_miss.emplace(keys[row], row);
    representative[row] = where->second;
    if (!inserted) continue;
    (pairs[row].input.empty() ? without_input_rows : with_input_rows).push_back(row);
  }
  runtime_->ledger->record_cache_hits(hits);
  if (first_miss.empty()) return results;

  const auto batch_size = static_cast<std::size_t>(config_.batch_size);
  std::vector<Batch> batches;
  for (const bool with_input : {false, true}) {
    const auto& rows = with_input ? with_input_rows : without_input_rows;
    for (std::size_t start = 0; start < rows.size(); start += batch_size) {
      Batch batch;
      batch.with_input = with_input;
      batch.rows.assign(
          rows.begin() + static_cast<std::ptrdiff_t>(start),
          rows.begin() + static_cast<std::ptrdiff_t>(std::min(rows.size(), start + batch_size)));
      batches.push_back(std::move(batch));
    }
  }

  const std::string& key = api_key();
  std::vector<HttpRequest> requests;
  requests.reserve(batches.size());
  for (const Batch& batch : batches) {
    std::vector<PreferencePair> shown;
    for (std::size_t row : batch.rows) shown.push_back(pairs[row]);
    while (shown.size() < batch_size) shown.push_back(dummy_pair(batch.with_input));
    HttpRequest request;
    request.url = endpoint_url();
    request.body = request_body(shown, batch.with_input);
    if (!key.empty()) request.headers.push_back("Authorization: Bearer " + key);
    requests.push_back(std::move(request));
  }

  UsageLedger& ledger = *runtime_->ledger;
  spdlog::logger* log = runtime_->log.get();
  std::int64_t not_sent = 0;
  HttpCallbacks callbacks;
  callbacks.may_send = [&ledger] { return ledger.may_send(); };
  callbacks.on_attempt = [&ledger] { ledger.record_attempt(); };
  callbacks.accept_body = [this](const std::string& body) {
    return completion_text(body).has_value();
  };
  callbacks.on_retry = [&, log](const std::string& message) {
    ledger.record_retry();
    if (log) log->warn("judge {}: {}", config_.name, without_secrets(message, key));
  };
  callbacks.cancelled = [this] {
    std::lock_guard lock(runtime_->cancel_mutex);
    return runtime_->cancel_check && runtime_->cancel_check();
  };
  callbacks.on_finished = [&, log](std::size_t index, HttpResult result) {
    const Batch& batch = batches[index];
    if (result.outcome != HttpOutcome::ok) {
      std::string reason;
      if (result.outcome == HttpOutcome::failed) {
        ledger.record_failed_request();
        ledger.record_pairs_failed(static_cast<std::int64_t>(batch.rows.size()));
        reason = without_secrets(
            result.error + (result.body.empty() ? "" : ": " + shorten(result.body)), key);
        if (log) {
          log->warn("judge {}: request for {} pairs failed: {}", config_.name, batch.rows.size(),
                    reason);
        }
      } else {
        reason = result.error;
        if (result.outcome == HttpOutcome::cancelled) ledger.record_cancelled();
        if (result.outcome == HttpOutcome::skipped)
          not_sent += static_cast<std::int64_t>(batch.rows.size());
      }
      for (std::size_t row : batch.rows) results[row].raw = reason;
      return;
    }
    const auto document = nlohmann::json::parse(result.body, nullptr, false);
    std::int64_t prompt_tokens = 0, completion_tokens = 0;
    if (document.is_object() && document.contains("usage") && document["usage"].is_object()) {
      prompt_tokens = document["usage"].value("prompt_tokens", std::int64_t{0});
      completion_tokens = document["usage"].value("completion_tokens", std::int64_t{0});
    }
    ledger.record_response(prompt_tokens, completion_tokens, config_.prices);
    const std::string text = completion_text(result.body).value_or("");
    const std::vector<int> labels = find_labels(text, config_.compiled_patterns, batch_size);
    const bool parsed = labels.size() == batch_size;
    if (!parsed && log) {
      if (text.size() > kMaxLabelledTextBytes) {
        log->warn(
            "judge {}: an answer of {} bytes is longer than the {} the label parser reads; "
            "{} pairs left unannotated",
            config_.name, text.size(), kMaxLabelledTextBytes, batch.rows.size());
      } else {
        log->warn("judge {}: expected {} labels, found {}{}; {} pairs left unannotated",
                  config_.name, batch_size, labels.size(),
                  labels.size() > batch_size ? " or more" : "", batch.rows.size());
      }
    }
    std::vector<std::pair<std::string, CachedAnnotation>> entries;
    for (std::size_t k = 0; k < batch.rows.size(); ++k) {
      const std::size_t row = batch.rows[k];
      results[row].raw = text;
      if (parsed) results[row].preference = labels[k];
      entries.push_back({keys[row], {results[row].preference, config_.name, text}});
    }
    runtime_->cache->append(entries);
    ledger.record_annotations(parsed ? static_cast<std::int64_t>(batch.rows.size()) : 0,
                              parsed ? 0 : static_cast<std::int64_t>(batch.rows.size()));
  };

  const auto started = std::chrono::steady_clock::now();
  const std::uint64_t jitter_seed =
      derive_seed(runtime_->seed, "api_llm/jitter/" + std::to_string(runtime_->calls++));
  try {
    run_http_requests(requests, runtime_->concurrency, runtime_->retry, jitter_seed, callbacks);
  } catch (const Error& error) {
    throw Error(without_secrets(error.what(), key));
  }
  ledger.add_seconds(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  if (not_sent > 0) {
    ledger.record_pairs_not_sent(not_sent);
    if (log) {
      log->warn("judge {}: budget reached; {} pairs left unannotated ({})", config_.name, not_sent,
                ledger.usage().stop_note);
    }
  }

  for (std::size_t row = 0; row < pairs.size(); ++row) {
    if (representative[row] != row) results[row] = results[representative[row]];
  }
  return results;
}

AnnotatorUsage ApiLlmAnnotator::usage() const {
  return runtime_->ledger->usage();
}

void ApiLlmAnnotator::set_cancel_check(std::function<bool()> check) {
  std::lock_guard lock(runtime_->cancel_mutex);
  runtime_->cancel_check = std::move(check);
}

ApiJudgePool::ApiJudgePool(std::string name, std::vector<std::shared_ptr<ApiLlmAnnotator>> judges,
                           std::shared_ptr<ApiJudgeRuntime> runtime, std::uint64_t choice_seed)
    : name_(std::move(name)),
      judges_(std::move(judges)),
      runtime_(std::move(runtime)),
      choice_seed_(choice_seed) {
  if (judges_.empty()) throw Error("api_llm pool '" + name_ + "' has no judges");
}

std::vector<Annotation> ApiJudgePool::annotate(std::span<const PreferencePair> pairs) {
  std::vector<std::vector<std::size_t>> rows_of(judges_.size());
  for (std::size_t row = 0; row < pairs.size(); ++row) {
    std::mt19937_64 rng(derive_seed(choice_seed_, pairs[row].instruction));
    rows_of[uniform_below(rng, judges_.size())].push_back(row);
  }
  std::vector<Annotation> results(pairs.size());
  for (std::size_t judge = 0; judge < judges_.size(); ++judge) {
    if (rows_of[judge].empty()) continue;
    std::vector<PreferencePair> subset;
    for (std::size_t row : rows_of[judge]) subset.push_back(pairs[row]);
    std::vector<Annotation> answers = judges_[judge]->annotate(subset);
    for (std::size_t k = 0; k < answers.size(); ++k)
      results[rows_of[judge][k]] = std::move(answers[k]);
  }
  return results;
}

std::vector<std::shared_ptr<Annotator>> ApiJudgePool::members() const {
  return {judges_.begin(), judges_.end()};
}

AnnotatorUsage ApiJudgePool::usage() const {
  return runtime_->ledger->usage();
}

void ApiJudgePool::set_cancel_check(std::function<bool()> check) {
  std::lock_guard lock(runtime_->cancel_mutex);
  runtime_->cancel_check = std::move(check);
}

}  // namespace paddock::annotators
