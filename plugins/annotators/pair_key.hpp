// Keys that identify a preference pair by content: for deduplication, for seeding per-row
// draws, and (hashed) for annotation caches. Fields are joined with the unit separator
// \x1f, which does not occur in ordinary text.
#pragma once

#include <string>
#include <string_view>

#include "paddock/annotator.hpp"
#include "paddock/api_client/stable_hash.hpp"

namespace paddock::annotators {

// instruction \x1f input \x1f output_1 \x1f output_2
std::string pair_key(std::string_view instruction, std::string_view input,
                     std::string_view output_1, std::string_view output_2);
std::string pair_key(const PreferencePair& pair);
// The key of the same pair with its outputs swapped.
std::string swapped_pair_key(const PreferencePair& pair);
// instruction \x1f input
std::string prompt_key(std::string_view instruction, std::string_view input);

// stable_hash_hex: 32 hex digits, shared with the other API clients.
using api_client::stable_hash_hex;

}  // namespace paddock::annotators
