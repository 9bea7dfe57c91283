// The noisy ensemble's algorithm; see noisy_ensemble.hpp for the order of steps and seeds.
#include "noisy_ensemble.hpp"

#include <random>
#include <unordered_map>

#include "paddock/error.hpp"
#include "paddock/random.hpp"
#include "paddock/seed.hpp"
#include "pair_key.hpp"
#include "usage_reports.hpp"

namespace paddock::annotators {

std::vector<std::shared_ptr<Annotator>> flatten_judges(
    const std::vector<std::shared_ptr<Annotator>>& annotators) {
  std::vector<std::shared_ptr<Annotator>> judges;
  for (const auto& annotator : annotators) {
    if (!annotator) continue;
    auto members = annotator->members();
    if (members.empty()) {
      judges.push_back(annotator);
    } else {
      judges.insert(judges.end(), members.begin(), members.end());
    }
  }
  return judges;
}

NoisyEnsembleAnnotator::NoisyEnsembleAnnotator(std::vector<std::shared_ptr<Annotator>> inputs,
                                               NoisyEnsembleOptions options)
    : inputs_(std::move(inputs)),
      judges_(flatten_judges(inputs_)),
      options_(std::move(options)),
      noise_seed_(derive_seed(options_.seed, "label_noise")),
      swap_seed_(derive_seed(options_.seed, "swap")) {
  if (judges_.empty()) throw Error(options_.name + ": the judge pool is empty");
  if (!(options_.p_label_flip >= 0.0 && options_.p_label_flip <= 0.5)) {
    throw Error(options_.name + ": p_label_flip must lie in [0, 0.5]");
  }
}

std::size_t NoisyEnsembleAnnotator::judge_index(const std::string& instruction) const {
  std::mt19937_64 rng(derive_seed(options_.seed, instruction));
  return static_cast<std::size_t>(uniform_below(rng, judges_.size()));
}

std::optional<int> NoisyEnsembleAnnotator::noise_label(const PreferencePair& pair) const {
  if (options_.p_label_flip <= 0.0) return std::nullopt;
  std::mt19937_64 rng(derive_seed(noise_seed_, pair_key(pair)));
  if (!(uniform01(rng) < 2.0 * options_.p_label_flip)) return std::nullopt;
  return 1 + static_cast<int>(uniform_below(rng, 2));
}

bool NoisyEnsembleAnnotator::swaps(const PreferencePair& pair) const {
  std::mt19937_64 rng(derive_seed(swap_seed_, pair_key(pair)));
  return uniform01(rng) < 0.5;
}

std::vector<Annotation> NoisyEnsembleAnnotator::annotate(std::span<const PreferencePair> pairs) {
  std::vector<Annotation> results(pairs.size());
  std::vector<std::size_t> first_of(pairs.size());
  std::unordered_map<std::string, std::size_t> seen;

  struct JudgeWork {
    std::vector<std::size_t> rows;
    std::vector<bool> swapped;
    std::vector<PreferencePair> shown;
  };
  std::vector<JudgeWork> work(judges_.size());

  for (std::size_t row = 0; row < pairs.size(); ++row) {
    const PreferencePair& pair = pairs[row];
    const auto [where, inserted] = seen.emplace(pair_key(pair), row);
    first_of[row] = where->second;
    if (!inserted) continue;

    if (pair.output_1 == pair.output_2) {
      results[row].preference = 0;
      results[row].probability_output_2 = 0.5;
      results[row].annotator = options_.name;
      results[row].raw = "identical outputs";
      ++tied_rows_;
      continue;
    }
    const std::size_t judge = judge_index(pair.instruction);
    if (const auto coin = noise_label(pair)) {
      results[row].preference = *coin;
      results[row].annotator = judges_[judge]->name();
      results[row].raw = "label noise (fair coin)";
      ++noisy_rows_;
      continue;
    }
    const bool swap = swaps(pair);
    PreferencePair shown = pair;
    if (swap) std::swap(shown.output_1, shown.output_2);
    work[judge].rows.push_back(row);
    work[judge].swapped.push_back(swap);
    work[judge].shown.push_back(std::move(shown));
  }

  for (std::size_t judge = 0; judge < judges_.size(); ++judge) {
    JudgeWork& job = work[judge];
    if (job.rows.empty()) continue;
    std::vector<Annotation> answers = judges_[judge]->annotate(job.shown);
    if (answers.size() != job.rows.size()) {
      throw Error(options_.name + ": judge '" + judges_[judge]->name() + "' returned " +
                  std::to_string(answers.size()) + " annotations for " +
                  std::to_string(job.rows.size()) + " pairs");
    }
    for (std::size_t k = 0; k < answers.size(); ++k) {
      Annotation answer = std::move(answers[k]);
      if (job.swapped[k]) {
        if (answer.preference && *answer.preference != 0)
          answer.preference = 3 - *answer.preference;
        if (answer.probability_output_2)
          answer.probability_output_2 = 1.0 - *answer.probability_output_2;
      }
      answer.annotator = judges_[judge]->name();
      results[job.rows[k]] = std::move(answer);
      ++judged_rows_;
    }
  }

  for (std::size_t row = 0; row < pairs.size(); ++row) {
    if (first_of[row] != row) results[row] = results[first_of[row]];
  }
  return results;
}

AnnotatorUsage NoisyEnsembleAnnotator::usage() const {
  AnnotatorUsage total = usage_of_annotators(inputs_).value_or(AnnotatorUsage{});
  total.details["judges"] = static_cast<std::int64_t>(judges_.size());
  total.details["rows_judged"] = judged_rows_;
  total.details["rows_label_noise"] = noisy_rows_;
  total.details["rows_identical_outputs"] = tied_rows_;
  return total;
}

void NoisyEnsembleAnnotator::set_cancel_check(std::function<bool()> check) {
  for (const auto& input : inputs_) {
    if (Cancellable* target = cancellable_of(*input)) {
      target->set_cancel_check(check);
      continue;
    }
    for (const auto& member : input->members()) {
      if (Cancellable* target = member ? cancellable_of(*member) : nullptr) {
        target->set_cancel_check(check);
      }
    }
  }
}

}  // namespace paddock::annotators
