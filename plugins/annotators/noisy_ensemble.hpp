// The noisy ensemble: AlpacaFarm's training-time annotation over a pool of judges.
//
// For a call with pairs, in order:
//   1. duplicate pairs (same instruction, input, output_1, output_2) are judged once;
//   2. identical outputs are a tie (0), with no judge call;
//   3. each row gets one judge, drawn uniformly by the instruction alone:
//        judge = uniform_below(mt19937_64(derive_seed(S, instruction)), number of judges)
//      so every pair of one instruction shares a judge;
//   4. label noise, decided before any judge call: with probability 2p the label is a fair
//      coin (1 or 2) and the judge is not asked (noisy rows cost nothing and are never
//      cached, since no judge sees them); so the label differs from the judge's with
//      probability p (for a judge that never ties);
//        rng = mt19937_64(derive_seed(derive_seed(S, "label_noise"), pair_key))
//        noisy = uniform01(rng) < 2p; coin = 1 + uniform_below(rng, 2)
//   5. the outputs are swapped per row before the judge sees them and the label un-swapped
//      after (pref = 3 - pref, P(output_2) = 1 - P):
//        swap = uniform01(mt19937_64(derive_seed(derive_seed(S, "swap"), pair_key))) < 0.5
//   6. each judge is called once with all its rows (it batches them itself).
// S is the ensemble's seed (see noisy_ensemble_node.cpp) and pair_key the content key of
// pair_key.hpp. Every draw depends on the seed and the row's content only, never on the
// row's position, batching or the process.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "paddock/annotator.hpp"
#include "paddock/annotator_usage.hpp"

namespace paddock::annotators {

// The judges of a list of annotators: an annotator with members() contributes its
// members, any other itself.
std::vector<std::shared_ptr<Annotator>> flatten_judges(
    const std::vector<std::shared_ptr<Annotator>>& annotators);

struct NoisyEnsembleOptions {
  std::string name = "noisy_ensemble";
  double p_label_flip = 0.0;  // 0 .. 0.5
  std::uint64_t seed = 0;     // S above
};

class NoisyEnsembleAnnotator final : public Annotator, public UsageReporter, public Cancellable {
 public:
  // `inputs` as connected; their flattened judges form the pool. Throws when it is empty.
  NoisyEnsembleAnnotator(std::vector<std::shared_ptr<Annotator>> inputs,
                         NoisyEnsembleOptions options);

  std::string name() const override { return options_.name; }
  std::vector<Annotation> annotate(std::span<const PreferencePair> pairs) override;
  // The summed usage of the connected judges (usage_of_annotators), with the ensemble's own
  // counters in the details: judges, rows_judged, rows_label_noise, rows_identical_outputs.
  AnnotatorUsage usage() const override;
  // Passed on to every connected judge that is Cancellable (or to its members).
  void set_cancel_check(std::function<bool()> check) override;

  const std::vector<std::shared_ptr<Annotator>>& judges() const { return judges_; }
  // The draws of steps 3-5, exposed for tests and documentation.
  std::size_t judge_index(const std::string& instruction) const;
  std::optional<int> noise_label(const PreferencePair& pair) const;  // empty = no noise
  bool swaps(const PreferencePair& pair) const;

 private:
  std::vector<std::shared_ptr<Annotator>> inputs_;
  std::vector<std::shared_ptr<Annotator>> judges_;
  NoisyEnsembleOptions options_;
  std::uint64_t noise_seed_;
  std::uint64_t swap_seed_;
  std::int64_t noisy_rows_ = 0;
  std::int64_t judged_rows_ = 0;
  std::int64_t tied_rows_ = 0;
};

}  // namespace paddock::annotators
