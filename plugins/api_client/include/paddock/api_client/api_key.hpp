// API keys: read from an environment variable named in the configuration (never the key
// itself), and kept out of every message that could be logged or shown, including a key
// pasted by mistake into api_key_env or into a URL's user:password@ part.
#pragma once

#include <string>

namespace paddock::api_client {

// Throws paddock::Error naming `who` when `variable` is not a possible environment variable
// name (letters, digits and underscores, not starting with a digit): then it most likely
// holds the key itself, which the message does not repeat. Empty is allowed (no key).
void check_api_key_variable(const std::string& variable, const std::string& who);

// The value of `variable`; empty when `variable` is empty (a server without authentication).
// Throws paddock::Error naming `who` and the variable when it is unset or empty, or when it
// is no variable name (check_api_key_variable).
std::string read_api_key(const std::string& variable, const std::string& who);

// Replaces every occurrence of `secret` in `text` with "[redacted]" (when secret is
// non-empty).
std::string redact(std::string text, const std::string& secret);

// The user:password part of a URL ("" when it has none): a secret like the key.
std::string url_userinfo(const std::string& url);

// `url` with its user:password part, if any, replaced by "[redacted]": how URLs are logged.
std::string url_for_messages(const std::string& url);

}  // namespace paddock::api_client
