// The HTTP side of `paddock serve`: Boost.Beast over blocking sockets, one thread per
// connection (keep-alive), request size limits and deadlines, a connection limit at which
// idle connections give way, a structured access log, and a stop() that lets every request
// already being handled finish.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <spdlog/logger.h>

#include "request_handler.hpp"

namespace paddock::serve {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8000;  // 0: any free port (see port())
  std::size_t max_body_bytes = 1 << 20;
  std::size_t max_header_bytes = 16 << 10;
  std::size_t max_connections = 256;
  double idle_timeout_seconds = 60;    // silent this long between requests: closed
  double header_timeout_seconds = 10;  // a request's header, from its first byte: else 408
  double body_timeout_seconds = 60;    // its body, after the header: else 408
  // A request refused unread (413, 431, 400) has what its client still sends read and
  // discarded, up to these bounds, so that the client sees the answer.
  std::size_t refusal_drain_bytes = 64 << 20;
  double refusal_drain_seconds = 5;
};

class ApiServer {
 public:
  // `access_log` gets one JSON object per request (may be null).
  ApiServer(ServerOptions options, RequestHandler& handler,
            std::shared_ptr<spdlog::logger> access_log);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds and starts accepting; throws paddock::Error when the address cannot be used.
  void start();
  std::uint16_t port() const { return port_; }
  // Stops accepting, closes idle connections, waits for the requests being handled to be
  // answered in full, and returns when every connection thread has ended.
  void stop();

 private:
  struct Implementation;
  std::unique_ptr<Implementation> implementation_;
  std::uint16_t port_ = 0;
};

}  // namespace paddock::serve
