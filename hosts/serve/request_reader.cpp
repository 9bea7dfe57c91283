// RequestReader: Beast's parser fed by hand, one recv() at a time, each wait bounded by
// what is left of the phase's deadline.
#include "request_reader.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <vector>

#include <boost/beast/http/error.hpp>

namespace paddock::serve {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kReceiveChunk = 64 << 10;

Clock::time_point after(double seconds) {
  return Clock::now() + std::chrono::duration_cast<Clock::duration>(
                            std::chrono::duration<double>(std::max(seconds, 0.0)));
}

// Milliseconds left until `deadline` for poll(), at least 0.
int milliseconds_until(Clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 1 << 30));
}

// Waits until the socket is readable or `deadline` passes; false on the deadline.
bool wait_readable(int socket, Clock::time_point deadline) {
  while (true) {
    pollfd watched{socket, POLLIN, 0};
    const int ready = ::poll(&watched, 1, milliseconds_until(deadline));
    if (ready > 0) return true;
    if (ready == 0) return false;
    if (errno != EINTR) return true;  // let recv() report the error
  }
}

}  // namespace

RequestReader::Receive RequestReader::receive_before(double seconds) {
  const auto deadline = after(seconds);
  while (true) {
    if (!wait_readable(socket_, deadline)) return Receive::timed_out;
    auto space = buffer_.prepare(kReceiveChunk);
    const ssize_t received = ::recv(socket_, space.data(), space.size(), 0);
    if (received > 0) {
      buffer_.commit(static_cast<std::size_t>(received));
      return Receive::bytes;
    }
    if (received < 0 && errno == EINTR) continue;
    if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // The socket's own receive timeout fired; the deadline decides.
      if (Clock::now() >= deadline) return Receive::timed_out;
      continue;
    }
    return Receive::closed;  // orderly close, reset, or shut down by stop()
  }
}

ReadResult RequestReader::parse_until(RequestParser& parser, bool header_only, double seconds,
                                      std::atomic<bool>* waiting_for_request) {
  namespace http = boost::beast::http;
  const auto done = [&] { return header_only ? parser.is_header_done() : parser.is_done(); };
  // Between requests the idle limit applies; the header's deadline starts at its first byte.
  bool started = !header_only || buffer_.size() > 0;
  const auto claim_request = [&] {
    started = true;
    return waiting_for_request == nullptr || waiting_for_request->exchange(false);
  };
  if (started && header_only && !claim_request()) return {ReadStatus::client_gone, {}};
  auto deadline = after(started ? seconds : deadlines_.idle_seconds);
  while (true) {
    if (done()) return {ReadStatus::complete, {}};
    if (buffer_.size() > 0) {
      boost::system::error_code error;
      const std::size_t used = parser.put(buffer_.data(), error);
      buffer_.consume(used);
      if (error && error != http::error::need_more) return {ReadStatus::failed, error};
      if (done()) return {ReadStatus::complete, {}};
      if (used > 0 && buffer_.size() > 0) continue;
    }
    const double left = std::chrono::duration<double>(deadline - Clock::now()).count();
    if (left <= 0) return {started ? ReadStatus::timed_out : ReadStatus::client_gone, {}};
    const Receive received = receive_before(left);
    if (received == Receive::closed) return {ReadStatus::client_gone, {}};
    if (received == Receive::timed_out)
      return {started ? ReadStatus::timed_out : ReadStatus::client_gone, {}};
    if (!started) {
      if (!claim_request()) return {ReadStatus::client_gone, {}};
      deadline = after(seconds);
    }
  }
}

ReadResult RequestReader::read_header(RequestParser& parser,
                                      std::atomic<bool>* waiting_for_request) {
  return parse_until(parser, /*header_only=*/true, deadlines_.header_seconds, waiting_for_request);
}

ReadResult RequestReader::read_body(RequestParser& parser) {
  return parse_until(parser, /*header_only=*/false, deadlines_.body_seconds, nullptr);
}

void drain_after_refusal(int socket_descriptor, std::size_t max_bytes, double max_seconds) {
  ::shutdown(socket_descriptor, SHUT_WR);
  const auto deadline = after(max_seconds);
  std::vector<char> discard(kReceiveChunk);
  std::size_t drained = 0;
  while (drained < max_bytes && wait_readable(socket_descriptor, deadline)) {
    const ssize_t received = ::recv(socket_descriptor, discard.data(), discard.size(), 0);
    if (received < 0 && errno == EINTR) continue;
    if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (Clock::now() >= deadline) break;
      continue;
    }
    if (received <= 0) break;
    drained += static_cast<std::size_t>(received);
  }
}

}  // namespace paddock::serve
