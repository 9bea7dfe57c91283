// The request parameters every API-calling node shares (concurrency, timeout, retries and
// backoff), as a settings group a node embeds in its SettingsSchema.
#pragma once

#include <cstdint>

#include "paddock/api_client/http_client.hpp"
#include "paddock/settings_schema.hpp"

namespace paddock::api_client {

struct RequestSettings {
  std::int64_t concurrency = 8;
  double timeout_seconds = 60.0;
  std::int64_t max_retries = 5;
  double backoff_initial_seconds = 1.0;
  double backoff_max_seconds = 60.0;

  // The retry policy these give (the other fields keep RetryPolicy's defaults).
  RetryPolicy retry_policy() const;
};

SettingsSchema<RequestSettings> request_schema();

}  // namespace paddock::api_client
