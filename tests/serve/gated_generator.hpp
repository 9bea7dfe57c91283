// A RequestGenerator for the serve tests that wraps the model's and pauses its first
// continuous call just before a chosen decoding step, until the test lets it go on. What
// joins the batch or is cancelled at that step then depends on what the test did while the
// call was held, never on timing. It also counts the tokens each request of the call took.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>

#include "paddock/request_generator.hpp"

namespace paddock::serve::testing {

class GatedGenerator final : public RequestGenerator {
 public:
  // Pauses before take() number `pause_at` (0: before the first step) of the first call.
  GatedGenerator(RequestGenerator& inner, std::int64_t pause_at)
      : inner_(inner), pause_at_(pause_at) {}

  // Waits (up to a minute) until the call is held; false if it never got there.
  bool wait_until_paused() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::minutes(1), [this] { return paused_; });
  }
  // While held: whether the feed reports request `request` of the call cancelled.
  bool cancelled_while_paused(std::size_t request) {
    std::lock_guard lock(mutex_);
    return paused_ && held_feed_ != nullptr && held_feed_->cancelled(request);
  }
  // Lets the call go on (and never holds it again).
  void release() {
    {
      std::lock_guard lock(mutex_);
      released_ = true;
    }
    changed_.notify_all();
  }
  // Tokens taken so far by request `request` of the held call.
  std::int64_t tokens_of(std::size_t request) {
    std::lock_guard lock(mutex_);
    return tokens_[request];
  }

  std::vector<std::vector<Generation>> generate_requests(
      const std::vector<GenerationRequest>& requests, GenerationListener* listener) override {
    return inner_.generate_requests(requests, listener);
  }
  void generate_continuously(RequestFeed& feed, GenerationListener* listener) override {
    Gate gate(*this, feed, listener);
    inner_.generate_continuously(gate, &gate);
  }
  std::string token_bytes(std::int64_t token_id) const override {
    return inner_.token_bytes(token_id);
  }
  std::int64_t prompt_token_count(const std::string& prompt) const override {
    return inner_.prompt_token_count(prompt);
  }

 private:
  class Gate final : public RequestFeed, public GenerationListener {
   public:
    Gate(GatedGenerator& owner, RequestFeed& feed, GenerationListener* listener)
        : owner_(owner), feed_(feed), listener_(listener) {}
    std::vector<GenerationRequest> take(std::int64_t running_samples) override {
      if (takes_++ == owner_.pause_at_) owner_.hold(feed_);
      return feed_.take(running_samples);
    }
    bool cancelled(std::size_t request) override { return feed_.cancelled(request); }
    void finished(std::size_t request, RequestOutcome outcome) override {
      feed_.finished(request, std::move(outcome));
    }
    void on_token(const GeneratedToken& token) override {
      {
        std::lock_guard lock(owner_.mutex_);
        ++owner_.tokens_[token.request];
      }
      if (listener_ != nullptr) listener_->on_token(token);
    }

   private:
    GatedGenerator& owner_;
    RequestFeed& feed_;
    GenerationListener* listener_;
    std::int64_t takes_ = 0;
  };

  void hold(RequestFeed& feed) {
    std::unique_lock lock(mutex_);
    if (released_) return;
    paused_ = true;
    held_feed_ = &feed;
    changed_.notify_all();
    changed_.wait(lock, [this] { return released_; });
    paused_ = false;
    held_feed_ = nullptr;
  }

  RequestGenerator& inner_;
  const std::int64_t pause_at_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool paused_ = false, released_ = false;
  RequestFeed* held_feed_ = nullptr;
  std::map<std::size_t, std::int64_t> tokens_;
};

}  // namespace paddock::serve::testing
