// One API request on its way through the scheduler: its prompts and options, the progress of
// every sample as tokens arrive, and the final result or error. The scheduler thread writes,
// the connection thread waits and reads; generation never waits for a slow client, which
// just sees several tokens at once. A connection whose client went away cancels the job, and
// the scheduler drops it (queued) or its samples (running).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "paddock/request_generator.hpp"

namespace paddock::serve {

struct SampleProgress {
  std::string text;  // the whole text so far (stop strings cut)
  std::vector<std::int64_t> token_ids;
  std::vector<float> token_logprobs;
  std::vector<std::vector<TokenAlternative>> top_logprobs;  // per token, when asked
  bool finished = false;
  std::string finish_reason;
};

struct JobFailure {
  int status = 500;
  std::string message;
};

class GenerationJob {
 public:
  explicit GenerationJob(std::vector<GenerationRequest> requests);

  const std::vector<GenerationRequest>& requests() const { return requests_; }
  // Samples over all prompts: what the job adds to a batch.
  std::int64_t rows() const { return rows_; }
  std::chrono::steady_clock::time_point submitted() const { return submitted_; }

  // Scheduler side.
  void record_token(std::size_t request, const GeneratedToken& token);
  void start();  // the job joined a running batch
  void complete(const std::vector<std::vector<Generation>>& results);
  void fail(int status, std::string message);
  void reset_progress();  // before the job is generated again on its own
  bool ended() const;

  // Either side: the client went away, so nobody wants the result any more.
  void cancel() { cancelled_ = true; }
  bool cancelled() const { return cancelled_; }

  // Connection side. Waits until the progress changed after `seen_version`, or the job
  // ended, or `patience` passed; returns the version (`seen_version` when nothing changed).
  // `snapshot` is [request][sample].
  std::uint64_t wait_for_change(std::uint64_t seen_version,
                                std::vector<std::vector<SampleProgress>>& snapshot, bool& ended,
                                std::optional<JobFailure>& failure,
                                std::chrono::milliseconds patience);
  // Waits up to `patience` for the end; when it came, fills `results` and `failure` (if
  // any) and returns true.
  bool wait_for_end(std::chrono::milliseconds patience,
                    std::vector<std::vector<SampleProgress>>& results,
                    std::optional<JobFailure>& failure);
  // Milliseconds spent queued before generation started (0 until it started).
  double queued_milliseconds() const;

 private:
  std::vector<GenerationRequest> requests_;
  std::int64_t rows_ = 0;
  std::chrono::steady_clock::time_point submitted_, started_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::vector<SampleProgress>> progress_;
  std::uint64_t version_ = 0;
  bool ended_ = false;
  std::optional<JobFailure> failure_;
  std::atomic<bool> cancelled_{false};
};

}  // namespace paddock::serve
