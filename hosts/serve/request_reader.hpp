// Reading one HTTP/1.1 request from a blocking socket under deadlines, and ending a
// connection whose client is still sending. Beast's own read functions only know a timeout
// per recv(), which a client sending one byte at a time never reaches; this reader gives the
// whole header and the whole body a deadline each.
#pragma once

#include <atomic>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>

namespace paddock::serve {

using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

enum class ReadStatus {
  complete,     // the part asked for is in the parser
  client_gone,  // the client closed, stayed silent between requests, or the server stops
  timed_out,    // a request began but its header or body missed the deadline: answer 408
  failed,       // the bytes are not a request within the limits: see `error`
};

struct ReadResult {
  ReadStatus status = ReadStatus::complete;
  boost::system::error_code error;  // for `failed`: Beast's parse error (body_limit, ...)
};

struct ReadDeadlines {
  double idle_seconds = 60;    // for the first byte of a request
  double header_seconds = 10;  // from its first byte to the end of its header
  double body_seconds = 60;    // from the end of the header to the end of the body
};

class RequestReader {
 public:
  // `buffer` keeps bytes read beyond one request (a pipelined next request) between calls.
  RequestReader(int socket_descriptor, boost::beast::flat_buffer& buffer, ReadDeadlines deadlines)
      : socket_(socket_descriptor), buffer_(buffer), deadlines_(deadlines) {}

  // Reads the header. `waiting_for_request`, when given, is true while no byte of the
  // request has come; whoever clears it first owns the connection's fate: the reader when
  // a byte comes, the server when it closes an idle connection to make room (then the
  // read ends as client_gone).
  ReadResult read_header(RequestParser& parser, std::atomic<bool>* waiting_for_request);
  ReadResult read_body(RequestParser& parser);

 private:
  enum class Receive { bytes, closed, timed_out };
  Receive receive_before(double deadline_seconds_from_now);
  ReadResult parse_until(RequestParser& parser, bool header_only, double seconds,
                         std::atomic<bool>* waiting_for_request);

  int socket_;
  boost::beast::flat_buffer& buffer_;
  ReadDeadlines deadlines_;
};

// Ends a connection whose request was refused before it was read whole: stops sending
// (the answer already written goes out, then FIN) and reads and discards what the client
// still sends, up to `max_bytes` or `max_seconds`, so that its kernel does not reset the
// connection before the client reads the answer. Does not close the socket.
void drain_after_refusal(int socket_descriptor, std::size_t max_bytes, double max_seconds);

}  // namespace paddock::serve
