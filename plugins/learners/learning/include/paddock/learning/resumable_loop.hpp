// The outer loop every learner shares: iterations (optimizer steps, RL steps, Quark rounds)
// from where the last checkpoint left off, a checkpoint every `checkpoint_every` iterations
// and when cancelled (so `checkpoint_every = 0` means "only when cancelled"), and the
// `stop_after` testing aid that stops a fresh run as if killed. What an iteration does and
// what a checkpoint holds are the learner's.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace paddock::learning {

struct ResumableLoop {
  std::int64_t start = 0;  // the iteration the run resumes from (0: a fresh run)
  std::int64_t total = 0;
  std::int64_t checkpoint_every = 0;
  std::int64_t stop_after = 0;  // a fresh run stops after this many iterations (0: never)
  std::string unit = "steps";   // what an iteration is, for messages: "optimizer steps"
  std::string stop_parameter = "stop_after_steps";
  std::string where;  // prefix of the stop message, e.g. "node 'sft'"
  // True when the run must stop; with several ranks, the same answer on every rank.
  std::function<bool()> cancelled;
  // The iteration count of the newest checkpoint (`start` until one is written).
  std::function<std::int64_t()> saved;
  std::function<void(std::int64_t done)> save;      // writes a checkpoint after `done`
  std::function<void(std::int64_t index)> iterate;  // runs iteration `index` (0-based)
};

// Runs iterations start..total-1. Throws Cancelled (after saving progress not yet saved)
// when `cancelled` says so at an iteration boundary, and paddock::Error at `stop_after`.
void run_resumable_loop(const ResumableLoop& loop);

}  // namespace paddock::learning
