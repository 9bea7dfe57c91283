// Services this plugin's annotators offer beyond paddock::Annotator: a usage summary (cost,
// time, coverage) and a cancellation check polled while they work. Nodes of this plugin
// find them with dynamic_cast; annotators from other plugins simply lack them.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <spdlog/logger.h>
#include <nlohmann/json.hpp>

#include "paddock/annotator.hpp"
#include "paddock/context.hpp"

namespace paddock::annotators {

class AnnotatorExtras {
 public:
  virtual ~AnnotatorExtras();
  // Counters as one JSON object (requests, tokens, dollars, seconds per 1000, coverage...);
  // an empty object when the annotator has nothing to say.
  virtual nlohmann::ordered_json usage() const = 0;
  // A check polled between units of work (HTTP requests); when it returns true the
  // annotator stops early and leaves the remaining pairs unannotated. An empty function
  // removes the check.
  virtual void set_cancel_check(std::function<bool()> check) { (void)check; }
};

// The extras of `annotator`, or nullptr for an annotator without them.
AnnotatorExtras* extras_of(Annotator& annotator);
// extras_of(annotator)->usage(), or an empty object.
nlohmann::ordered_json usage_of(Annotator& annotator);

// Installs a cancellation check on an annotator for the lifetime of this object.
class ScopedCancelCheck {
 public:
  ScopedCancelCheck(Annotator& annotator, std::function<bool()> check);
  ~ScopedCancelCheck();
  ScopedCancelCheck(const ScopedCancelCheck&) = delete;
  ScopedCancelCheck& operator=(const ScopedCancelCheck&) = delete;

 private:
  AnnotatorExtras* extras_;
};

// A logger writing to the node's sinks that stays valid after the node's context is gone
// (an Annotator outlives the node that made it). No sinks of its own are created.
std::shared_ptr<spdlog::logger> share_node_logger(NodeContext& context);

// Sums the numeric fields of several usage summaries (for pools and ensembles) and
// recomputes the per-1000 rates from the sums.
nlohmann::ordered_json sum_usage(const std::vector<nlohmann::ordered_json>& summaries);

// "12 requests, $0.0410, 1.9 s per 1000 annotations, ..." for logs.
std::string describe_usage(const nlohmann::ordered_json& usage);

}  // namespace paddock::annotators
