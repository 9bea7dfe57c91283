// `paddock serve` against clients that misbehave at the socket level: one still sending a
// body the server has refused, one sending a byte at a time, idle connections at the
// connection limit. Raw sockets, so the test controls every byte and every pause.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "http_test_client.hpp"
#include "serve_fixture.hpp"

namespace paddock::serve::testing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

class RawClient {
 public:
  explicit RawClient(unsigned short port) : socket_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(socket_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~RawClient() { ::close(socket_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }

  // Sends all of `bytes`; false when the server reset or closed the connection meanwhile.
  bool send_all(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t count = ::send(socket_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (count <= 0) return false;
      sent += static_cast<std::size_t>(count);
    }
    return true;
  }

  // True when the server has written something or closed, within `wait`.
  bool readable_within(std::chrono::milliseconds wait) {
    pollfd watched{socket_, POLLIN, 0};
    return ::poll(&watched, 1, static_cast<int>(wait.count())) > 0;
  }

  // Everything the server sends until it closes (or `limit` passes); empty after a reset.
  std::string read_until_closed(std::chrono::seconds limit = 10s) {
    std::string received;
    const auto deadline = Clock::now() + limit;
    char chunk[4096];
    while (Clock::now() < deadline) {
      if (!readable_within(100ms)) continue;
      const ssize_t count = ::recv(socket_, chunk, sizeof chunk, 0);
      if (count <= 0) break;
      received.append(chunk, static_cast<std::size_t>(count));
    }
    return received;
  }

 private:
  int socket_;
  bool connected_ = false;
};

std::string status_line(const std::string& response) {
  return response.substr(0, response.find("\r\n"));
}

std::string completion_header(std::size_t content_length) {
  return "POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
         "Content-Length: " +
         std::to_string(content_length) + "\r\n\r\n";
}

TEST(ServeConnectionTest, AClientStillSendingARefusedBodyReadsThe413) {
  ServeSetup setup;
  setup.server.max_body_bytes = 1 << 20;
  ServedTinyModel served(setup);
  RawClient client(served.port());
  ASSERT_TRUE(client.connected());
  // As Python's http.client does: the whole 5 MB body is written before the answer is read.
  const std::size_t body_bytes = 5 << 20;
  ASSERT_TRUE(client.send_all(completion_header(body_bytes)));
  const std::string chunk(64 << 10, 'a');
  bool sent_everything = true;
  for (std::size_t sent = 0; sent < body_bytes && sent_everything; sent += chunk.size())
    sent_everything = client.send_all(chunk);
  EXPECT_TRUE(sent_everything) << "the server reset the connection while the client sent";
  const std::string response = client.read_until_closed();
  EXPECT_EQ(status_line(response), "HTTP/1.1 413 Payload Too Large");
  EXPECT_NE(response.find("request_too_large"), std::string::npos) << response;
  // And the server goes on.
  EXPECT_EQ(http_request(served.port(), "GET", "/health").status, 200);
}

TEST(ServeConnectionTest, AHeaderSentAByteAtATimeIsCutOffAtItsDeadline) {
  ServeSetup setup;
  setup.server.header_timeout_seconds = 0.5;
  ServedTinyModel served(setup);
  RawClient client(served.port());
  ASSERT_TRUE(client.connected());
  const std::string header = completion_header(10);
  const auto started = Clock::now();
  // One byte every 50 ms: each recv() is quick, the header as a whole never ends in time.
  for (std::size_t i = 0; i < header.size() - 1 && !client.readable_within(50ms); ++i)
    if (!client.send_all(header.substr(i, 1))) break;
  const std::string response = client.read_until_closed();
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  EXPECT_EQ(status_line(response), "HTTP/1.1 408 Request Timeout") << response;
  EXPECT_NE(response.find("--header-timeout"), std::string::npos) << response;
  EXPECT_LT(seconds, 4.0) << "the trickling client held its connection too long";
}

TEST(ServeConnectionTest, ABodySlowerThanItsDeadlineIsAnswered408) {
  ServeSetup setup;
  setup.server.body_timeout_seconds = 0.5;
  ServedTinyModel served(setup);
  RawClient client(served.port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send_all(completion_header(100) + "{\"model\":"));
  const std::string response = client.read_until_closed();
  EXPECT_EQ(status_line(response), "HTTP/1.1 408 Request Timeout") << response;
  EXPECT_NE(response.find("--body-timeout"), std::string::npos) << response;
}

TEST(ServeConnectionTest, IdleConnectionsGiveWayToANewClientAtTheLimit) {
  ServeSetup setup;
  setup.server.max_connections = 2;
  ServedTinyModel served(setup);
  RawClient first_idle(served.port());
  RawClient second_idle(served.port());
  ASSERT_TRUE(first_idle.connected() && second_idle.connected());
  std::this_thread::sleep_for(200ms);  // both accepted and waiting for a request
  EXPECT_EQ(http_request(served.port(), "GET", "/health").status, 200);
  // The oldest idle connection was closed for it; the other is still open.
  EXPECT_TRUE(first_idle.readable_within(2s));
  EXPECT_EQ(first_idle.read_until_closed(1s), "");
  EXPECT_FALSE(second_idle.readable_within(100ms));
}

TEST(ServeConnectionTest, ConnectionsInTheMiddleOfARequestAreNotClosedForRoom) {
  ServeSetup setup;
  setup.server.max_connections = 1;
  ServedTinyModel served(setup);
  RawClient sending(served.port());
  ASSERT_TRUE(sending.connected());
  ASSERT_TRUE(sending.send_all("GET /hea"));
  std::this_thread::sleep_for(1s);  // time for the server to read them, even on a busy machine
  // The one slot is taken by a request under way: the newcomer is refused, not it.
  RawClient newcomer(served.port());
  ASSERT_TRUE(newcomer.connected());
  EXPECT_EQ(status_line(newcomer.read_until_closed()), "HTTP/1.1 503 Service Unavailable");
  ASSERT_TRUE(sending.send_all("lth HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
  EXPECT_EQ(status_line(sending.read_until_closed()), "HTTP/1.1 200 OK");
}

}  // namespace
}  // namespace paddock::serve::testing
