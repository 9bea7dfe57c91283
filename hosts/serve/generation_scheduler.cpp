// GenerationScheduler: the bounded queue and the two batching loops.
#include "generation_scheduler.hpp"

#include <map>
#include <tuple>
#include <unordered_map>

#include "paddock/error.hpp"

namespace paddock::serve {
namespace {

// Routes the tokens of one call back to the jobs they belong to.
class JobRouter final : public GenerationListener {
 public:
  void add(GenerationJob* job, std::size_t request) { targets_.push_back({job, request}); }
  void on_token(const GeneratedToken& token) override {
    const auto& [job, request] = targets_.at(token.request);
    job->record_token(request, token);
  }

 private:
  std::vector<std::pair<GenerationJob*, std::size_t>> targets_;
};

// Options that must be equal for jobs to share one TextGenerator::generate call.
auto options_key(const GenerationOptions& options) {
  return std::make_tuple(options.temperature, options.top_p, options.top_k, options.max_new_tokens,
                         options.samples_per_prompt, options.stop,
                         options.temperature <= 0 ? std::uint64_t{0} : options.seed);
}

// What a job is told when it is dropped because its client went away (nobody reads it).
constexpr int kClientClosedRequest = 499;

}  // namespace

// The scheduler's side of a continuous call: hands over queued jobs as slots free up, routes
// tokens and results back to the jobs, and reports cancelled jobs. Used only on the
// scheduler thread; it takes the scheduler's lock for the queue and the counters.
class GenerationScheduler::ContinuousFeed final : public RequestFeed, public GenerationListener {
 public:
  explicit ContinuousFeed(GenerationScheduler& scheduler) : scheduler_(scheduler) {}

  std::vector<GenerationRequest> take(std::int64_t running_samples) override {
    std::vector<GenerationRequest> requests;
    std::lock_guard lock(scheduler_.mutex_);
    std::int64_t rows = running_samples;
    auto& queue = scheduler_.queue_;
    while (!queue.empty()) {
      std::shared_ptr<GenerationJob> job = queue.front();
      if (job->cancelled()) {  // the client left while the job was queued
        queue.pop_front();
        job->fail(kClientClosedRequest, "the client went away");
        scheduler_.count_ended_job(*job);
        continue;
      }
      // Oldest first, so a large job is never overtaken for ever; one larger than the limit
      // starts when nothing else runs.
      if (rows > 0 && rows + job->rows() > scheduler_.options_.max_batch_rows) break;
      queue.pop_front();
      job->start();
      if (running_samples > 0) ++scheduler_.counters_.joined_running;
      JobState& state = jobs_[job.get()];
      state.job = job;
      state.results.resize(job->requests().size());
      state.unfinished = job->requests().size();
      for (std::size_t request = 0; request < job->requests().size(); ++request) {
        routes_.push_back({job.get(), request});
        requests.push_back(job->requests()[request]);
      }
      rows += job->rows();
    }
    scheduler_.counters_.largest_batch_rows =
        std::max(scheduler_.counters_.largest_batch_rows, static_cast<std::size_t>(rows));
    return requests;
  }

  bool cancelled(std::size_t request) override {
    const JobState& state = jobs_.at(routes_.at(request).first);
    return state.failed || state.job->cancelled();
  }

  void finished(std::size_t request, RequestOutcome outcome) override {
    const auto [job, index] = routes_.at(request);
    JobState& state = jobs_.at(job);
    if (!outcome.error.empty() && !state.failed) {
      // The job's other prompts are cancelled at the next step; its client hears now.
      state.failed = true;
      job->fail(400, outcome.error);
    }
    state.results[index] = std::move(outcome.generations);
    if (--state.unfinished > 0) return;
    if (job->cancelled() && !state.failed) {
      job->fail(kClientClosedRequest, "the client went away");
    } else if (!state.failed) {
      job->complete(state.results);
    }
    {
      std::lock_guard lock(scheduler_.mutex_);
      scheduler_.count_ended_job(*job);
    }
    jobs_.erase(job);
  }

