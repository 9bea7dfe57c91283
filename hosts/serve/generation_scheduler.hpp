// The scheduler: one thread that owns the model. Connection threads submit jobs to a bounded
// queue, and the scheduler generates them in batches, so throughput grows with the number of
// concurrent clients. Two ways to batch:
//
// Continuous (the default, with a RequestGenerator): one generate_continuously call per busy
// spell. Between decoding steps the scheduler hands the model the queued jobs that fit beside
// the samples running (up to max_batch_rows samples, oldest job first), finished samples
// leave the batch at once, and cancelled jobs (their client went away) are dropped.
//
// Dynamic: the scheduler takes every job waiting (up to max_batch_rows samples) and generates
// them in one call; a job that arrives while a call runs waits for that call to end. With a
// RequestGenerator any mix of requests shares a call and tokens stream as produced; with only
// a TextGenerator (always dynamic), jobs whose options are identical share a call, and their
// text arrives when the call ends.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include <spdlog/logger.h>

#include "generation_job.hpp"
#include "paddock/capabilities.hpp"
#include "paddock/request_generator.hpp"

namespace paddock::serve {

enum class BatchingMode { continuous, dynamic };

struct SchedulerOptions {
  std::size_t max_queued_jobs = 256;  // beyond this, submit() refuses (HTTP 429)
  // Samples generated together: in one call (dynamic), running at once (continuous).
  std::int64_t max_batch_rows = 32;
  // After the first job of an idle spell arrives, how long to wait for companions.
  std::chrono::milliseconds gather_window{2};
  BatchingMode batching = BatchingMode::continuous;  // dynamic without a RequestGenerator
};

struct SchedulerCounters {
  std::uint64_t calls = 0;  // generate calls started (continuous: one per busy spell)
  std::uint64_t jobs = 0;   // jobs ended (answered, failed or cancelled)
  std::uint64_t rows = 0;   // samples of those jobs
  std::size_t largest_batch_rows = 0;
  std::uint64_t joined_running = 0;  // jobs that joined a batch whose samples were decoding
  std::uint64_t cancelled = 0;       // jobs dropped because their client went away
};

class GenerationScheduler {
 public:
  // `request_generator` may be null; `generator` may not. Both must outlive the scheduler.
  GenerationScheduler(TextGenerator& generator, RequestGenerator* request_generator,
                      SchedulerOptions options, std::shared_ptr<spdlog::logger> log);
  ~GenerationScheduler();
  GenerationScheduler(const GenerationScheduler&) = delete;
  GenerationScheduler& operator=(const GenerationScheduler&) = delete;

  // Queues the job; false when the queue is full or the scheduler is stopping.
  bool submit(std::shared_ptr<GenerationJob> job);
  // Generates everything queued, then ends the thread. Later submits are refused.
  void drain_and_stop();

  std::size_t queued() const;
  SchedulerCounters counters() const;
  bool streams_tokens() const { return request_generator_ != nullptr; }
  BatchingMode batching() const {
    return continuous_ ? BatchingMode::continuous : BatchingMode::dynamic;
  }

 private:
  class ContinuousFeed;
  void run();
  void run_continuous_call();
  void count_ended_job(const GenerationJob& job);  // under mutex_
  std::vector<std::shared_ptr<GenerationJob>> take_batch(std::unique_lock<std::mutex>& lock);
  void generate(const std::vector<std::shared_ptr<GenerationJob>>& batch);
  void generate_with_requests(const std::vector<std::shared_ptr<GenerationJob>>& batch);
  void generate_with_text_generator(const std::vector<std::shared_ptr<GenerationJob>>& batch);

  TextGenerator& generator_;
  RequestGenerator* request_generator_;
  SchedulerOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  bool continuous_ = false;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<GenerationJob>> queue_;
  bool stopping_ = false;
  SchedulerCounters counters_;
  std::thread thread_;
};

}  // namespace paddock::serve
