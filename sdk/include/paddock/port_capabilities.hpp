// The capability names a port may require of, or promise for, the Model it carries: the same
// strings Model::capabilities() lists, so the host can check a Model it was not promised.
#pragma once

namespace paddock::capability {

inline constexpr char kGenerate[] = "generate";  // TextGenerator
inline constexpr char kLogprobs[] = "logprobs";  // token log-probabilities
inline constexpr char kTrain[] = "train";        // a causal LM whose weights train
inline constexpr char kReward[] = "reward";      // a reward head (RewardScorer)
inline constexpr char kValue[] = "value";        // a value head
// TextGenerator::generate may be called from several threads at once (a learner then
// samples independent chunks side by side).
inline constexpr char kConcurrentGenerate[] = "concurrent_generate";

}  // namespace paddock::capability
