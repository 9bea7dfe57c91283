// What API judges spend: requests, tokens and dollars, the budget that caps them, and the
// time and cost per 1000 annotations. One ledger is shared by every judge an api_llm node
// makes, so a pool's budget is one budget.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "paddock/annotator_usage.hpp"

namespace paddock::annotators {

// Dollars per 1000 tokens.
struct TokenPrices {
  double prompt_per_1k = 0.0;
  double completion_per_1k = 0.0;
  bool known = false;
};

// Reads {prompt = P, completion = C}, or a table keyed by model name holding such tables.
// An empty table gives unknown prices (cost reported as 0 and flagged).
TokenPrices prices_for_model(const nlohmann::json& table, const std::string& model);

// Zero means no cap.
struct Budget {
  std::int64_t max_requests = 0;  // HTTP attempts, retries included
  std::int64_t max_tokens = 0;    // prompt + completion tokens
  double max_dollars = 0.0;
};

class UsageLedger {
 public:
  explicit UsageLedger(Budget budget = {}) : budget_(budget) {}

  // False once a cap is reached; the reason is kept for the report.
  bool may_send();
  void record_attempt();
  void record_retry();
  void record_response(std::int64_t prompt_tokens, std::int64_t completion_tokens,
                       const TokenPrices& prices);
  void record_failed_request();
  // Pairs whose request failed for good (after its retries): they got no answer.
  void record_pairs_failed(std::int64_t pairs);
  void record_annotations(std::int64_t annotated, std::int64_t unparsed);
  void record_cache_hits(std::int64_t hits);
  void record_pairs_not_sent(std::int64_t pairs);
  void add_seconds(double seconds);
  void record_cancelled();

  bool budget_reached() const;
  std::int64_t requests() const;
  double dollars() const;
  // The SDK's usage: annotations (parsed answers from the API; cache hits cost nothing and
  // are not counted), requests, tokens, dollars, seconds (wall time in requests), budget
  // and cancellation flags; details: retries, failed_requests, pairs_failed, unparsed_pairs,
  // pairs_not_sent, cache_hits.
  AnnotatorUsage usage() const;

 private:
  Budget budget_;
  mutable std::mutex mutex_;
  std::int64_t requests_ = 0, retries_ = 0, failed_requests_ = 0;
  std::int64_t prompt_tokens_ = 0, completion_tokens_ = 0;
  double dollars_ = 0.0;
  bool prices_unknown_ = false;
  std::int64_t annotations_ = 0, unparsed_ = 0, cache_hits_ = 0, not_sent_ = 0, pairs_failed_ = 0;
  double seconds_ = 0.0;
  bool budget_reached_ = false;
  bool cancelled_ = false;
  std::string budget_note_;
};

}  // namespace paddock::annotators
