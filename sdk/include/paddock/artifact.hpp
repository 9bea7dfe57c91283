// Artifacts are the values that travel along a pipeline's edges. Each has a type name that
// ports declare; the host persists the persistable ones between runs.
#pragma once

#include <string_view>

#include "paddock/export.hpp"

namespace paddock {

// The artifact type names ports may declare.
namespace artifact_type {
inline constexpr std::string_view kDataset = "Dataset";
inline constexpr std::string_view kModel = "Model";
inline constexpr std::string_view kAnnotator = "Annotator";
inline constexpr std::string_view kReport = "Report";
}  // namespace artifact_type

class PADDOCK_API Artifact {
 public:
  virtual ~Artifact();
  virtual std::string_view type_name() const = 0;
};

}  // namespace paddock
