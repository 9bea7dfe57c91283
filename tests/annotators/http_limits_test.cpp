// The HTTP client does not trust the server (a scripted server on 127.0.0.1): a huge
// Retry-After waits no longer than the backoff cap, and a body over max_response_bytes fails
// the request, unretried, with an error that names the limit.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "loopback_server.hpp"
#include "paddock/api_client/http_client.hpp"

namespace paddock::api_client {
namespace {

using annotators::testing::LoopbackServer;
using annotators::testing::ReceivedRequest;
using annotators::testing::ScriptedResponse;

struct Outcome {
  std::vector<HttpResult> results;
  std::vector<std::string> retries;
};

Outcome post_once(const LoopbackServer& server, const RetryPolicy& policy) {
  ::setenv("no_proxy", "127.0.0.1,localhost", 1);
  ::setenv("NO_PROXY", "127.0.0.1,localhost", 1);
  Outcome outcome;
  outcome.results.resize(1);
  HttpCallbacks callbacks;
  callbacks.on_finished = [&outcome](std::size_t index, HttpResult result) {
    outcome.results[index] = std::move(result);
  };
  callbacks.on_retry = [&outcome](const std::string& message) {
    outcome.retries.push_back(message);
  };
  const std::vector<HttpRequest> requests = {{server.base_url() + "/chat/completions", "{}", {}}};
  run_http_requests(requests, /*concurrency=*/1, policy, /*jitter_seed=*/3, callbacks);
  return outcome;
}

RetryPolicy quick_policy() {
  RetryPolicy policy;
  policy.max_retries = 2;
  policy.timeout_seconds = 10.0;
  policy.backoff_initial_seconds = 0.01;
  policy.backoff_max_seconds = 0.05;
  return policy;
}

// Obeyed, `Retry-After: 100000` stalled a run for 27.8 hours.
TEST(HttpLimits, AHugeRetryAfterWaitsOnlyTheBackoffCap) {
  LoopbackServer server([](std::size_t n, const ReceivedRequest&) -> ScriptedResponse {
    if (n == 0) return {429, R"({"error":"come back tomorrow"})", {{"Retry-After", "100000"}}};
    return {200, R"({"ok": true})"};
  });
  const Outcome outcome = post_once(server, quick_policy());
  EXPECT_EQ(outcome.results[0].outcome, HttpOutcome::ok) << outcome.results[0].error;
  EXPECT_EQ(server.requests(), 2u);
  ASSERT_EQ(outcome.retries.size(), 1u);
  EXPECT_NE(outcome.retries[0].find("Retry-After of 100000 s, capped by backoff_max_seconds"),
            std::string::npos)
      << outcome.retries[0];
}

TEST(HttpLimits, AnOversizedBodyFailsWithoutRetryAndIsNotKept) {
  LoopbackServer server([](std::size_t, const ReceivedRequest&) -> ScriptedResponse {
    return {200, std::string(1 << 20, 'x')};
  });
  RetryPolicy policy = quick_policy();
  policy.max_response_bytes = 64 * 1024;
  const Outcome outcome = post_once(server, policy);
  const HttpResult& result = outcome.results[0];
  EXPECT_EQ(result.outcome, HttpOutcome::failed);
  EXPECT_EQ(result.attempts, 1);
  EXPECT_TRUE(result.body.empty());
  EXPECT_NE(result.error.find("larger than 65536 bytes"), std::string::npos) << result.error;
  EXPECT_NE(result.error.find("max_response_bytes"), std::string::npos) << result.error;
  EXPECT_EQ(server.requests(), 1u);
  EXPECT_TRUE(outcome.retries.empty());
}

// A body exactly at the limit is still read.
TEST(HttpLimits, ABodyAtTheLimitIsRead) {
  LoopbackServer server([](std::size_t, const ReceivedRequest&) -> ScriptedResponse {
    return {200, std::string(4096, 'y')};
  });
  RetryPolicy policy = quick_policy();
  policy.max_response_bytes = 4096;
  const Outcome outcome = post_once(server, policy);
  EXPECT_EQ(outcome.results[0].outcome, HttpOutcome::ok) << outcome.results[0].error;
  EXPECT_EQ(outcome.results[0].body.size(), 4096u);
}

}  // namespace
}  // namespace paddock::api_client
