// The libcurl multi loop behind run_http_requests.
#include "paddock/api_client/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <memory>
#include <mutex>
#include <random>

#include <spdlog/fmt/fmt.h>

#include "paddock/error.hpp"
#include "paddock/random.hpp"

namespace paddock::api_client {
namespace {

using Clock = std::chrono::steady_clock;

void initialise_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw Error("libcurl failed to initialise");
    }
  });
}

struct Transfer {
  std::size_t index = 0;
  int attempt = 0;  // 0 = the first
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  std::string response;
  std::size_t max_response_bytes = 0;
  bool response_too_large = false;
  std::optional<double> retry_after;
  char error_buffer[CURL_ERROR_SIZE] = {};
};

struct Waiting {
  std::size_t index;
  int attempt;
  Clock::time_point ready;
};

std::size_t write_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t length = size * count;
  if (length > transfer->max_response_bytes - transfer->response.size()) {
    transfer->response_too_large = true;
    return 0;  // curl aborts the transfer with CURLE_WRITE_ERROR
  }
  transfer->response.append(data, length);
  return length;
}

std::size_t read_header(char* data, std::size_t size, std::size_t count, void* user) {
  const std::size_t length = size * count;
  std::string line(data, length);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    std::string lower = line.substr(0, kName.size());
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == kName) {
      std::string value = line.substr(kName.size());
      value.erase(0, value.find_first_not_of(" \t"));
      value.erase(value.find_last_not_of(" \t\r\n") + 1);
      char* end = nullptr;
      const double seconds = std::strtod(value.c_str(), &end);
      auto* transfer = static_cast<Transfer*>(user);
      if (end != value.c_str() && *end == '\0' && std::isfinite(seconds) && seconds >= 0) {
        transfer->retry_after = seconds;
      } else if (const std::time_t when = curl_getdate(value.c_str(), nullptr); when > 0) {
        transfer->retry_after = std::max(0.0, std::difftime(when, std::time(nullptr)));
      }
    }
  }
  return length;
}

bool retryable_curl_error(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_COULDNT_CONNECT:
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
      return true;
    default:
      return false;
  }
}

class MultiLoop {
 public:
  MultiLoop(const std::vector<HttpRequest>& requests, int concurrency, const RetryPolicy& policy,
            std::uint64_t jitter_seed, const HttpCallbacks& callbacks)
      : requests_(requests),
        concurrency_(std::max(1, concurrency)),
        policy_(policy),
        jitter_(jitter_seed),
        callbacks_(callbacks),
        multi_(curl_multi_init()) {
    if (!multi_) throw Error("libcurl: curl_multi_init failed");
    for (std::size_t i = 0; i < requests_.size(); ++i) fresh_.push_back(i);
  }
  ~MultiLoop() {
    for (auto& transfer : in_flight_) release(*transfer);
    curl_multi_cleanup(multi_);
  }

