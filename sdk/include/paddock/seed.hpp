// Stable string-to-seed derivation. Every random choice in Paddock derives from the pipeline
// seed through these functions; they never change between releases or platforms.
//   fnv1a_64(s)         = 64-bit FNV-1a over the UTF-8 bytes of s
//   splitmix64(x)       = one step of the SplitMix64 finaliser
//   derive_seed(p, s)   = splitmix64(p ^ fnv1a_64(s))
// A node's seed is derive_seed(pipeline_seed, node_name).
#pragma once

#include <cstdint>
#include <string_view>

namespace paddock {

constexpr std::uint64_t fnv1a_64(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : text) {
    hash ^= static_cast<std::uint8_t>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

constexpr std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

constexpr std::uint64_t derive_seed(std::uint64_t parent_seed, std::string_view label) {
  return splitmix64(parent_seed ^ fnv1a_64(label));
}

}  // namespace paddock
