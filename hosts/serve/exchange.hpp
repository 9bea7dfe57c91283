// One HTTP request and the means to answer it, as the request handler sees them: a whole
// JSON response, or a server-sent event stream. The connection implements it over a socket.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace paddock::serve {

struct HttpRequestView {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string
  std::string authorization;
  std::string body;
  std::string remote;  // client address, for the access log
};

// Filled as the request is handled; the connection writes it as one JSON line.
struct AccessRecord {
  std::string request_id;
  std::string model;
  int status = 0;
  bool stream = false;
  std::int64_t choices = 0;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  double queued_ms = 0;
  std::string error;  // the error message sent, if any
};

class Exchange {
 public:
  virtual ~Exchange() = default;
  virtual const HttpRequestView& request() const = 0;
  // A complete response; false when the client is gone.
  virtual bool send_json(int status, const nlohmann::ordered_json& body,
                         const std::vector<std::pair<std::string, std::string>>& headers = {}) = 0;
  // Starts a 200 text/event-stream response; then each event is "data: TEXT\n\n".
  virtual bool start_events(
      const std::vector<std::pair<std::string, std::string>>& headers = {}) = 0;
  virtual bool send_event(const std::string& data) = 0;
  virtual bool finish_events() = 0;
  // False once the client has closed its side of the connection (or it broke), checked
  // without reading the request stream. A client that half-closes after sending its request
  // counts as gone.
  virtual bool client_connected() { return true; }
};

}  // namespace paddock::serve
