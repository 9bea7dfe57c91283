// The usage ledger and price lookup.
#include "api_usage.hpp"

#include <spdlog/fmt/fmt.h>

#include "paddock/error.hpp"

namespace paddock::annotators {

TokenPrices prices_for_model(const nlohmann::json& table, const std::string& model) {
  TokenPrices prices;
  if (!table.is_object() || table.empty()) return prices;
  const nlohmann::json* entry = &table;
  if (!table.contains("prompt") && !table.contains("completion")) {
    const auto found = table.find(model);
    if (found == table.end()) return prices;
    entry = &*found;
  }
  try {
    prices.prompt_per_1k = entry->value("prompt", 0.0);
    prices.completion_per_1k = entry->value("completion", 0.0);
  } catch (const nlohmann::json::exception&) {
    throw Error("prices for model '" + model +
                "' must be numbers: {prompt = DOLLARS_PER_1K, completion = DOLLARS_PER_1K}");
  }
  prices.known = true;
  return prices;
}

bool UsageLedger::may_send() {
  std::lock_guard lock(mutex_);
  if (budget_reached_) return false;
  if (budget_.max_requests > 0 && requests_ >= budget_.max_requests) {
    budget_note_ = fmt::format("request budget reached ({} requests)", budget_.max_requests);
  } else if (budget_.max_tokens > 0 && prompt_tokens_ + completion_tokens_ >= budget_.max_tokens) {
    budget_note_ = fmt::format("token budget reached ({} tokens)", budget_.max_tokens);
  } else if (budget_.max_dollars > 0 && dollars_ >= budget_.max_dollars) {
    budget_note_ = fmt::format("dollar budget reached (${:.2f})", budget_.max_dollars);
  } else {
    return true;
  }
  budget_reached_ = true;
  return false;
}

void UsageLedger::record_attempt() {
  std::lock_guard lock(mutex_);
  ++requests_;
}

void UsageLedger::record_retry() {
  std::lock_guard lock(mutex_);
  ++retries_;
}

void UsageLedger::record_response(std::int64_t prompt_tokens, std::int64_t completion_tokens,
                                  const TokenPrices& prices) {
  std::lock_guard lock(mutex_);
  prompt_tokens_ += prompt_tokens;
  completion_tokens_ += completion_tokens;
  dollars_ += (static_cast<double>(prompt_tokens) * prices.prompt_per_1k +
               static_cast<double>(completion_tokens) * prices.completion_per_1k) /
              1000.0;
  if (!prices.known) prices_unknown_ = true;
}

void UsageLedger::record_failed_request() {
  std::lock_guard lock(mutex_);
  ++failed_requests_;
}

void UsageLedger::record_pairs_failed(std::int64_t pairs) {
  std::lock_guard lock(mutex_);
  pairs_failed_ += pairs;
}

void UsageLedger::record_annotations(std::int64_t annotated, std::int64_t unparsed) {
  std::lock_guard lock(mutex_);
  annotations_ += annotated;
  unparsed_ += unparsed;
}

void UsageLedger::record_cache_hits(std::int64_t hits) {
  std::lock_guard lock(mutex_);
  cache_hits_ += hits;
}

void UsageLedger::record_pairs_not_sent(std::int64_t pairs) {
  std::lock_guard lock(mutex_);
  not_sent_ += pairs;
}

void UsageLedger::add_seconds(double seconds) {
  std::lock_guard lock(mutex_);
  seconds_ += seconds;
}

bool UsageLedger::budget_reached() const {
  std::lock_guard lock(mutex_);
  return budget_reached_;
}

std::int64_t UsageLedger::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

double UsageLedger::dollars() const {
  std::lock_guard lock(mutex_);
  return dollars_;
}

void UsageLedger::record_cancelled() {
  std::lock_guard lock(mutex_);
  cancelled_ = true;
}

AnnotatorUsage UsageLedger::usage() const {
  std::lock_guard lock(mutex_);
  AnnotatorUsage usage;
  usage.annotations = annotations_;
  usage.requests = requests_;
  usage.prompt_tokens = prompt_tokens_;
  usage.completion_tokens = completion_tokens_;
  usage.dollars = dollars_;
  usage.dollars_known = !prices_unknown_;
  usage.seconds = seconds_;
  usage.stopped_by_budget = budget_reached_;
  usage.stopped_by_cancellation = cancelled_;
  if (budget_reached_) usage.stop_note = budget_note_;
  usage.details = {
      {"retries", retries_},
      {"failed_requests", failed_requests_},
      {std::string(kPairsFailedDetail), pairs_failed_},
      {"unparsed_pairs", unparsed_},
      {std::string(kPairsNotSentDetail), not_sent_},
      {"cache_hits", cache_hits_},
  };
  return usage;
}

}  // namespace paddock::annotators
