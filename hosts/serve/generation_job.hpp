// One API request on its way through the scheduler: its prompts and options, the progress of
// every sample as tokens arrive, and the final result or error. The scheduler thread writes,
// the connection thread waits and reads; generation never waits for a slow client, which
// just sees several tokens at once.
#pragma once

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

  // Connection side. Waits until the progress changed after `seen_version`, or the job
  // ended; returns the new version. `snapshot` is [request][sample].
  std::uint64_t wait_for_change(std::uint64_t seen_version,
                                std::vector<std::vector<SampleProgress>>& snapshot, bool& ended,
                                std::optional<JobFailure>& failure);
  // Waits for the end; returns the failure, if any, and fills `results`.
  std::optional<JobFailure> wait(std::vector<std::vector<SampleProgress>>& results);
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
};

}  // namespace paddock::serve
