// The outage rule of every node that asks an Annotator: pairs the annotator got no answer
// for (its service failed after its own retries, or a budget stopped it) must not pass for a
// finished result. More failures than the node's max_failed_share fail the node; fewer, or
// pairs a budget kept from being sent, finish it incomplete (NodeContext::mark_incomplete,
// ABI 1.2), so the next run asks again, for the missing pairs only (the answers it got are
// in the judge's cache). Header-only: it reads the kPairsFailedDetail / kPairsNotSentDetail
// counters an annotator reports through UsageReporter (annotator_usage.hpp).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "paddock/annotator.hpp"
#include "paddock/annotator_usage.hpp"
#include "paddock/context.hpp"
#include "paddock/error.hpp"
#include "paddock/settings_schema.hpp"

namespace paddock {

// The outage parameter of a node that pays a judge, as a settings group.
struct OutageSettings {
  double max_failed_share = 0.0;
};

// `kept` names what the node keeps when incomplete: "output" or "report".
inline SettingsSchema<OutageSettings> outage_schema(const std::string& kept) {
  SettingsSchema<OutageSettings> schema;
  schema.number("max_failed_share", &OutageSettings::max_failed_share,
                "the share of pairs whose judge requests may fail (after their retries) without "
                "failing the node; when some fail, or a budget stops the judge, the node keeps "
                "its " +
                    kept +
                    " for this run but is incomplete: the next run asks again for the missing "
                    "pairs only",
                /*minimum=*/0.0, /*maximum=*/1.0);
  return schema;
}

struct UnansweredPairs {
  std::int64_t failed = 0;    // its service failed on them
  std::int64_t not_sent = 0;  // a budget stopped them
};

// What `annotator` reports it could not answer so far (totals); zeros for an annotator that
// reports no usage.
inline UnansweredPairs unanswered_pairs(const Annotator& annotator) {
  const auto* reporter = dynamic_cast<const UsageReporter*>(&annotator);
  if (reporter == nullptr) return {};
  const AnnotatorUsage usage = reporter->usage();
  if (!usage.details.is_object()) return {};
  const auto count = [&details = usage.details](std::string_view key) {
    const auto found = details.find(std::string(key));
    return found != details.end() && found->is_number_integer() ? found->get<std::int64_t>() : 0;
  };
  return {count(kPairsFailedDetail), count(kPairsNotSentDetail)};
}

// The pairs of this node's calls the annotator could not answer: the counters' growth since
// `before` (an annotator may be shared by several nodes), at most `pairs`.
inline UnansweredPairs unanswered_since(const Annotator& annotator, const UnansweredPairs& before,
                                        std::size_t pairs) {
  const UnansweredPairs now = unanswered_pairs(annotator);
  const auto limit = static_cast<std::int64_t>(pairs);
  return {std::clamp<std::int64_t>(now.failed - before.failed, 0, limit),
          std::clamp<std::int64_t>(now.not_sent - before.not_sent, 0, limit)};
}

// 0.2 as "0.2", not std::to_string's "0.200000".
inline std::string share_text(double share) {
  std::ostringstream text;
  text << share;
  return text.str();
}

// Throws paddock::Error when more of `pairs` failed than `max_failed_share` allows. `node`
// names the node type in the message ("annotate", "win_rate", ...).
inline void check_failed_share(const std::string& node, const Annotator& annotator,
                               std::int64_t failed, std::size_t pairs, double max_failed_share) {
  if (failed == 0 || static_cast<double>(failed) <= max_failed_share * static_cast<double>(pairs))
    return;
  throw Error(node + ": the annotator '" + annotator.name() + "' got no answer for " +
              std::to_string(failed) + " of " + std::to_string(pairs) +
              " pairs (its requests failed after their retries; see its warnings above). The "
              "answers it did get are kept in its cache, so running again asks only for the "
              "missing pairs. To accept a share of failures instead, set max_failed_share (now " +
              share_text(max_failed_share) + ")");
}

// When any pair went unanswered (within the allowed share): a warning, and the node is
// marked incomplete so that its outputs serve this run and the next run asks again.
inline void mark_incomplete_if_unanswered(NodeContext& context, const Annotator& annotator,
                                          const UnansweredPairs& unanswered, std::size_t pairs,
                                          double max_failed_share) {
  if (unanswered.failed == 0 && unanswered.not_sent == 0) return;
  std::string reason = std::to_string(unanswered.failed + unanswered.not_sent) + " of " +
                       std::to_string(pairs) + " pairs got no answer from '" + annotator.name() +
                       "'";
  if (unanswered.failed > 0) {
    reason += " (" + std::to_string(unanswered.failed) +
              " failed, within max_failed_share = " + share_text(max_failed_share) + ")";
  }
  if (unanswered.not_sent > 0)
    reason += " (" + std::to_string(unanswered.not_sent) + " not sent: a budget was reached)";
  context.log().warn(
      "{}: {}; this node's output has holes and it will run again (asking only for the "
      "missing pairs)",
      context.node_name(), reason);
  context.mark_incomplete(std::move(reason));
}

}  // namespace paddock
