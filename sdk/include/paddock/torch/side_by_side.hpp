// Independent pieces of LibTorch work run side by side on the CPU, each thread with its share
// of the intra-op threads. At the sizes the CPU pipelines run, most ops are too small to
// share between two threads, so two single-threaded pieces at once get more done than one
// piece on two threads (docs/performance.md, "Sampling lanes"). The transformer backend
// decodes its sampling lanes this way; the policy-gradient learners their rollout chunks.
#pragma once

#include <cstddef>
#include <functional>

#include "paddock/export.hpp"

namespace paddock {

// Runs piece(0), ..., piece(count - 1), each once, and returns when all have finished.
// With two or more intra-op threads, min(count, threads) workers take the pieces in order,
// each worker a thread of its own (kept for the next call) with threads / workers intra-op
// threads; otherwise, or while another thread's call has the workers, the pieces run one
// after another on this thread. The caller's LibTorch and OpenBLAS thread
// counts are the same afterwards. After a piece throws no new piece starts; the exception
// of the lowest-numbered piece that threw is rethrown once the running ones finish.
// A piece's result must not depend on the thread it runs on or on its intra-op threads;
// results should go to slots of their own (say, a vector indexed by piece).
PADDOCK_API void run_side_by_side(std::size_t count,
                                  const std::function<void(std::size_t piece)>& piece);

// run_side_by_side when `side_by_side` (callers pass "the work is on the CPU"), otherwise
// piece(0), ..., piece(count - 1) one after another on this thread.
PADDOCK_API void run_pieces(std::size_t count, const std::function<void(std::size_t piece)>& piece,
                            bool side_by_side);

}  // namespace paddock