  void on_token(const GeneratedToken& token) override {
    const auto& [job, request] = routes_.at(token.request);
    job->record_token(request, token);
  }

  // Jobs started but not ended: what a failed call leaves behind.
  std::vector<std::shared_ptr<GenerationJob>> unfinished_jobs() const {
    std::vector<std::shared_ptr<GenerationJob>> jobs;
    for (const auto& [raw, state] : jobs_)
      if (!raw->ended()) jobs.push_back(state.job);
    return jobs;
  }

 private:
  struct JobState {
    std::shared_ptr<GenerationJob> job;
    std::vector<std::vector<Generation>> results;  // [request][sample]
    std::size_t unfinished = 0;                    // requests not ended yet
    bool failed = false;
  };
  GenerationScheduler& scheduler_;
  std::vector<std::pair<GenerationJob*, std::size_t>> routes_;  // call request -> job, request
  std::unordered_map<GenerationJob*, JobState> jobs_;
};

GenerationScheduler::GenerationScheduler(TextGenerator& generator,
                                         RequestGenerator* request_generator,
                                         SchedulerOptions options,
                                         std::shared_ptr<spdlog::logger> log)
    : generator_(generator),
      request_generator_(request_generator),
      options_(options),
      log_(std::move(log)),
      continuous_(options_.batching == BatchingMode::continuous && request_generator_ != nullptr) {
  if (options_.max_batch_rows < 1) throw Error("the largest batch must hold at least 1 sample");
  thread_ = std::thread([this] { run(); });
}

GenerationScheduler::~GenerationScheduler() {
  drain_and_stop();
}

bool GenerationScheduler::submit(std::shared_ptr<GenerationJob> job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= options_.max_queued_jobs) return false;
    queue_.push_back(std::move(job));
  }
  wake_.notify_all();
  return true;
}

void GenerationScheduler::drain_and_stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::size_t GenerationScheduler::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

SchedulerCounters GenerationScheduler::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

void GenerationScheduler::count_ended_job(const GenerationJob& job) {
  ++counters_.jobs;
  counters_.rows += static_cast<std::uint64_t>(job.rows());
  if (job.cancelled()) ++counters_.cancelled;
}

std::vector<std::shared_ptr<GenerationJob>> GenerationScheduler::take_batch(
    std::unique_lock<std::mutex>& lock) {
  // Jobs in arrival order while they fit; a job larger than the limit goes alone. Without
  // per-request options, only jobs whose options equal the first job's join it.
  std::vector<std::shared_ptr<GenerationJob>> batch;
  std::int64_t rows = 0;
  const auto first_key = options_key(queue_.front()->requests().front().options);
  (void)lock;
  for (auto it = queue_.begin(); it != queue_.end();) {
    const auto job = *it;
    if (job->cancelled()) {  // the client left while the job was queued
      it = queue_.erase(it);
      job->fail(kClientClosedRequest, "the client went away");
      count_ended_job(*job);
      continue;
    }
    const bool fits = batch.empty() || rows + job->rows() <= options_.max_batch_rows;
    bool compatible = true;
    if (request_generator_ == nullptr) {
      for (const GenerationRequest& request : job->requests())
        compatible = compatible && options_key(request.options) == first_key;
    }
    if (fits && compatible) {
      rows += job->rows();
      batch.push_back(job);
      it = queue_.erase(it);
    } else {
      ++it;
    }
    if (rows >= options_.max_batch_rows) break;
  }
  return batch;
}

