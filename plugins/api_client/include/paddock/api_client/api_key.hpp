// API keys: read from an environment variable named in the configuration (never the key
// itself), and kept out of every message that could be logged or shown.
#pragma once

#include <string>

namespace paddock::api_client {

// The value of `variable`; empty when `variable` is empty (a server without authentication).
// Throws paddock::Error naming `who` and the variable when it is unset or empty.
std::string read_api_key(const std::string& variable, const std::string& who);

// Replaces every occurrence of `secret` in `text` with "[redacted]" (when secret is
// non-empty).
std::string redact(std::string text, const std::string& secret);

}  // namespace paddock::api_client
