// Report: a node's metrics as one JSON document (win rates, accuracies, costs...).
#pragma once

#include <nlohmann/json.hpp>

#include "paddock/artifact.hpp"

namespace paddock {

class PADDOCK_API Report : public Artifact {
 public:
  Report() = default;
  explicit Report(nlohmann::ordered_json content) : content_(std::move(content)) {}
  ~Report() override;

  std::string_view type_name() const override { return artifact_type::kReport; }
  const nlohmann::ordered_json& content() const { return content_; }
  nlohmann::ordered_json& content() { return content_; }

 private:
  nlohmann::ordered_json content_;
};

}  // namespace paddock
