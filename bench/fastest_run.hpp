// The benches' timer: one warm-up run of `work`, then the fastest of `repeats` runs in
// milliseconds (the fastest is the run least disturbed by the rest of a shared machine).
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <limits>

namespace paddock::bench {

inline double fastest_milliseconds(int repeats, const std::function<void()>& work) {
  work();
  double fastest = std::numeric_limits<double>::max();
  for (int i = 0; i < repeats; ++i) {
    const auto start = std::chrono::steady_clock::now();
    work();
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
    fastest = std::min(fastest, took.count());
  }
  return fastest;
}

}  // namespace paddock::bench
