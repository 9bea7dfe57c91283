// The shared request parameters of API-calling nodes.
#include "paddock/api_client/request_settings.hpp"

namespace paddock::api_client {

RetryPolicy RequestSettings::retry_policy() const {
  RetryPolicy policy;
  policy.max_retries = static_cast<int>(max_retries);
  policy.timeout_seconds = timeout_seconds;
  policy.backoff_initial_seconds = backoff_initial_seconds;
  policy.backoff_max_seconds = backoff_max_seconds;
  return policy;
}

SettingsSchema<RequestSettings> request_schema() {
  using S = RequestSettings;
  SettingsSchema<S> schema;
  schema.integer("concurrency", &S::concurrency, "requests in flight", 1.0, 256.0)
      .number("timeout_seconds", &S::timeout_seconds, "per-request timeout", /*minimum=*/0.001)
      .integer("max_retries", &S::max_retries,
               "retries on 429, 408, 5xx, timeouts and malformed bodies", 0.0, 100.0)
      .number("backoff_initial_seconds", &S::backoff_initial_seconds,
              "first retry delay before jitter", /*minimum=*/0.0)
      .number("backoff_max_seconds", &S::backoff_max_seconds, "cap of the exponential retry delay",
              /*minimum=*/0.0);
  return schema;
}

}  // namespace paddock::api_client
