// ApiServer: accepting, reading requests with Beast's parser under size limits, writing
// JSON and event-stream responses, and the access log.
#include "api_server.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <sstream>
#include <vector>

#include "api_error.hpp"
#include "paddock/error.hpp"
#include "request_reader.hpp"

namespace paddock::serve {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr const char* kServerName = "paddock-serve";

std::string iso_time_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(millis));
  return text;
}

void set_socket_timeouts(int descriptor, double seconds) {
  timeval timeout{};
  timeout.tv_sec = static_cast<time_t>(seconds);
  timeout.tv_usec = static_cast<suseconds_t>((seconds - static_cast<double>(timeout.tv_sec)) * 1e6);
  ::setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
}

std::string seconds_text(double seconds) {
  std::ostringstream text;
  text << seconds;
  return text.str();
}

std::string dump(const nlohmann::ordered_json& body) {
  // Generated text is valid UTF-8, but a client's echoed input may not be.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// An Exchange over a connected socket.
class SocketExchange final : public Exchange {
 public:
  SocketExchange(tcp::socket& socket, HttpRequestView request, bool keep_alive)
      : socket_(socket), request_(std::move(request)), keep_alive_(keep_alive) {}

  const HttpRequestView& request() const override { return request_; }

  bool send_json(int status, const nlohmann::ordered_json& body,
                 const std::vector<std::pair<std::string, std::string>>& headers = {}) override {
    http::response<http::string_body> response{static_cast<http::status>(status), 11};
    response.set(http::field::server, kServerName);
    response.set(http::field::content_type, "application/json");
    for (const auto& [name, value] : headers) response.set(name, value);
    response.keep_alive(keep_alive_);
    response.body() = dump(body);
    response.prepare_payload();
    beast::error_code error;
    http::write(socket_, response, error);
    ok_ = ok_ && !error;
    return ok_;
  }

  bool start_events(const std::vector<std::pair<std::string, std::string>>& headers) override {
    http::response<http::empty_body> response{http::status::ok, 11};
    response.set(http::field::server, kServerName);
    response.set(http::field::content_type, "text/event-stream");
    response.set(http::field::cache_control, "no-cache");
    for (const auto& [name, value] : headers) response.set(name, value);
    response.keep_alive(keep_alive_);
    response.chunked(true);
    http::response_serializer<http::empty_body> serializer{response};
    beast::error_code error;
    http::write_header(socket_, serializer, error);
    ok_ = ok_ && !error;
    return ok_;
  }

  bool send_event(const std::string& data) override {
    if (!ok_) return false;
    const std::string event = "data: " + data + "\n\n";
    beast::error_code error;
    asio::write(socket_, http::make_chunk(asio::buffer(event)), error);
    ok_ = !error;
    return ok_;
  }

  bool finish_events() override {
    if (!ok_) return false;
    beast::error_code error;
    asio::write(socket_, http::make_chunk_last(), error);
    ok_ = !error;
    return ok_;
  }

  bool client_connected() override {
    if (!ok_) return false;
    char byte = 0;
    const ssize_t received = ::recv(socket_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (received > 0) return true;    // a pipelined request: still there
    if (received == 0) return false;  // orderly close
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
  }

  bool ok() const { return ok_; }

 private:
  tcp::socket& socket_;
  HttpRequestView request_;
  bool keep_alive_;
  bool ok_ = true;
};

}  // namespace

struct ApiServer::Implementation {
  struct Connection {
    tcp::socket socket;
    bool busy = false;  // a request has been read and is being answered
    bool finished = false;
    bool closed_for_room = false;  // idle, shut down to make room for a new client
    // The socket is closed. Set, and the socket closed, under the mutex: stop() and
    // close_an_idle_connection() shut sockets down from other threads, and must never reach
    // a descriptor number the kernel has already given to another connection.
    bool socket_closed = false;
    // No byte of the next request yet: true from accept() on, so a connection whose thread
    // has not started can give way too; set again after each answered request.
    std::atomic<bool> waiting_for_request{true};
    std::thread thread;
    // Its number, for other threads (Asio's socket object is the connection thread's alone).
    int descriptor = -1;
    explicit Connection(tcp::socket s) : socket(std::move(s)), descriptor(socket.native_handle()) {}
  };

  ServerOptions options;
  RequestHandler& handler;
  std::shared_ptr<spdlog::logger> access_log;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::thread accept_thread;
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::condition_variable connection_ended;
  std::map<std::uint64_t, std::unique_ptr<Connection>> connections;
  std::uint64_t next_id = 0;

  Implementation(ServerOptions server_options, RequestHandler& request_handler,
                 std::shared_ptr<spdlog::logger> log)
      : options(std::move(server_options)), handler(request_handler), access_log(std::move(log)) {}

  void log_access(const HttpRequestView& request, const AccessRecord& record,
                  std::chrono::steady_clock::time_point started) {
    if (!access_log) return;
    nlohmann::ordered_json line = {{"time", iso_time_now()},
                                   {"remote", request.remote},
                                   {"method", request.method},
                                   {"path", request.path},
                                   {"status", record.status}};
    if (!record.request_id.empty()) line["request_id"] = record.request_id;
    if (!record.model.empty()) line["model"] = record.model;
    if (record.choices > 0) {
      line["stream"] = record.stream;
      line["choices"] = record.choices;
      line["prompt_tokens"] = record.prompt_tokens;
      line["completion_tokens"] = record.completion_tokens;
      line["queued_ms"] = std::round(record.queued_ms * 10) / 10;
    }
    line["duration_ms"] = std::round(std::chrono::duration<double, std::milli>(
                                         std::chrono::steady_clock::now() - started)
                                         .count() *
                                     10) /
                          10;
    if (!record.error.empty()) line["error"] = record.error;
    access_log->info("{}", dump(line));
  }

  // Answers a request that could not be read (too large, malformed) and ends the connection.
  void refuse(tcp::socket& socket, const ApiError& error, const std::string& remote,
              const std::string& method, const std::string& path) {
    SocketExchange exchange(socket, {method, path, "", "", remote}, /*keep_alive=*/false);
    exchange.send_json(error.status(), error.body());
    AccessRecord record;
    record.status = error.status();
    record.error = error.what();
    log_access(exchange.request(), record, std::chrono::steady_clock::now());
  }

  void serve_connection(Connection& connection) {
    tcp::socket& socket = connection.socket;
    const int descriptor = socket.native_handle();
    // Bounds each send; reads have their own deadlines (RequestReader).
    set_socket_timeouts(descriptor, options.idle_timeout_seconds);
    beast::error_code error;
    const auto endpoint = socket.remote_endpoint(error);
    const std::string remote =
        error ? "unknown" : endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
    beast::flat_buffer buffer;
    RequestReader reader(descriptor, buffer,
                         {options.idle_timeout_seconds, options.header_timeout_seconds,
                          options.body_timeout_seconds});
    while (!stopping) {
      RequestParser parser;
      parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
      parser.body_limit(options.max_body_bytes);
      const ReadResult header = reader.read_header(parser, &connection.waiting_for_request);
      if (header.status == ReadStatus::client_gone) break;
      if (header.status != ReadStatus::complete) {
        refuse_unread(socket, unreadable(header, "header"), remote, "?", "?");
        break;
      }
      {
        std::lock_guard lock(mutex);
        connection.busy = true;  // from here on, stop() lets this request finish
      }
      const auto started = std::chrono::steady_clock::now();
      auto& head = parser.get();
      const std::string method(head.method_string());
      std::string path(head.target());
      if (const auto query = path.find('?'); query != std::string::npos) path.resize(query);
      if (beast::iequals(head[http::field::expect], "100-continue")) {
        http::response<http::empty_body> proceed{http::status::continue_, 11};
        http::write(socket, proceed, error);
        if (error) break;
      }
      const ReadResult body = reader.read_body(parser);
      if (body.status == ReadStatus::client_gone) break;
      if (body.status != ReadStatus::complete) {
        refuse_unread(socket, unreadable(body, "body"), remote, method, path);
        break;
      }
      const auto& message = parser.get();
      HttpRequestView view{method, path, std::string(message[http::field::authorization]),
                           message.body(), remote};
      const bool keep_alive = message.keep_alive() && !stopping;
      SocketExchange exchange(socket, std::move(view), keep_alive);
      AccessRecord record;
      try {
        handler.handle(exchange, record);
      } catch (const std::exception& failure) {
        const ApiError internal(500, std::string("internal error: ") + failure.what(),
                                "server_error");
        record.status = 500;
        record.error = internal.what();
        exchange.send_json(500, internal.body());
      }
      log_access(exchange.request(), record, started);
      {
        std::lock_guard lock(mutex);
        connection.busy = false;
      }
      if (!keep_alive || !exchange.ok()) break;
      connection.waiting_for_request = true;  // between requests: idle
    }
    std::lock_guard lock(mutex);
    socket.shutdown(tcp::socket::shutdown_both, error);
    socket.close(error);
    connection.socket_closed = true;
  }

  // Answers a request that was not read whole. A client still sending would have its
  // connection reset, and the answer lost, if the socket closed with its bytes unread: they
  // are drained first (bounded). A client too slow for a deadline is not waited for again.
  void refuse_unread(tcp::socket& socket, const ApiError& error, const std::string& remote,
                     const std::string& method, const std::string& path) {
    refuse(socket, error, remote, method, path);
    if (error.status() == 408) return;
    drain_after_refusal(socket.native_handle(), options.refusal_drain_bytes,
                        options.refusal_drain_seconds);
  }

  ApiError unreadable(const ReadResult& result, const std::string& part) const {
    if (result.status == ReadStatus::timed_out) {
      const bool header = part == "header";
      const double seconds = header ? options.header_timeout_seconds : options.body_timeout_seconds;
      return ApiError(408,
                      "the request's " + part + " did not arrive within " + seconds_text(seconds) +
                          " s (" + (header ? "--header-timeout" : "--body-timeout") + ")",
                      "invalid_request_error", "", "request_timeout");
    }
    if (result.error == http::error::body_limit) return too_large();
    if (result.error == http::error::header_limit) {
      return ApiError(431,
                      "the request header is larger than this server's limit of " +
                          std::to_string(options.max_header_bytes) + " bytes",
                      "invalid_request_error");
    }
    return ApiError(
        400, "the request " + part + " could not be read as HTTP/1.1: " + result.error.message());
  }

  ApiError too_large() const {
    return ApiError(413,
                    "the request body is larger than this server's limit of " +
                        std::to_string(options.max_body_bytes) + " bytes (--max-body-bytes)",
                    "invalid_request_error", "", "request_too_large");
  }

  void reap_finished_connections() {
    std::vector<std::unique_ptr<Connection>> done;
    {
      std::lock_guard lock(mutex);
      for (auto it = connections.begin(); it != connections.end();) {
        if (it->second->finished) {
          done.push_back(std::move(it->second));
          it = connections.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (auto& connection : done) connection->thread.join();
  }

  // Connections counted against --max-connections (the mutex held).
  std::size_t open_connections() const {
    std::size_t open = 0;
    for (const auto& [id, connection] : connections)
      if (!connection->finished && !connection->closed_for_room) ++open;
    return open;
  }

  // At the limit, a connection waiting between requests gives way to a new client, so that
  // idle keep-alive connections cannot keep everyone out (the mutex held). The oldest goes.
  bool close_an_idle_connection() {
    for (auto& [id, connection] : connections) {
      if (connection->socket_closed || connection->closed_for_room) continue;
      if (!connection->waiting_for_request.exchange(false)) continue;
      connection->closed_for_room = true;
      ::shutdown(connection->descriptor, SHUT_RD);
      return true;
    }
    return false;
  }

  void accept_loop() {
    while (!stopping) {
      tcp::socket socket(io);
      beast::error_code error;
      acceptor.accept(socket, error);
      if (stopping) break;
      if (error) continue;  // a client that gave up before accept(); keep serving
      reap_finished_connections();
      std::lock_guard lock(mutex);
      if (open_connections() >= options.max_connections && !close_an_idle_connection()) {
        set_socket_timeouts(socket.native_handle(), 1.0);
        refuse(socket,
               ApiError(503,
                        "the server has " + std::to_string(open_connections()) +
                            " open connections, its limit (--max-connections); retry later",
                        "server_error", "", "too_many_connections"),
               "", "?", "?");
        // Only what has already come is discarded: the accept thread does not wait.
        drain_after_refusal(socket.native_handle(), options.refusal_drain_bytes,
                            /*max_seconds=*/0);
        continue;
      }
      const std::uint64_t id = next_id++;
      auto connection = std::make_unique<Connection>(std::move(socket));
      Connection* raw = connection.get();
      connections.emplace(id, std::move(connection));
      raw->thread = std::thread([this, raw] {
        serve_connection(*raw);
        {
          std::lock_guard lock(mutex);
          raw->finished = true;
        }
        connection_ended.notify_all();
      });
    }
  }
};

ApiServer::ApiServer(ServerOptions options, RequestHandler& handler,
                     std::shared_ptr<spdlog::logger> access_log)
    : implementation_(
          std::make_unique<Implementation>(std::move(options), handler, std::move(access_log))) {}

ApiServer::~ApiServer() {
  stop();
}

void ApiServer::start() {
  Implementation& server = *implementation_;
  beast::error_code error;
  const auto address = asio::ip::make_address(server.options.host, error);
  if (error) throw Error("--host '" + server.options.host + "' is not an IP address");
  const tcp::endpoint endpoint(address, server.options.port);
  server.acceptor.open(endpoint.protocol(), error);
  if (!error) server.acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) server.acceptor.bind(endpoint, error);
  if (!error) server.acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    throw Error("cannot listen on " + server.options.host + ":" +
                std::to_string(server.options.port) + ": " + error.message());
  }
  port_ = server.acceptor.local_endpoint().port();
  server.accept_thread = std::thread([&server] { server.accept_loop(); });
}

void ApiServer::stop() {
  Implementation& server = *implementation_;
  if (server.stopping.exchange(true)) return;
  if (server.accept_thread.joinable()) {
    // shutdown() on a listening socket makes the blocked accept() return at once.
    ::shutdown(server.acceptor.native_handle(), SHUT_RDWR);
    server.accept_thread.join();
  }
  beast::error_code error;
  server.acceptor.close(error);
  {
    // Idle keep-alive connections wait in read(); end those reads. Busy ones finish
    // their response and then see `stopping`.
    std::lock_guard lock(server.mutex);
    for (auto& [id, connection] : server.connections) {
      if (!connection->busy && !connection->socket_closed)
        ::shutdown(connection->descriptor, SHUT_RD);
    }
  }
  std::unique_lock lock(server.mutex);
  server.connection_ended.wait(lock, [&server] {
    for (const auto& [id, connection] : server.connections)
      if (!connection->finished) return false;
    return true;
  });
  lock.unlock();
  server.reap_finished_connections();
}

}  // namespace paddock::serve
