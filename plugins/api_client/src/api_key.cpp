// Reading and redacting API keys.
#include "paddock/api_client/api_key.hpp"

#include <cctype>
#include <cstdlib>

#include "paddock/error.hpp"

namespace paddock::api_client {
namespace {

bool is_variable_name(const std::string& text) {
  if (text.empty() || std::isdigit(static_cast<unsigned char>(text.front()))) return false;
  for (const char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// Where the user:password part of `url` lies: [begin, end) before the '@' of the authority.
std::pair<std::size_t, std::size_t> userinfo_span(const std::string& url) {
  const std::size_t scheme = url.find("://");
  const std::size_t begin = scheme == std::string::npos ? 0 : scheme + 3;
  const std::size_t authority_end = url.find_first_of("/?#", begin);
  const std::size_t at =
      url.rfind('@', authority_end == std::string::npos ? std::string::npos : authority_end - 1);
  if (at == std::string::npos || at < begin ||
      (authority_end != std::string::npos && at >= authority_end)) {
    return {std::string::npos, std::string::npos};
  }
  return {begin, at};
}

}  // namespace

void check_api_key_variable(const std::string& variable, const std::string& who) {
  if (variable.empty() || is_variable_name(variable)) return;
  throw Error(who +
              ": api_key_env must name the environment variable that holds the API key "
              "(letters, digits and underscores, such as OPENAI_API_KEY), not hold the key "
              "itself; the value given (" +
              std::to_string(variable.size()) +
              " characters) is not repeated here. Export the key in a variable and name that, "
              "or set api_key_env = \"none\" for a server without authentication");
}

std::string read_api_key(const std::string& variable, const std::string& who) {
  if (variable.empty()) return "";
  check_api_key_variable(variable, who);
  const char* value = std::getenv(variable.c_str());
  if (value == nullptr || *value == '\0') {
    throw Error(who + ": the environment variable '" + variable +
                "' (api_key_env) is not set; export the API key in it, or set api_key_env = "
                "\"none\" for a server without authentication");
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

std::string url_userinfo(const std::string& url) {
  const auto [begin, end] = userinfo_span(url);
  return begin == std::string::npos ? "" : url.substr(begin, end - begin);
}

std::string url_for_messages(const std::string& url) {
  const auto [begin, end] = userinfo_span(url);
  if (begin == std::string::npos) return url;
  return url.substr(0, begin) + "[redacted]" + url.substr(end);
}

}  // namespace paddock::api_client
