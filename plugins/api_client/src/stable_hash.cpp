// stable_hash_hex: two FNV-1a-64 hashes as hex.
#include "paddock/api_client/stable_hash.hpp"

#include <spdlog/fmt/fmt.h>

#include "paddock/seed.hpp"

namespace paddock::api_client {

std::string stable_hash_hex(std::string_view text) {
  const std::string salted = "paddock cache\n" + std::string(text);
  return fmt::format("{:016x}{:016x}", fnv1a_64(text), fnv1a_64(salted));
}

}  // namespace paddock::api_client
