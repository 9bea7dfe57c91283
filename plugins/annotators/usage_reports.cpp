// Usage as JSON, sums of usages, the scoped cancellation check and the usage log line.
#include "usage_reports.hpp"

#include <spdlog/fmt/fmt.h>

namespace paddock::annotators {
namespace {

nlohmann::ordered_json rate_or_null(double total, std::int64_t annotations) {
  const double rate = per_1000_annotations(total, annotations);
  return rate < 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(rate);
}

// Adds the details of one usage into a running total (see sum_usage).
void add_details(nlohmann::ordered_json& total, const nlohmann::ordered_json& details) {
  if (!details.is_object()) return;
  for (const auto& [key, value] : details.items()) {
    if (key.ends_with("_per_1000") || key == "coverage") continue;
    if (value.is_boolean()) {
      total[key] = total.value(key, false) || value.get<bool>();
    } else if (value.is_number_integer()) {
      total[key] = total.value(key, std::int64_t{0}) + value.get<std::int64_t>();
    } else if (value.is_number()) {
      total[key] = total.value(key, 0.0) + value.get<double>();
    } else if (value.is_string() && !total.contains(key)) {
      total[key] = value;
    }
  }
}

}  // namespace

std::optional<AnnotatorUsage> reported_usage(const Annotator& annotator) {
  const UsageReporter* reporter = usage_reporter_of(annotator);
  if (!reporter) return std::nullopt;
  return reporter->usage();
}

nlohmann::ordered_json usage_to_json(const AnnotatorUsage& usage) {
  nlohmann::ordered_json out = {
      {"annotations", usage.annotations},
      {"requests", usage.requests},
      {"prompt_tokens", usage.prompt_tokens},
      {"completion_tokens", usage.completion_tokens},
      {"dollars", usage.dollars},
      {"dollars_known", usage.dollars_known},
      {"seconds", usage.seconds},
      {"dollars_per_1000", rate_or_null(usage.dollars, usage.annotations)},
      {"seconds_per_1000", rate_or_null(usage.seconds, usage.annotations)},
      {"stopped_by_budget", usage.stopped_by_budget},
      {"stopped_by_cancellation", usage.stopped_by_cancellation},
  };
  if (!usage.stop_note.empty()) out["stop_note"] = usage.stop_note;
  if (usage.details.is_object()) {
    for (const auto& [key, value] : usage.details.items()) {
      if (!out.contains(key)) out[key] = value;  // the typed fields win a name clash
    }
  }
  return out;
}

nlohmann::ordered_json usage_of(const Annotator& annotator) {
  const auto usage = reported_usage(annotator);
  return usage ? usage_to_json(*usage) : nlohmann::ordered_json::object();
}

AnnotatorUsage sum_usage(const std::vector<AnnotatorUsage>& parts) {
  AnnotatorUsage total = sum_annotator_usage(parts);
  for (const AnnotatorUsage& part : parts) add_details(total.details, part.details);
  nlohmann::ordered_json& details = total.details;
  if (details.contains("pairs_requested") && details.contains("pairs_found") &&
      details["pairs_requested"].get<std::int64_t>() > 0) {
    details["coverage"] = static_cast<double>(details["pairs_found"].get<std::int64_t>()) /
                          static_cast<double>(details["pairs_requested"].get<std::int64_t>());
  }
  return total;
}

std::optional<AnnotatorUsage> usage_of_annotators(
    const std::vector<std::shared_ptr<Annotator>>& annotators) {
  std::vector<AnnotatorUsage> parts;
  for (const auto& annotator : annotators) {
    if (!annotator) continue;
    if (auto usage = reported_usage(*annotator)) {
      parts.push_back(std::move(*usage));
      continue;
    }
    for (const auto& member : annotator->members()) {
      if (auto usage = member ? reported_usage(*member) : std::nullopt) {
        parts.push_back(std::move(*usage));
      }
    }
  }
  if (parts.empty()) return std::nullopt;
  return sum_usage(parts);
}

ScopedCancelCheck::ScopedCancelCheck(Annotator& annotator, std::function<bool()> check)
    : target_(cancellable_of(annotator)) {
  if (target_) target_->set_cancel_check(std::move(check));
}

ScopedCancelCheck::~ScopedCancelCheck() {
  if (target_) target_->set_cancel_check({});
}

std::string describe_usage(const AnnotatorUsage& usage) {
  std::string text = fmt::format(
      "{} annotations from {} requests, {} prompt + {} completion tokens, ${:.4f}{}, {:.1f} s",
      usage.annotations, usage.requests, usage.prompt_tokens, usage.completion_tokens,
      usage.dollars, usage.dollars_known ? "" : " (some prices unknown)", usage.seconds);
  const double dollars = per_1000_annotations(usage.dollars, usage.annotations);
  const double seconds = per_1000_annotations(usage.seconds, usage.annotations);
  if (dollars >= 0) {
    text += fmt::format("; per 1000 annotations ${:.2f} and {:.1f} s", dollars, seconds);
  }
  if (usage.stopped_by_budget) {
    text += "; BUDGET REACHED: " + (usage.stop_note.empty() ? "budget reached" : usage.stop_note);
  }
  if (usage.stopped_by_cancellation) text += "; stopped by cancellation";
  return text;
}

}  // namespace paddock::annotators
