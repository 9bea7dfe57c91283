// Annotator: a live pairwise-preference service. Given pairs of outputs for one instruction
// it says which is better. It is not persisted: the node that makes it runs again whenever
// a consumer needs it (building one is cheap; its paid work lives in its own cache).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "paddock/artifact.hpp"

namespace paddock {

struct PreferencePair {
  std::string instruction;
  std::string input;
  std::string output_1;
  std::string output_2;
  // Other columns of the source rows (e.g. a synthetic world's hidden answer); judges that
  // need no such knowledge ignore it.
  nlohmann::ordered_json metadata = nlohmann::ordered_json::object();
};

struct Annotation {
  // 0 = tie, 1 = output_1 better, 2 = output_2 better; empty = unannotated (never guessed).
  std::optional<int> preference;
  std::string annotator;
  std::string raw;                             // the judge's raw text or reason, where there is one
  std::optional<double> probability_output_2;  // P(output_2 better), where known
};

class PADDOCK_API Annotator : public Artifact {
 public:
  ~Annotator() override;
  std::string_view type_name() const override { return artifact_type::kAnnotator; }

  virtual std::string name() const = 0;
  // One annotation per pair, in order.
  virtual std::vector<Annotation> annotate(std::span<const PreferencePair> pairs) = 0;
  // A pool of judges (e.g. 13 personas) lists its members, so an ensemble can pick one judge
  // per row; a single judge returns an empty list.
  virtual std::vector<std::shared_ptr<Annotator>> members() const { return {}; }
};

}  // namespace paddock
