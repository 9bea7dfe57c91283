// The run coordinator's sockets: rendezvous with an identity check, barriers, failure news.
#include "paddock/core/rank_coordinator.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <thread>

#include "paddock/error.hpp"

namespace paddock::core {
namespace {

using Clock = std::chrono::steady_clock;

std::string system_error_text() {
  return std::strerror(errno);
}

std::string one_line(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return text;
}

// Dead peers are noticed by a closed connection; keepalive also notices a machine that
// vanished without closing it (about a minute: 30 s idle, then 3 probes 10 s apart).
void configure_socket(int socket) {
  const int on = 1, idle = 30, interval = 10, probes = 3;
  ::setsockopt(socket, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  ::setsockopt(socket, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  ::setsockopt(socket, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  ::setsockopt(socket, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof probes);
  ::setsockopt(socket, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

bool send_line(int socket, const std::string& line) {
  const std::string text = line + "\n";
  std::size_t sent = 0;
  while (sent < text.size()) {
    // MSG_NOSIGNAL: a peer that died must give an error here, not a SIGPIPE that kills us.
    const ssize_t written = ::send(socket, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    sent += static_cast<std::size_t>(written);
  }
  return true;
}

// No message of the protocol comes near this; a longer line is not from a rank.
constexpr std::size_t kMaxLineBytes = 64 * 1024;
// How long rank 0 waits for a new connection's hello, so a silent stranger cannot hold up
// the rendezvous.
constexpr std::chrono::seconds kHelloTimeout{10};

// Reads one line; nullopt when the peer closed the connection (or it broke). Waits at most
// until `deadline` when one is given, then throws; throws on a line over kMaxLineBytes.
std::optional<std::string> read_line(int socket, std::string& pending,
                                     std::optional<Clock::time_point> deadline = std::nullopt) {
  while (true) {
    if (const auto end = pending.find('\n'); end != std::string::npos) {
      std::string line = pending.substr(0, end);
      pending.erase(0, end + 1);
      return line;
    }
    if (pending.size() > kMaxLineBytes)
      throw Error("a peer of the run coordinator sent a line of over " +
                  std::to_string(kMaxLineBytes) + " bytes");
    if (deadline) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now()).count();
      pollfd watched{socket, POLLIN, 0};
      const int ready = left > 0 ? ::poll(&watched, 1, static_cast<int>(left)) : 0;
      if (ready < 0 && errno == EINTR) continue;
      if (ready == 0) throw Error("timed out waiting for the run coordinator");
    }
    char buffer[4096];
    const ssize_t got = ::recv(socket, buffer, sizeof buffer, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return std::nullopt;
    pending.append(buffer, static_cast<std::size_t>(got));
  }
}

std::pair<std::string, std::string> split_word(const std::string& line) {
  const auto space = line.find(' ');
  if (space == std::string::npos) return {line, ""};
  return {line.substr(0, space), line.substr(space + 1)};
}

std::string endpoint(const RankEnvironment& environment) {
  return environment.master_address + ":" + std::to_string(environment.coordinator_port);
}

int listen_socket(const RankEnvironment& environment) {
  const std::string bind_address = coordinator_bind(environment);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(environment.coordinator_port);
  if (::inet_pton(AF_INET, bind_address.c_str(), &address.sin_addr) != 1)
    throw Error("rank 0: '" + bind_address + "' is not an IPv4 address to listen on");
  const int socket = ::socket(AF_INET, SOCK_STREAM, 0);
  if (socket < 0) throw Error("rank 0: cannot create a socket: " + system_error_text());
  const int on = 1;
  ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (::bind(socket, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(socket, 128) != 0) {
    const std::string reason = system_error_text();
    ::close(socket);
    throw Error("rank 0: cannot listen on " + bind_address + ":" +
                std::to_string(environment.coordinator_port) +
                " for the run coordinator: " + reason +
                "; set PADDOCK_COORDINATOR_PORT (or MASTER_PORT) to a free port, or "
                "PADDOCK_COORDINATOR_BIND to an address of this machine");
  }
  return socket;
}

// Compares in time that depends on the length only, so a stranger cannot guess the token
// one character at a time.
bool same_token(const std::string& given, const std::string& expected) {
  if (expected.empty() || given.size() != expected.size()) return false;
  unsigned char difference = 0;
  for (std::size_t i = 0; i < given.size(); ++i)
    difference |= static_cast<unsigned char>(given[i] ^ expected[i]);
  return difference == 0;
}

int connect_with_retries(const RankEnvironment& environment, Clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  std::string last_error = "no attempt";
  while (Clock::now() < deadline) {
    addrinfo* found = nullptr;
    const std::string port = std::to_string(environment.coordinator_port);
    const int status =
        ::getaddrinfo(environment.master_address.c_str(), port.c_str(), &hints, &found);
    if (status != 0) {
      last_error = ::gai_strerror(status);
    } else {
      for (addrinfo* candidate = found; candidate != nullptr; candidate = candidate->ai_next) {
        const int socket =
            ::socket(candidate->ai_family, candidate->ai_socktype, candidate->ai_protocol);
        if (socket < 0) continue;
        if (::connect(socket, candidate->ai_addr, candidate->ai_addrlen) == 0) {
          ::freeaddrinfo(found);
          return socket;
        }
        last_error = system_error_text();
        ::close(socket);
      }
      ::freeaddrinfo(found);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw Error("rank " + std::to_string(environment.rank) +
              " could not reach the run coordinator at " + endpoint(environment) + " within " +
              std::to_string(environment.timeout.count()) + " s (" + last_error +
              "); is rank 0 running, and do MASTER_ADDR and the ports point at it?");
}

}  // namespace

RankCoordinator::RankCoordinator(RankEnvironment environment, std::vector<int> sockets)
    : environment_(std::move(environment)),
      sockets_(std::move(sockets)),
      pending_(sockets_.size()) {}

RankCoordinator::~RankCoordinator() {
  for (int socket : sockets_)
    if (socket >= 0) ::close(socket);
}

std::unique_ptr<RankCoordinator> RankCoordinator::join(const RankEnvironment& environment,
                                                       const std::string& identity) {
  const auto deadline = Clock::now() + environment.timeout;
  const std::string my_identity = one_line(identity);
  if (environment.rank != 0) {
    const int socket = connect_with_retries(environment, deadline);
    configure_socket(socket);
    std::unique_ptr<RankCoordinator> member(new RankCoordinator(environment, {socket}));
    const std::string where = "rank " + std::to_string(environment.rank) + ": ";
    const std::string token = environment.run_token.empty() ? "-" : environment.run_token;
    if (!send_line(socket,
                   "hello " + std::to_string(environment.rank) + " " + token + " " + my_identity))
      throw Error(where + "lost the connection to the run coordinator at " + endpoint(environment));
    const auto reply = read_line(socket, member->pending_[0], deadline);
    if (!reply)
      throw Error(where + "the run coordinator at " + endpoint(environment) +
                  " closed the connection while the ranks were meeting");
    const auto [word, rest] = split_word(*reply);
    if (word == "refuse") throw Error(where + "rank 0 refused this rank: " + rest);
    if (word != "welcome")
      throw Error(where + "unexpected answer from the run coordinator: '" + *reply + "'");
    return member;
  }

  const int listener = listen_socket(environment);
  std::vector<int> sockets(static_cast<std::size_t>(environment.world_size - 1), -1);
  std::vector<std::string> pending(sockets.size());
  std::string refusal;
  int joined = 0;
  try {
    while (joined < environment.world_size - 1) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      pollfd watched{listener, POLLIN, 0};
      const int ready = left > 0 ? ::poll(&watched, 1, static_cast<int>(left)) : 0;
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) {
        std::string missing;
        for (std::size_t i = 0; i < sockets.size(); ++i)
          if (sockets[i] < 0) missing += (missing.empty() ? "" : ", ") + std::to_string(i + 1);
        throw Error("rank 0: only " + std::to_string(joined) + " of the " +
                    std::to_string(environment.world_size - 1) +
                    " other ranks reached the run coordinator on port " +
                    std::to_string(environment.coordinator_port) + " within " +
                    std::to_string(environment.timeout.count()) + " s (missing: rank " + missing +
                    "); start every rank with the same WORLD_SIZE, MASTER_ADDR and MASTER_PORT");
      }
      const int socket = ::accept(listener, nullptr, nullptr);
      if (socket < 0) continue;
      configure_socket(socket);
      std::string buffer;
      std::optional<std::string> hello;
      try {
        hello = read_line(socket, buffer, std::min(deadline, Clock::now() + kHelloTimeout));
      } catch (const Error&) {
        ::close(socket);  // silent or flooding: not a rank
        continue;
      }
      const auto [word, rest] = split_word(hello.value_or(""));
      const auto [rank_text, after_rank] = split_word(rest);
      const auto [their_token, their_identity] = split_word(after_rank);
      if (!environment.run_token.empty() && !same_token(their_token, environment.run_token)) {
        send_line(socket,
                  "refuse this connection did not present the run's token "
                  "(PADDOCK_RUN_TOKEN)");
        ::close(socket);
        continue;
      }
      int rank = -1;
      try {
        rank = word == "hello" ? std::stoi(rank_text) : -1;
      } catch (const std::exception&) {
      }
      if (rank < 1 || rank >= environment.world_size ||
          sockets[static_cast<std::size_t>(rank - 1)] >= 0) {
        send_line(socket, "refuse rank '" + rank_text + "' is out of range or taken twice");
        ::close(socket);
        continue;
      }
      sockets[static_cast<std::size_t>(rank - 1)] = socket;
      pending[static_cast<std::size_t>(rank - 1)] = buffer;
      ++joined;
      if (their_identity != my_identity && refusal.empty())
        refusal = "rank " + std::to_string(rank) +
                  " has another pipeline or plan than rank 0 (identity " + their_identity +
                  " against " + my_identity +
                  "); every rank must run the same command on the same pipeline, parameters and "
                  "workdir";
    }
  } catch (...) {
    ::close(listener);
    for (int socket : sockets)
      if (socket >= 0) ::close(socket);
    throw;
  }
  ::close(listener);
  for (int socket : sockets) send_line(socket, refusal.empty() ? "welcome" : "refuse " + refusal);
  std::unique_ptr<RankCoordinator> coordinator(new RankCoordinator(environment, sockets));
  coordinator->pending_ = std::move(pending);
  if (!refusal.empty()) throw Error("rank 0: " + refusal);
  return coordinator;
}

void RankCoordinator::barrier(const std::string& label) {
  if (failed_) throw Error("the run coordinator already reported a failure");
  if (environment_.rank == 0)
    barrier_as_rank_zero(one_line(label));
  else
    barrier_as_member(one_line(label));
}

void RankCoordinator::barrier_as_member(const std::string& label) {
  const std::string where = "rank " + std::to_string(environment_.rank) + ": ";
  const std::string lost = where + "lost the connection to rank 0 (at " + endpoint(environment_) +
                           ") while waiting for '" + label +
                           "'; rank 0 failed or was killed, see its log";
  if (!send_line(sockets_[0], "arrive " + label)) throw Error(lost);
  const auto reply = read_line(sockets_[0], pending_[0]);
  if (!reply) throw Error(lost);
  const auto [word, rest] = split_word(*reply);
  if (word == "go") return;
  failed_ = true;
  if (word == "fail") throw Error(where + "stopping because " + rest);
  throw Error(where + "unexpected answer from the run coordinator: '" + *reply + "'");
}

void RankCoordinator::barrier_as_rank_zero(const std::string& label) {
  std::vector<bool> arrived(sockets_.size(), false);
  std::size_t count = 0;
  std::string failure;
  while (count < sockets_.size() && failure.empty()) {
    std::vector<pollfd> watched;
    std::vector<std::size_t> index;
    for (std::size_t i = 0; i < sockets_.size(); ++i) {
      if (arrived[i]) continue;
      if (pending_[i].find('\n') != std::string::npos) {
        watched.clear();  // a whole line is buffered already: handle it without waiting
        index.assign(1, i);
        break;
      }
      watched.push_back({sockets_[i], POLLIN, 0});
      index.push_back(i);
    }
    if (!watched.empty()) {
      const int ready = ::poll(watched.data(), watched.size(), -1);
      if (ready < 0 && errno == EINTR) continue;
      if (ready < 0) {
        failure = "rank 0 could not wait for the other ranks: " + system_error_text();
        break;
      }
    }
    for (std::size_t k = 0; k < index.size(); ++k) {
      if (!watched.empty() && watched[k].revents == 0) continue;
      const std::size_t i = index[k];
      const std::string rank = "rank " + std::to_string(i + 1);
      const auto line = read_line(sockets_[i], pending_[i]);
      if (!line) {
        failure = rank + " lost its connection to rank 0 before '" + label +
                  "' (it failed or was killed; see its log)";
        break;
      }
      const auto [word, rest] = split_word(*line);
      if (word == "fail") {
        failure = rank + " failed: " + rest;
        break;
      }
      if (word != "arrive" || rest != label) {
        failure = rank + " arrived at '" + rest + "' while rank 0 is at '" + label +
                  "'; the ranks disagree about what runs";
        break;
      }
      arrived[i] = true;
      ++count;
    }
  }
  if (!failure.empty()) {
    fail_everyone(failure);
    throw Error("rank 0: stopping because " + failure);
  }
  for (int socket : sockets_) send_line(socket, "go");
}

void RankCoordinator::fail_everyone(const std::string& message) noexcept {
  failed_ = true;
  for (int socket : sockets_) send_line(socket, "fail " + one_line(message));
}

void RankCoordinator::report_failure(const std::string& message) noexcept {
  if (failed_) return;
  if (environment_.rank == 0) {
    fail_everyone("rank 0 failed: " + one_line(message));
  } else {
    failed_ = true;
    send_line(sockets_[0], "fail " + one_line(message));
  }
}

}  // namespace paddock::core
