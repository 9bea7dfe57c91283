// The `human_file` annotator: answers pairs from imported human annotations. A pair is
// looked up by (instruction, input, output_1, output_2), and, failing that, with its outputs
// swapped (the label inverted); pairs the file lacks are left unannotated. Several
// annotations of one pair are combined by the aggregate rule.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "human_file_reader.hpp"
#include "paddock/annotator.hpp"
#include "paddock/annotator_usage.hpp"

namespace paddock::annotators {

enum class HumanAggregate {
  majority,  // the most frequent label; a tie between the most frequent labels gives 0
  first,     // the first annotation in file order
  last,      // the last annotation in file order
};
HumanAggregate parse_human_aggregate(const std::string& name);

struct HumanVote {
  int preference = 0;
  std::string annotator;
};

// Combines votes by the rule; P(output_2) = (votes for 2 + half the ties) / votes.
Annotation aggregate_votes(const std::vector<HumanVote>& votes, HumanAggregate rule,
                           const std::string& pool_name);

class HumanFileAnnotator final : public Annotator, public UsageReporter {
 public:
  HumanFileAnnotator(std::string name, const std::vector<HumanAnnotationRow>& rows,
                     HumanAggregate aggregate);

  std::string name() const override { return name_; }
  std::vector<Annotation> annotate(std::span<const PreferencePair> pairs) override;
  // No cost or time (the file was paid for elsewhere); details: pairs_requested,
  // pairs_found, pairs_found_swapped, coverage (found / requested) over every call so far.
  AnnotatorUsage usage() const override;
  double coverage() const;

  std::size_t distinct_pairs() const { return votes_.size(); }

 private:
  std::string name_;
  HumanAggregate aggregate_;
  std::unordered_map<std::string, std::vector<HumanVote>> votes_;
  mutable std::mutex mutex_;
  std::int64_t requested_ = 0;
  std::int64_t found_ = 0;
  std::int64_t found_swapped_ = 0;
};

}  // namespace paddock::annotators
