// Reading what annotators report about themselves through the SDK's optional services
// (paddock/annotator_usage.hpp): usage as JSON for logs and reports, sums for pools and
// ensembles, and a cancellation check installed for the length of a node's calls.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "paddock/annotator.hpp"
#include "paddock/annotator_usage.hpp"

namespace paddock::annotators {

// The annotator's usage, or nothing when it does not report any.
std::optional<AnnotatorUsage> reported_usage(const Annotator& annotator);

// One flat JSON object: annotations, requests, prompt_tokens, completion_tokens, dollars,
// dollars_known, seconds, dollars_per_1000, seconds_per_1000 (null without annotations),
// stopped_by_budget, stopped_by_cancellation, stop_note (when set), then the judge's details.
nlohmann::ordered_json usage_to_json(const AnnotatorUsage& usage);
// usage_to_json of the reported usage, or an empty object.
nlohmann::ordered_json usage_of(const Annotator& annotator);

// The sum of several usages: typed fields as sum_annotator_usage; in the details, integers
// and numbers are added, booleans or'ed, the first string kept, and per-1000 rates and
// coverage recomputed from the sums (coverage from pairs_found / pairs_requested).
AnnotatorUsage sum_usage(const std::vector<AnnotatorUsage>& parts);

// The summed usage of the annotators given: an annotator that reports usage counts once, as
// a whole; one that does not counts through its members(). Nothing when none reports.
std::optional<AnnotatorUsage> usage_of_annotators(
    const std::vector<std::shared_ptr<Annotator>>& annotators);

// Installs a cancellation check on an annotator (when it is Cancellable) for the lifetime of
// this object.
class ScopedCancelCheck {
 public:
  ScopedCancelCheck(Annotator& annotator, std::function<bool()> check);
  ~ScopedCancelCheck();
  ScopedCancelCheck(const ScopedCancelCheck&) = delete;
  ScopedCancelCheck& operator=(const ScopedCancelCheck&) = delete;

 private:
  Cancellable* target_;
};

// "12 requests, $0.0410, 1.9 s per 1000 annotations, ..." for logs.
std::string describe_usage(const AnnotatorUsage& usage);

}  // namespace paddock::annotators
