// AnnotatorExtras lookup, the scoped cancellation check, shared loggers and usage sums.
#include "annotator_extras.hpp"

#include <spdlog/fmt/fmt.h>

namespace paddock::annotators {

AnnotatorExtras::~AnnotatorExtras() = default;

AnnotatorExtras* extras_of(Annotator& annotator) {
  return dynamic_cast<AnnotatorExtras*>(&annotator);
}

nlohmann::ordered_json usage_of(Annotator& annotator) {
  AnnotatorExtras* extras = extras_of(annotator);
  return extras ? extras->usage() : nlohmann::ordered_json::object();
}

ScopedCancelCheck::ScopedCancelCheck(Annotator& annotator, std::function<bool()> check)
    : extras_(extras_of(annotator)) {
  if (extras_) extras_->set_cancel_check(std::move(check));
}

ScopedCancelCheck::~ScopedCancelCheck() {
  if (extras_) extras_->set_cancel_check({});
}

std::shared_ptr<spdlog::logger> share_node_logger(NodeContext& context) {
  spdlog::logger& node_logger = context.log();
  auto logger = std::make_shared<spdlog::logger>(node_logger.name(), node_logger.sinks().begin(),
                                                 node_logger.sinks().end());
  logger->set_level(node_logger.level());
  logger->flush_on(spdlog::level::info);
  return logger;
}

nlohmann::ordered_json sum_usage(const std::vector<nlohmann::ordered_json>& summaries) {
  nlohmann::ordered_json total = nlohmann::ordered_json::object();
  for (const auto& summary : summaries) {
    for (const auto& [key, value] : summary.items()) {
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
  const auto api_annotations = total.value("annotations_from_api", std::int64_t{0});
  if (total.contains("dollars") && api_annotations > 0) {
    total["dollars_per_1000"] = total["dollars"].get<double>() / api_annotations * 1000.0;
    total["seconds_per_1000"] = total.value("api_seconds", 0.0) / api_annotations * 1000.0;
  }
  if (total.contains("pairs_requested") && total["pairs_requested"].get<std::int64_t>() > 0) {
    total["coverage"] = static_cast<double>(total["pairs_found"].get<std::int64_t>()) /
                        static_cast<double>(total["pairs_requested"].get<std::int64_t>());
  }
  return total;
}

std::string describe_usage(const nlohmann::ordered_json& usage) {
  std::string text;
  auto add = [&text](const std::string& part) { text += (text.empty() ? "" : ", ") + part; };
  for (const auto& [key, value] : usage.items()) {
    if (value.is_number_float()) {
      add(fmt::format("{} {:.4g}", key, value.get<double>()));
    } else {
      add(fmt::format("{} {}", key, value.dump()));
    }
  }
  return text.empty() ? "no usage recorded" : text;
}

}  // namespace paddock::annotators
