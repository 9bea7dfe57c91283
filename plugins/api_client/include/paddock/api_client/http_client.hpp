// Concurrent HTTP POSTs with libcurl's multi interface: up to `concurrency` requests in
// flight on one thread, a per-attempt timeout, and retries with exponential backoff and
// seeded jitter on 429, 408, 5xx, timeouts, dropped connections and malformed bodies,
// honouring Retry-After up to the backoff cap. Budget and cancellation checks run before
// every attempt. The server is not trusted: a Retry-After beyond backoff_max_seconds waits
// only that long, and a response body over max_response_bytes is cut off and fails.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace paddock::api_client {

struct HttpRequest {
  std::string url;
  std::string body;                  // JSON
  std::vector<std::string> headers;  // "Name: value"
};

struct RetryPolicy {
  int max_retries = 5;                   // attempts after the first
  double timeout_seconds = 60.0;         // per attempt, connection included
  double backoff_initial_seconds = 1.0;  // delay before the first retry, before jitter
  double backoff_max_seconds = 60.0;     // cap of every delay, a server's Retry-After included
  // A longer response body (after decompression) fails the request without a retry.
  std::size_t max_response_bytes = 32u << 20;
};

// The delay before retry number `retry` (1-based): min(max, initial * 2^(retry-1)) scaled by
// a jitter factor in [0.5, 1), raised to Retry-After when the server sent one, but never past
// backoff_max_seconds.
double backoff_seconds(const RetryPolicy& policy, int retry, double jitter01,
                       std::optional<double> retry_after);

enum class HttpOutcome {
  ok,         // a 2xx response whose body the caller accepted
  failed,     // a final error (non-retryable status, or retries exhausted)
  skipped,    // never sent, or not retried, because the budget said stop
  cancelled,  // stopped by the cancellation check
};

struct HttpResult {
  HttpOutcome outcome = HttpOutcome::failed;
  long status = 0;    // the last HTTP status, 0 when none was received
  std::string body;   // the last response body
  std::string error;  // what went wrong, for the log (the caller redacts secrets)
  int attempts = 0;
};

struct HttpCallbacks {
  // Before every attempt: false stops sending (this and every later request is skipped).
  std::function<bool()> may_send;
  // After every attempt is sent (for request accounting).
  std::function<void()> on_attempt;
  // For a 2xx body: false makes it a retryable "malformed response".
  std::function<bool(const std::string& body)> accept_body;
  // Once per request, with its final result; called on the caller's thread.
  std::function<void(std::size_t index, HttpResult result)> on_finished;
  // Polled in the loop: true aborts the transfers in flight.
  std::function<bool()> cancelled;
  // A retry is scheduled (message says why and after how long).
  std::function<void(const std::string& message)> on_retry;
};

// Runs every request; returns when all have finished. Never throws for HTTP problems.
void run_http_requests(const std::vector<HttpRequest>& requests, int concurrency,
                       const RetryPolicy& policy, std::uint64_t jitter_seed,
                       const HttpCallbacks& callbacks);

}  // namespace paddock::api_client
