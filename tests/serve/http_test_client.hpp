// A blocking HTTP/1.1 client for the serve tests (Boost.Beast): one request per connection,
// the whole response read (a chunked event stream included).
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace paddock::serve::testing {

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;

  nlohmann::json json() const { return nlohmann::json::parse(body); }
  std::string header(const std::string& name) const {
    const auto found = headers.find(name);
    return found == headers.end() ? "" : found->second;
  }
};

inline HttpReply http_request(
    unsigned short port, const std::string& method, const std::string& target,
    const std::string& body = "",
    const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::address_v4::loopback(), port});
  http::request<http::string_body> request{http::string_to_verb(method), target, 11};
  request.set(http::field::host, "127.0.0.1");
  if (!body.empty()) request.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();
  http::write(socket, request);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  http::read(socket, buffer, parser);
  HttpReply reply;
  reply.status = static_cast<int>(parser.get().result_int());
  for (const auto& field : parser.get()) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[name] = std::string(field.value());
  }
  reply.body = parser.get().body();
  beast::error_code ignored;
  socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  return reply;
}

inline HttpReply post_json(unsigned short port, const std::string& target,
                           const nlohmann::json& body,
                           const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  return http_request(port, "POST", target, body.dump(), headers);
}

// The `data:` payloads of a server-sent event stream, in order.
inline std::vector<std::string> event_data(const std::string& stream) {
  std::vector<std::string> events;
  std::size_t start = 0;
  while (start < stream.size()) {
    std::size_t end = stream.find("\n\n", start);
    if (end == std::string::npos) end = stream.size();
    const std::string event = stream.substr(start, end - start);
    if (event.rfind("data: ", 0) == 0)
      events.push_back(event.substr(6));
    else
      events.push_back("MALFORMED:" + event);
    start = end + 2;
  }
  return events;
}

}  // namespace paddock::serve::testing
