// Parsing the torchrun-style rank variables, with errors that name the variable.
#include "paddock/core/rank_environment.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "paddock/error.hpp"

namespace paddock::core {
namespace {

std::optional<long> integer_variable(const char* (*lookup)(const char*), const char* name,
                                     long minimum, long maximum) {
  const char* text = lookup(name);
  if (text == nullptr || *text == '\0') return std::nullopt;
  const std::string_view value(text);
  long parsed = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (error != std::errc() || end != value.data() + value.size() || parsed < minimum ||
      parsed > maximum) {
    throw Error(std::string("environment variable ") + name + "='" + text +
                "' is not a whole number from " + std::to_string(minimum) + " to " +
                std::to_string(maximum));
  }
  return parsed;
}

const char* from_process_environment(const char* name) {
  return std::getenv(name);
}

}  // namespace

RankEnvironment read_rank_environment() {
  return read_rank_environment(from_process_environment);
}

RankEnvironment read_rank_environment(const char* (*lookup)(const char* name)) {
  RankEnvironment environment;
  const auto world = integer_variable(lookup, "WORLD_SIZE", 1, 65536);
  if (!world || *world == 1) return environment;
  environment.world_size = static_cast<int>(*world);
  const auto rank = integer_variable(lookup, "RANK", 0, *world - 1);
  if (!rank)
    throw Error("WORLD_SIZE=" + std::to_string(*world) +
                " is set but RANK is not; set RANK to this process's rank, 0 to " +
                std::to_string(*world - 1));
  environment.rank = static_cast<int>(*rank);
  environment.local_rank =
      static_cast<int>(integer_variable(lookup, "LOCAL_RANK", 0, *world - 1).value_or(*rank));
  if (const char* address = lookup("MASTER_ADDR"); address != nullptr && *address != '\0')
    environment.master_address = address;
  const auto port = integer_variable(lookup, "MASTER_PORT", 1, 65534);
  if (!port)
    throw Error("WORLD_SIZE=" + std::to_string(*world) +
                " is set but MASTER_PORT is not; set MASTER_ADDR and MASTER_PORT to the address "
                "and a free port of the machine that runs rank 0");
  environment.master_port = static_cast<std::uint16_t>(*port);
  environment.coordinator_port = static_cast<std::uint16_t>(
      integer_variable(lookup, "PADDOCK_COORDINATOR_PORT", 1, 65535).value_or(*port + 1));
  if (environment.coordinator_port == environment.master_port)
    throw Error("PADDOCK_COORDINATOR_PORT equals MASTER_PORT (" + std::to_string(*port) +
                "); the run coordinator needs a port of its own");
  if (const auto seconds = integer_variable(lookup, "PADDOCK_DISTRIBUTED_TIMEOUT", 1, 86400))
    environment.timeout = std::chrono::seconds(*seconds);
  if (const char* bind = lookup("PADDOCK_COORDINATOR_BIND"); bind != nullptr && *bind != '\0') {
    in_addr parsed{};
    if (::inet_pton(AF_INET, bind, &parsed) != 1)
      throw Error(std::string("environment variable PADDOCK_COORDINATOR_BIND='") + bind +
                  "' is not an IPv4 address (such as 127.0.0.1, or 0.0.0.0 for every interface)");
    environment.coordinator_bind = bind;
  }
  if (const char* token = lookup("PADDOCK_RUN_TOKEN"); token != nullptr) {
    environment.run_token = token;
    if (environment.run_token.find_first_of(" \t\r\n") != std::string::npos)
      throw Error("environment variable PADDOCK_RUN_TOKEN must not contain spaces or line breaks");
  }
  return environment;
}

std::string coordinator_bind(const RankEnvironment& environment) {
  if (!environment.coordinator_bind.empty()) return environment.coordinator_bind;
  const std::string& master = environment.master_address;
  const bool loopback = master == "localhost" || master == "::1" || master.rfind("127.", 0) == 0;
  return loopback ? "127.0.0.1" : "0.0.0.0";
}

}  // namespace paddock::core
