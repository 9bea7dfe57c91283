// Optional services of an Annotator: reporting what it spent (requests, tokens, dollars, wall
// time) and stopping early when the user presses Ctrl-C. An annotator implements the ones it
// has, next to paddock::Annotator; nodes find them with dynamic_cast (usage_reporter_of,
// cancellable_of), so a judge without them keeps working and a new service never changes the
// Annotator interface that built plugins rely on.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "paddock/annotator.hpp"
#include "paddock/export.hpp"

namespace paddock {

// What an annotator has spent since it was made. Counts are totals over every annotate() call;
// an annotator shared by several nodes reports the work of all of them.
struct AnnotatorUsage {
  // Annotations the work below produced: the denominator of the per-1000 rates. Answers taken
  // from a cache, or made up without the paid work (label noise), are not counted.
  std::int64_t annotations = 0;
  std::int64_t requests = 0;  // calls to a paid service (HTTP attempts, retries included)
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  double dollars = 0.0;
  bool dollars_known = true;  // false when some work had no price (then `dollars` is too low)
  double seconds = 0.0;       // wall time spent producing `annotations`
  bool stopped_by_budget = false;
  bool stopped_by_cancellation = false;
  std::string stop_note;  // why it stopped early, for people ("dollar budget reached ($5.00)")
  // The judge's own counters (retries, cache hits, coverage...), shown in logs and reports.
  // New counters go here: the typed fields above change only with the SDK's ABI major.
  nlohmann::ordered_json details = nlohmann::ordered_json::object();
};

// Two detail counters (integers, totals like the rest) that nodes act on, where an annotator
// has them: pairs it was asked about but got no answer for because its service failed (after
// its own retries), and pairs it did not send because a budget was reached. Neither kind is
// cached, so asking again later can answer them; the `annotate` node fails, or counts itself
// incomplete, when they are not zero (docs/annotators.md).
inline constexpr std::string_view kPairsFailedDetail = "pairs_failed";
inline constexpr std::string_view kPairsNotSentDetail = "pairs_not_sent";

// Dollars or seconds per 1000 annotations; negative when there were no annotations.
inline double per_1000_annotations(double total, std::int64_t annotations) {
  return annotations > 0 ? total / static_cast<double>(annotations) * 1000.0 : -1.0;
}

// The typed fields summed (flags or'ed, the first non-empty note kept); `details` is left
// empty, since only the judge knows how its counters combine.
inline AnnotatorUsage sum_annotator_usage(std::span<const AnnotatorUsage> parts) {
  AnnotatorUsage total;
  for (const AnnotatorUsage& part : parts) {
    total.annotations += part.annotations;
    total.requests += part.requests;
    total.prompt_tokens += part.prompt_tokens;
    total.completion_tokens += part.completion_tokens;
    total.dollars += part.dollars;
    total.dollars_known = total.dollars_known && part.dollars_known;
    total.seconds += part.seconds;
    total.stopped_by_budget = total.stopped_by_budget || part.stopped_by_budget;
    total.stopped_by_cancellation = total.stopped_by_cancellation || part.stopped_by_cancellation;
    if (total.stop_note.empty()) total.stop_note = part.stop_note;
  }
  return total;
}

// An annotator that accounts for its cost. A pool reports the usage of all its members (it
// is asked, not they), so nothing is counted twice.
class PADDOCK_API UsageReporter {
 public:
  virtual ~UsageReporter();
  // Safe to call at any time between annotate() calls.
  virtual AnnotatorUsage usage() const = 0;
};

// An annotator that polls a cancellation check while it works (between HTTP requests, model
// batches...) and, when it returns true, stops early and leaves the remaining pairs
// unannotated. Nodes install context.cancelled() for the duration of their calls.
class PADDOCK_API Cancellable {
 public:
  virtual ~Cancellable();
  // An empty function removes the check. Called from the node's thread between annotate()
  // calls; the check itself may be called from any thread.
  virtual void set_cancel_check(std::function<bool()> check) = 0;
};

inline const UsageReporter* usage_reporter_of(const Annotator& annotator) {
  return dynamic_cast<const UsageReporter*>(&annotator);
}

inline Cancellable* cancellable_of(Annotator& annotator) {
  return dynamic_cast<Cancellable*>(&annotator);
}

}  // namespace paddock
