// Ctrl-C and SIGTERM request a clean stop: nodes see NodeContext::cancelled() and the
// executor stops before the next node. A second signal exits at once.
#include <unistd.h>
#include <csignal>

#include <atomic>

#include "paddock/core/executor.hpp"

namespace paddock::core {
namespace {

std::atomic<bool> cancel_requested{false};

extern "C" void handle_stop_signal(int) {
  if (cancel_requested.exchange(true)) ::_exit(130);
  static const char message[] =
      "\npaddock: stopping after the current step (signal again to abort)\n";
  [[maybe_unused]] auto ignored = ::write(STDERR_FILENO, message, sizeof message - 1);
}

}  // namespace

void install_cancellation_handlers() {
  struct sigaction action {};
  action.sa_handler = handle_stop_signal;
  action.sa_flags = SA_RESTART;  // plugins' blocking calls carry on; they poll cancelled()
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

bool cancellation_requested() {
  return cancel_requested.load(std::memory_order_relaxed);
}
void request_cancellation() {
  cancel_requested = true;
}
void reset_cancellation() {
  cancel_requested = false;
}

}  // namespace paddock::core