  void run() {
    while (true) {
      if (callbacks_.cancelled && callbacks_.cancelled()) {
        cancel_everything();
        return;
      }
      start_what_we_can();
      if (in_flight_.empty() && fresh_.empty() && waiting_.empty()) return;
      int running = 0;
      curl_multi_perform(multi_, &running);
      int left = 0;
      bool finished_any = false;
      while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
        if (message->msg == CURLMSG_DONE) {
          complete(message->easy_handle, message->data.result);
          finished_any = true;
        }
      }
      // A finished transfer frees a slot: fill it before waiting on the sockets again.
      if (!finished_any) curl_multi_poll(multi_, nullptr, 0, poll_milliseconds(), nullptr);
    }
  }

 private:
  int poll_milliseconds() const {
    int wait = 50;
    if (in_flight_.empty() && !waiting_.empty()) {
      const auto next = std::min_element(waiting_.begin(), waiting_.end(), [](auto& a, auto& b) {
                          return a.ready < b.ready;
                        })->ready;
      const auto until = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now());
      wait = static_cast<int>(std::clamp<std::int64_t>(until.count(), 1, 50));
    }
    return wait;
  }

  void start_what_we_can() {
    while (static_cast<int>(in_flight_.size()) < concurrency_) {
      const auto now = Clock::now();
      std::size_t index = 0;
      int attempt = 0;
      auto ready = std::find_if(waiting_.begin(), waiting_.end(),
                                [&now](const Waiting& w) { return w.ready <= now; });
      if (ready != waiting_.end()) {
        index = ready->index;
        attempt = ready->attempt;
        if (!may_send()) return;
        waiting_.erase(ready);
      } else if (!fresh_.empty()) {
        index = fresh_.front();
        if (!may_send()) return;
        fresh_.pop_front();
      } else {
        return;
      }
      start(index, attempt);
    }
  }

  bool may_send() {
    if (!callbacks_.may_send || callbacks_.may_send()) return true;
    // Budget reached: nothing more is sent; what is not in flight is skipped.
    for (const Waiting& w : waiting_) finish(w.index, skipped(w.attempt));
    for (std::size_t index : fresh_) finish(index, skipped(0));
    waiting_.clear();
    fresh_.clear();
    return false;
  }

  static HttpResult skipped(int attempts) {
    HttpResult result;
    result.outcome = HttpOutcome::skipped;
    result.error = "not sent: budget reached";
    result.attempts = attempts;
    return result;
  }

  void start(std::size_t index, int attempt) {
    auto transfer = std::make_unique<Transfer>();
    transfer->index = index;
    transfer->attempt = attempt;
    transfer->max_response_bytes = policy_.max_response_bytes;
    transfer->easy = curl_easy_init();
    if (!transfer->easy) throw Error("libcurl: curl_easy_init failed");
    const HttpRequest& request = requests_[index];
    for (const std::string& header : request.headers) {
      transfer->headers = curl_slist_append(transfer->headers, header.c_str());
    }
    transfer->headers = curl_slist_append(transfer->headers, "Content-Type: application/json");
    transfer->headers = curl_slist_append(transfer->headers, "Expect:");
    CURL* easy = transfer->easy;
    const auto timeout_ms = static_cast<long>(std::max(1.0, policy_.timeout_seconds * 1000.0));
    curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, transfer->headers);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, write_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer.get());
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, read_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, transfer.get());
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms, 30000L));
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->error_buffer);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, transfer.get());
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
    curl_multi_add_handle(multi_, easy);
    if (callbacks_.on_attempt) callbacks_.on_attempt();
    in_flight_.push_back(std::move(transfer));
  }

  void release(Transfer& transfer) {
    curl_multi_remove_handle(multi_, transfer.easy);
    curl_easy_cleanup(transfer.easy);
    curl_slist_free_all(transfer.headers);
    transfer.easy = nullptr;
    transfer.headers = nullptr;
  }

  void complete(CURL* easy, CURLcode code) {
    auto found = std::find_if(in_flight_.begin(), in_flight_.end(),
                              [easy](const auto& t) { return t->easy == easy; });
    if (found == in_flight_.end()) return;
    std::unique_ptr<Transfer> transfer = std::move(*found);
    in_flight_.erase(found);
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    release(*transfer);

    HttpResult result;
    result.status = status;
    result.attempts = transfer->attempt + 1;
    bool retry = false;
    if (transfer->response_too_large) {
      // Not retried: the same server would send the same flood again.
      result.error = fmt::format(
          "the response body (HTTP {}) is larger than {} bytes, the most this client reads "
          "(max_response_bytes); refused",
          status, policy_.max_response_bytes);
      transfer->response.clear();
    } else if (code != CURLE_OK) {
      result.error = code == CURLE_OPERATION_TIMEDOUT
                         ? fmt::format("timed out after {:.3g} s", policy_.timeout_seconds)
                         : fmt::format("transfer failed: {}", curl_easy_strerror(code));
      retry = retryable_curl_error(code);
    } else if (status >= 200 && status < 300) {
      if (!callbacks_.accept_body || callbacks_.accept_body(transfer->response)) {
        result.outcome = HttpOutcome::ok;
        result.body = std::move(transfer->response);
        finish(transfer->index, std::move(result));
        return;
      }
      result.error = fmt::format("malformed response body (HTTP {})", status);
      retry = true;
    } else {
      result.error = fmt::format("HTTP {}", status);
      retry = status == 429 || status == 408 || status >= 500;
    }
    result.body = std::move(transfer->response);
    if (retry && transfer->attempt < policy_.max_retries) {
      const int next = transfer->attempt + 1;
      const double delay =
          backoff_seconds(policy_, next, uniform01(jitter_), transfer->retry_after);
      if (callbacks_.on_retry) {
        std::string why;
        if (transfer->retry_after && *transfer->retry_after > policy_.backoff_max_seconds) {
          why = fmt::format(
              " (the server's Retry-After of {:.0f} s, capped by "
              "backoff_max_seconds)",
              *transfer->retry_after);
        } else if (transfer->retry_after) {
          why = " (Retry-After)";
        }
        callbacks_.on_retry(fmt::format("{}; retry {} of {} in {:.2f} s{}", result.error, next,
                                        policy_.max_retries, delay, why));
      }
      waiting_.push_back({transfer->index, next,
                          Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double>(delay))});
      return;
    }
    if (retry) result.error += fmt::format(" (gave up after {} attempts)", result.attempts);
    finish(transfer->index, std::move(result));
  }

  void finish(std::size_t index, HttpResult result) {
    if (callbacks_.on_finished) callbacks_.on_finished(index, std::move(result));
  }

  void cancel_everything() {
    for (auto& transfer : in_flight_) {
      HttpResult result;
      result.outcome = HttpOutcome::cancelled;
      result.error = "cancelled";
      result.attempts = transfer->attempt + 1;
      const std::size_t index = transfer->index;
      release(*transfer);
      finish(index, std::move(result));
    }
    in_flight_.clear();
    for (const Waiting& w : waiting_) {
      finish(w.index, HttpResult{HttpOutcome::cancelled, 0, "", "cancelled", w.attempt});
    }
    for (std::size_t index : fresh_) {
      finish(index, HttpResult{HttpOutcome::cancelled, 0, "", "cancelled", 0});
    }
    waiting_.clear();
    fresh_.clear();
  }

  const std::vector<HttpRequest>& requests_;
  int concurrency_;
  RetryPolicy policy_;
  std::mt19937_64 jitter_;
  const HttpCallbacks& callbacks_;
  CURLM* multi_;
  std::deque<std::size_t> fresh_;
  std::vector<Waiting> waiting_;
  std::vector<std::unique_ptr<Transfer>> in_flight_;
};

}  // namespace

double backoff_seconds(const RetryPolicy& policy, int retry, double jitter01,
                       std::optional<double> retry_after) {
  const double exponential =
      std::min(policy.backoff_max_seconds,
               policy.backoff_initial_seconds * std::pow(2.0, std::max(0, retry - 1)));
  const double delay = exponential * (0.5 + 0.5 * jitter01);
  if (!retry_after) return delay;
  return std::max(delay, std::min(*retry_after, policy.backoff_max_seconds));
}

void run_http_requests(const std::vector<HttpRequest>& requests, int concurrency,
                       const RetryPolicy& policy, std::uint64_t jitter_seed,
                       const HttpCallbacks& callbacks) {
  if (requests.empty()) return;
  initialise_curl_once();
  MultiLoop loop(requests, concurrency, policy, jitter_seed, callbacks);
  loop.run();
}

}  // namespace paddock::api_client
