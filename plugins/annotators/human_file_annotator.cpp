// Lookup and aggregation of imported human annotations.
#include "human_file_annotator.hpp"

#include <array>

#include <spdlog/fmt/fmt.h>

#include "paddock/error.hpp"
#include "pair_key.hpp"

namespace paddock::annotators {

HumanAggregate parse_human_aggregate(const std::string& name) {
  if (name == "majority") return HumanAggregate::majority;
  if (name == "first") return HumanAggregate::first;
  if (name == "last") return HumanAggregate::last;
  throw Error("unknown aggregate rule '" + name + "' (majority, first or last)");
}

Annotation aggregate_votes(const std::vector<HumanVote>& votes, HumanAggregate rule,
                           const std::string& pool_name) {
  Annotation annotation;
  std::array<int, 3> counts{};
  std::string annotators;
  for (const HumanVote& vote : votes) {
    ++counts[static_cast<std::size_t>(vote.preference)];
    if (!vote.annotator.empty()) annotators += (annotators.empty() ? "" : ",") + vote.annotator;
  }
  const double total = static_cast<double>(votes.size());
  annotation.probability_output_2 = (counts[2] + 0.5 * counts[0]) / total;
  annotation.raw = fmt::format("votes: 1={} 2={} tie={}", counts[1], counts[2], counts[0]);
  if (!annotators.empty()) annotation.raw += " by " + annotators;
  switch (rule) {
    case HumanAggregate::first:
    case HumanAggregate::last: {
      const HumanVote& vote = rule == HumanAggregate::first ? votes.front() : votes.back();
      annotation.preference = vote.preference;
      annotation.annotator = vote.annotator.empty() ? pool_name : vote.annotator;
      break;
    }
    case HumanAggregate::majority: {
      int best = 0;
      for (int label = 1; label < 3; ++label) {
        if (counts[static_cast<std::size_t>(label)] > counts[static_cast<std::size_t>(best)]) {
          best = label;
        }
      }
      int leaders = 0;
      for (int count : counts) leaders += count == counts[static_cast<std::size_t>(best)];
      annotation.preference = leaders > 1 ? 0 : best;
      annotation.annotator = votes.size() == 1 && !votes.front().annotator.empty()
                                 ? votes.front().annotator
                                 : pool_name;
      break;
    }
  }
  return annotation;
}

HumanFileAnnotator::HumanFileAnnotator(std::string name,
                                       const std::vector<HumanAnnotationRow>& rows,
                                       HumanAggregate aggregate)
    : name_(std::move(name)), aggregate_(aggregate) {
  for (const HumanAnnotationRow& row : rows) {
    votes_[pair_key(row.instruction, row.input, row.output_1, row.output_2)].push_back(
        {row.preference, row.annotator});
  }
}

std::vector<Annotation> HumanFileAnnotator::annotate(std::span<const PreferencePair> pairs) {
  std::vector<Annotation> annotations(pairs.size());
  std::int64_t found = 0, swapped = 0;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    if (const auto direct = votes_.find(pair_key(pairs[i])); direct != votes_.end()) {
      annotations[i] = aggregate_votes(direct->second, aggregate_, name_);
      ++found;
    } else if (const auto reverse = votes_.find(swapped_pair_key(pairs[i]));
               reverse != votes_.end()) {
      Annotation annotation = aggregate_votes(reverse->second, aggregate_, name_);
      if (annotation.preference && *annotation.preference != 0) {
        annotation.preference = 3 - *annotation.preference;
      }
      annotation.probability_output_2 = 1.0 - *annotation.probability_output_2;
      annotation.raw += " (outputs swapped in the file)";
      annotations[i] = std::move(annotation);
      ++found;
      ++swapped;
    } else {
      annotations[i].annotator = name_;
      annotations[i].raw = "not in the human annotation file";
    }
  }
  std::lock_guard lock(mutex_);
  requested_ += static_cast<std::int64_t>(pairs.size());
  found_ += found;
  found_swapped_ += swapped;
  return annotations;
}

double HumanFileAnnotator::coverage() const {
  std::lock_guard lock(mutex_);
  return requested_ == 0 ? 0.0 : static_cast<double>(found_) / static_cast<double>(requested_);
}

AnnotatorUsage HumanFileAnnotator::usage() const {
  const double ratio = coverage();
  std::lock_guard lock(mutex_);
  AnnotatorUsage usage;
  usage.details = {{"pairs_requested", requested_},
                   {"pairs_found", found_},
                   {"pairs_found_swapped", found_swapped_},
                   {"coverage", ratio}};
  return usage;
}

}  // namespace paddock::annotators
