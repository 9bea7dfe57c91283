// GenerationJob: progress shared between the scheduler thread and a connection thread.
#include "generation_job.hpp"

namespace paddock::serve {

GenerationJob::GenerationJob(std::vector<GenerationRequest> requests)
    : requests_(std::move(requests)), submitted_(std::chrono::steady_clock::now()) {
  for (const GenerationRequest& request : requests_) {
    rows_ += request.options.samples_per_prompt;
    progress_.emplace_back(static_cast<std::size_t>(request.options.samples_per_prompt));
  }
}

void GenerationJob::record_token(std::size_t request, const GeneratedToken& token) {
  {
    std::lock_guard lock(mutex_);
    SampleProgress& sample = progress_.at(request).at(static_cast<std::size_t>(token.sample));
    sample.text.assign(token.text);
    sample.token_ids.push_back(token.token_id);
    sample.token_logprobs.push_back(token.logprob);
    if (requests_.at(request).top_logprobs > 0)
      sample.top_logprobs.emplace_back(token.top_logprobs.begin(), token.top_logprobs.end());
    sample.finished = token.finished;
    sample.finish_reason.assign(token.finish_reason);
    ++version_;
  }
  changed_.notify_all();
}

void GenerationJob::start() {
  std::lock_guard lock(mutex_);
  started_ = std::chrono::steady_clock::now();
}

void GenerationJob::complete(const std::vector<std::vector<Generation>>& results) {
  {
    std::lock_guard lock(mutex_);
    for (std::size_t request = 0; request < progress_.size() && request < results.size();
         ++request) {
      for (std::size_t sample = 0;
           sample < progress_[request].size() && sample < results[request].size(); ++sample) {
        const Generation& generation = results[request][sample];
        SampleProgress& target = progress_[request][sample];
        target.text = generation.text;
        target.token_ids = generation.token_ids;
        target.token_logprobs = generation.token_logprobs;
        target.top_logprobs = generation.top_logprobs;
        target.finished = true;
        target.finish_reason = generation.finish_reason;
      }
    }
    ended_ = true;
    ++version_;
  }
  changed_.notify_all();
}

void GenerationJob::fail(int status, std::string message) {
  {
    std::lock_guard lock(mutex_);
    failure_ = JobFailure{status, std::move(message)};
    ended_ = true;
    ++version_;
  }
  changed_.notify_all();
}

void GenerationJob::reset_progress() {
  std::lock_guard lock(mutex_);
  for (auto& samples : progress_) {
    for (SampleProgress& sample : samples) sample = SampleProgress{};
  }
  ++version_;
}

bool GenerationJob::ended() const {
  std::lock_guard lock(mutex_);
  return ended_;
}

std::uint64_t GenerationJob::wait_for_change(std::uint64_t seen_version,
                                             std::vector<std::vector<SampleProgress>>& snapshot,
                                             bool& ended, std::optional<JobFailure>& failure,
                                             std::chrono::milliseconds patience) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, patience, [&] { return version_ != seen_version || ended_; });
  snapshot = progress_;
  ended = ended_;
  failure = failure_;
  return version_;
}

bool GenerationJob::wait_for_end(std::chrono::milliseconds patience,
                                 std::vector<std::vector<SampleProgress>>& results,
                                 std::optional<JobFailure>& failure) {
  std::unique_lock lock(mutex_);
  if (!changed_.wait_for(lock, patience, [&] { return ended_; })) return false;
  results = progress_;
  failure = failure_;
  return true;
}

double GenerationJob::queued_milliseconds() const {
  std::lock_guard lock(mutex_);
  if (started_ == std::chrono::steady_clock::time_point{}) return 0.0;
  return std::chrono::duration<double, std::milli>(started_ - submitted_).count();
}

}  // namespace paddock::serve
