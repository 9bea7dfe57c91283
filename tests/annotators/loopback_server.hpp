// A scripted HTTP/1.1 server on 127.0.0.1 (an ephemeral port) for testing and benchmarking
// the API judge without a network: Boost.Beast, one thread per connection, keep-alive.
// A handler decides each response (status, headers, body, delay); the server counts the
// requests it received and the responses it finished writing.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace paddock::annotators::testing {

struct ReceivedRequest {
  std::string target;
  std::string authorization;
  std::string body;
};

struct ScriptedResponse {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds delay{0};
};

class LoopbackServer {
 public:
  // `handler(n, request)` answers the n-th request (0-based, in arrival order).
  using Handler = std::function<ScriptedResponse(std::size_t, const ReceivedRequest&)>;

  explicit LoopbackServer(Handler handler)
      : handler_(std::move(handler)), acceptor_(io_, {boost::asio::ip::address_v4::loopback(), 0}) {
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { accept_loop(); });
  }

  ~LoopbackServer() { stop(); }

  void stop() {
    if (stopping_.exchange(true)) return;
    try {  // wake the blocked accept()
      boost::asio::io_context io;
      boost::asio::ip::tcp::socket poke(io);
      poke.connect({boost::asio::ip::address_v4::loopback(), port_});
    } catch (const std::exception&) {
    }
    accept_thread_.join();
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mutex_);
      for (auto& socket : sockets_) ::shutdown(socket->native_handle(), SHUT_RDWR);
      threads = std::move(threads_);
    }
    for (auto& thread : threads) thread.join();
  }

  unsigned short port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  std::size_t requests() const { return requests_.load(); }
  std::size_t completed() const { return completed_.load(); }
  std::size_t max_in_flight() const { return max_in_flight_.load(); }
  std::vector<ReceivedRequest> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  void accept_loop() {
    while (!stopping_) {
      auto socket = std::make_shared<boost::asio::ip::tcp::socket>(io_);
      boost::system::error_code error;
      acceptor_.accept(*socket, error);
      if (error || stopping_) break;
      socket->set_option(boost::asio::ip::tcp::no_delay(true), error);
      std::lock_guard lock(mutex_);
      sockets_.push_back(socket);
      threads_.emplace_back([this, socket] { serve(*socket); });
    }
  }

  void serve(boost::asio::ip::tcp::socket& socket) {
    namespace http = boost::beast::http;
    boost::beast::flat_buffer buffer;
    while (!stopping_) {
      http::request<http::string_body> request;
      boost::system::error_code error;
      http::read(socket, buffer, request, error);
      if (error) return;
      ReceivedRequest received{std::string(request.target()),
                               std::string(request[http::field::authorization]), request.body()};
      const std::size_t number = requests_++;
      {
        std::lock_guard lock(mutex_);
        received_.push_back(received);
      }
      const std::size_t now_in_flight = ++in_flight_;
      std::size_t seen = max_in_flight_.load();
      while (now_in_flight > seen && !max_in_flight_.compare_exchange_weak(seen, now_in_flight)) {
      }
      const ScriptedResponse scripted = handler_(number, received);
      const auto until = std::chrono::steady_clock::now() + scripted.delay;
      while (!stopping_ && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      http::response<http::string_body> response{static_cast<http::status>(scripted.status),
                                                 request.version()};
      response.set(http::field::content_type, "application/json");
      for (const auto& [name, value] : scripted.headers) response.set(name, value);
      response.body() = scripted.body;
      response.keep_alive(request.keep_alive());
      response.prepare_payload();
      http::write(socket, response, error);
      --in_flight_;
      if (error) return;
      ++completed_;
      if (!request.keep_alive()) return;
    }
  }

  Handler handler_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> requests_{0}, completed_{0}, in_flight_{0}, max_in_flight_{0};
  std::thread accept_thread_;
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<boost::asio::ip::tcp::socket>> sockets_;
  std::vector<std::thread> threads_;
  std::vector<ReceivedRequest> received_;
};

}  // namespace paddock::annotators::testing