void GenerationScheduler::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) break;  // stopping, and everything queued is done
    if (options_.gather_window.count() > 0 && !stopping_) {
      // Give clients that connect at the same moment a chance to share the call.
      wake_.wait_for(lock, options_.gather_window, [this] {
        std::int64_t rows = 0;
        for (const auto& job : queue_) rows += job->rows();
        return stopping_ || rows >= options_.max_batch_rows;
      });
    }
    // Calls are counted as they start, so a client that has its answer sees its call counted.
    if (continuous_) {
      ++counters_.calls;
      lock.unlock();
      run_continuous_call();
      lock.lock();
      continue;
    }
    auto batch = take_batch(lock);
    if (batch.empty()) continue;  // every job waiting had been cancelled
    ++counters_.calls;
    lock.unlock();
    generate(batch);
    lock.lock();
    for (const auto& job : batch) count_ended_job(*job);
    std::size_t rows = 0;
    for (const auto& job : batch) rows += static_cast<std::size_t>(job->rows());
    counters_.largest_batch_rows = std::max(counters_.largest_batch_rows, rows);
  }
}

void GenerationScheduler::run_continuous_call() {
  ContinuousFeed feed(*this);
  try {
    request_generator_->generate_continuously(feed, &feed);
    return;
  } catch (const std::exception& error) {
    if (log_) {
      log_->warn("continuous generation failed ({}); generating each running request alone",
                 error.what());
    }
  }
  // Requests the generator found unfit already failed alone; this is a failure of the
  // generation itself. Each job it interrupted goes again on its own, as in dynamic mode.
  for (const auto& job : feed.unfinished_jobs()) {
    job->reset_progress();
    generate({job});
    std::lock_guard lock(mutex_);
    count_ended_job(*job);
  }
}

void GenerationScheduler::generate(const std::vector<std::shared_ptr<GenerationJob>>& batch) {
  for (const auto& job : batch) job->start();
  try {
    if (request_generator_ != nullptr) {
      generate_with_requests(batch);
    } else {
      generate_with_text_generator(batch);
    }
    return;
  } catch (const std::exception& error) {
    if (batch.size() == 1) {
      // paddock::Error from a generator is about its input (a prompt too long for the
      // model, say); anything else is the server's fault.
      const bool input_problem = dynamic_cast<const Error*>(&error) != nullptr;
      batch.front()->fail(input_problem ? 400 : 500, error.what());
      if (log_ && !input_problem) log_->error("generation failed: {}", error.what());
      return;
    }
    if (log_) {
      log_->warn("a batch of {} requests failed ({}); generating each alone", batch.size(),
                 error.what());
    }
  }
  // One request's problem must not fail its companions: each goes again on its own.
  for (const auto& job : batch) {
    job->reset_progress();
    generate({job});
  }
}

namespace {

// Hands each job of `batch` its requests' results, which `results` holds in batch order.
void complete_in_order(const std::vector<std::shared_ptr<GenerationJob>>& batch,
                       const std::vector<std::vector<Generation>>& results) {
  auto next = results.begin();
  for (const auto& job : batch) {
    const auto end = next + static_cast<std::ptrdiff_t>(job->requests().size());
    job->complete(std::vector<std::vector<Generation>>(next, end));
    next = end;
  }
}

}  // namespace

void GenerationScheduler::generate_with_requests(
    const std::vector<std::shared_ptr<GenerationJob>>& batch) {
  std::vector<GenerationRequest> requests;
  JobRouter router;
  for (const auto& job : batch) {
    for (std::size_t request = 0; request < job->requests().size(); ++request) {
      requests.push_back(job->requests()[request]);
      router.add(job.get(), request);
    }
  }
  const auto results = request_generator_->generate_requests(requests, &router);
  complete_in_order(batch, results);
}

void GenerationScheduler::generate_with_text_generator(
    const std::vector<std::shared_ptr<GenerationJob>>& batch) {
  // take_batch gave jobs with equal options.
  GenerationOptions options = batch.front()->requests().front().options;
  std::vector<std::string> prompts;
  for (const auto& job : batch) {
    for (const GenerationRequest& request : job->requests()) prompts.push_back(request.prompt);
  }
  options.batch_size = static_cast<std::int64_t>(prompts.size()) * options.samples_per_prompt;
  const auto results = generator_.generate(prompts, options);
  complete_in_order(batch, results);
}

}  // namespace paddock::serve
