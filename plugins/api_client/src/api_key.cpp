// Reading and redacting API keys.
#include "paddock/api_client/api_key.hpp"

#include <cstdlib>

#include "paddock/error.hpp"

namespace paddock::api_client {

std::string read_api_key(const std::string& variable, const std::string& who) {
  if (variable.empty()) return "";
  const char* value = std::getenv(variable.c_str());
  if (value == nullptr || *value == '\0') {
    throw Error(who + ": the environment variable '" + variable +
                "' (api_key_env) is not set; export the API key in it, or set api_key_env = "
                "\"\" for a server without authentication");
  }
  return value;
}

std::string redact(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  std::size_t at = 0;
  while ((at = text.find(secret, at)) != std::string::npos) {
    text.replace(at, secret.size(), "[redacted]");
    at += 10;
  }
  return text;
}

}  // namespace paddock::api_client
