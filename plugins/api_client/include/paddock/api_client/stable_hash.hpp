// Content keys for caches of API answers.
#pragma once

#include <string>
#include <string_view>

namespace paddock::api_client {

// 32 hex digits: fnv1a_64(text) then fnv1a_64("paddock cache\n" + text), each as 16 digits.
// Stable across processes, platforms and releases.
std::string stable_hash_hex(std::string_view text);

}  // namespace paddock::api_client
