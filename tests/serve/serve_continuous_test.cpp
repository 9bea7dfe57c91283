// `paddock serve` with continuous batching, in process: a request that arrives while another
// decodes joins the running batch and both get what they get alone; clients asking for very
// different lengths all get their own answers; a client that disconnects (streaming or not)
// has its job cancelled, the server stays healthy and the slot goes to the next request; and
// `--batching dynamic` keeps the old behaviour. The GatedGenerator holds the generation at a
// chosen step, so nothing here depends on timing.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <future>
#include <thread>

#include "http_test_client.hpp"
#include "serve_fixture.hpp"

namespace paddock::serve::testing {
namespace {

using nlohmann::json;

json completion(const std::string& prompt, std::int64_t max_tokens, json extra = json::object()) {
  json body = {
      {"model", kModelName}, {"prompt", prompt}, {"max_tokens", max_tokens}, {"temperature", 0}};
  for (const auto& [key, value] : extra.items()) body[key] = value;
  return body;
}

GenerationOptions options_of(const json& body) {
  GenerationOptions options;
  options.temperature = body.value("temperature", 1.0);
  options.top_p = body.value("top_p", 1.0);
  options.max_new_tokens = body["max_tokens"];
  options.seed = body.value("seed", std::uint64_t{0});
  return options;
}

// What the model gives the completion request `body` alone, generated locally.
std::string alone_text(const json& body) {
  auto model = make_tiny_model();  // its own instance: the server's is busy on its thread
  return model->as<TextGenerator>()->generate({body["prompt"]}, options_of(body))[0][0].text;
}

// Polls `condition` until it holds or a minute passed (a deadline, not a timing assertion).
template <typename Condition>
bool eventually(Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// A client that sends a request and then goes away without reading the whole answer.
class LeavingClient {
 public:
  LeavingClient(unsigned short port, const json& body) : socket_(io_) {
    namespace http = boost::beast::http;
    socket_.connect({boost::asio::ip::address_v4::loopback(), port});
    http::request<http::string_body> request{http::verb::post, "/v1/completions", 11};
    request.set(http::field::host, "127.0.0.1");
    request.set(http::field::content_type, "application/json");
    request.body() = body.dump();
    request.prepare_payload();
    http::write(socket_, request);
  }
  // Reads until the stream has carried `text` (an event) or the server closed.
  bool read_until(const std::string& text) {
    char buffer[4096];
    while (received_.find(text) == std::string::npos) {
      boost::system::error_code error;
      const std::size_t count = socket_.read_some(boost::asio::buffer(buffer), error);
      if (error) return false;
      received_.append(buffer, count);
    }
    return true;
  }
  void leave() {
    boost::system::error_code ignored;
    socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  std::string received_;
};

TEST(ServeContinuousTest, RequestArrivingWhileAnotherDecodesJoinsTheRunningBatch) {
  for (const bool seeded : {false, true}) {
    ServeSetup setup;
    setup.pause_at_step = 3;
    ServedTinyModel served(setup);
    ASSERT_EQ(served.scheduler().batching(), BatchingMode::continuous);
    const json extra =
        seeded ? json{{"temperature", 1.0}, {"top_p", 0.9}, {"seed", 17}} : json::object();
    const json long_request = completion("Reverse the word cat.", 80, extra);
    const json short_request = completion("Name a colour: ", 12, extra);
    auto first = std::async(std::launch::async, [&] {
      return post_json(served.port(), "/v1/completions", long_request);
    });
    ASSERT_TRUE(served.gate().wait_until_paused());  // the long request has taken 3 tokens
    auto second = std::async(std::launch::async, [&] {
      return post_json(served.port(), "/v1/completions", short_request);
    });
    ASSERT_TRUE(eventually([&] { return served.scheduler().queued() == 1; }));
    served.gate().release();
    const HttpReply long_reply = first.get(), short_reply = second.get();
    ASSERT_EQ(long_reply.status, 200) << long_reply.body;
    ASSERT_EQ(short_reply.status, 200) << short_reply.body;
    EXPECT_EQ(long_reply.json()["choices"][0]["text"], alone_text(long_request));
    EXPECT_EQ(short_reply.json()["choices"][0]["text"], alone_text(short_request));
    const auto counters = served.scheduler().counters();
    EXPECT_EQ(counters.calls, 1u) << "the second request waited for a call of its own";
    EXPECT_EQ(counters.joined_running, 1u);
    EXPECT_EQ(counters.jobs, 2u);
    EXPECT_GT(served.gate().tokens_of(0), 3) << "the long request stopped before the other joined";
  }
}

TEST(ServeContinuousTest, ConcurrentClientsWithDifferentLengthsGetTheirAloneAnswers) {
  ServeSetup setup;
  setup.scheduler.max_batch_rows = 6;  // fewer slots than clients: some wait, then join
  ServedTinyModel served(setup);
  const std::vector<std::int64_t> lengths = {4, 120, 9, 60, 16, 100, 7, 33, 80, 12};
  std::vector<json> requests;
  for (std::size_t i = 0; i < lengths.size(); ++i) {
    json extra = json::object();
    if (i % 2 == 1) extra = {{"temperature", 1.0}, {"seed", 40 + i}};
    if (i % 3 == 0) extra["stream"] = true;
    requests.push_back(
        completion("Question " + std::to_string(i) + ": add 2 and 3.", lengths[i], extra));
  }
  std::vector<std::future<HttpReply>> replies;
  for (const json& request : requests) {
    replies.push_back(std::async(std::launch::async, [&served, request] {
      return post_json(served.port(), "/v1/completions", request);
    }));
  }
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const HttpReply reply = replies[i].get();
    ASSERT_EQ(reply.status, 200) << reply.body;
    std::string text;
    if (requests[i].value("stream", false)) {
      for (const std::string& event : event_data(reply.body)) {
        if (event == "[DONE]") break;
        text += json::parse(event)["choices"][0]["text"].get<std::string>();
      }
    } else {
      text = reply.json()["choices"][0]["text"];
    }
    json plain = requests[i];
    plain.erase("stream");
    EXPECT_EQ(text, alone_text(plain)) << "client " << i;
  }
  const auto counters = served.scheduler().counters();
  EXPECT_EQ(counters.jobs, requests.size());
  EXPECT_LE(counters.largest_batch_rows, 6u);
}

TEST(ServeContinuousTest, StreamingClientThatLeavesIsCancelledAndItsSlotReused) {
  ServeSetup setup;
  setup.pause_at_step = 3;
  setup.scheduler.max_batch_rows = 1;  // one slot: the next request needs the leaver's
  ServedTinyModel served(setup);
  const json next_request = completion("Name a colour: ", 10);
  {
    LeavingClient leaver(served.port(),
                         completion("Reverse the word cat.", 200, {{"stream", true}}));
    ASSERT_TRUE(served.gate().wait_until_paused());
    ASSERT_TRUE(leaver.read_until("data: "));  // tokens are flowing
    leaver.leave();
  }
  // The connection notices, and cancels the job while the generation is held.
  ASSERT_TRUE(eventually([&] { return served.gate().cancelled_while_paused(0); }));
  auto next = std::async(std::launch::async,
                         [&] { return post_json(served.port(), "/v1/completions", next_request); });
  ASSERT_TRUE(eventually([&] { return served.scheduler().queued() == 1; }));
  served.gate().release();
  const HttpReply reply = next.get();
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json()["choices"][0]["text"], alone_text(next_request));
  const auto counters = served.scheduler().counters();
  EXPECT_EQ(counters.cancelled, 1u);
  EXPECT_EQ(counters.calls, 1u);
  EXPECT_EQ(served.gate().tokens_of(0), 4) << "the cancelled request kept generating";
  EXPECT_EQ(http_request(served.port(), "GET", "/health").status, 200);
}

TEST(ServeContinuousTest, ClientThatClosesBeforeItsAnswerIsCancelled) {
  ServeSetup setup;
  setup.pause_at_step = 2;
  ServedTinyModel served(setup);
  {
    LeavingClient leaver(served.port(), completion("Reverse the word cat.", 200));
    ASSERT_TRUE(served.gate().wait_until_paused());
    leaver.leave();
  }
  ASSERT_TRUE(eventually([&] { return served.gate().cancelled_while_paused(0); }));
  served.gate().release();
  ASSERT_TRUE(eventually([&] { return served.scheduler().counters().cancelled == 1; }));
  EXPECT_EQ(served.gate().tokens_of(0), 3);
  const json request = completion("hello", 8);
  const HttpReply reply = post_json(served.port(), "/v1/completions", request);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json()["choices"][0]["text"], alone_text(request));
}

TEST(ServeContinuousTest, DynamicBatchingStillGivesTheAloneAnswers) {
  ServeSetup setup;
  setup.scheduler.batching = BatchingMode::dynamic;
  setup.scheduler.gather_window = std::chrono::milliseconds(20);
  ServedTinyModel served(setup);
  ASSERT_EQ(served.scheduler().batching(), BatchingMode::dynamic);
  std::vector<json> requests;
  for (int i = 0; i < 6; ++i)
    requests.push_back(completion("Prompt " + std::to_string(i), 4 + 7 * i));
  std::vector<std::future<HttpReply>> replies;
  for (const json& request : requests) {
    replies.push_back(std::async(std::launch::async, [&served, request] {
      return post_json(served.port(), "/v1/completions", request);
    }));
  }
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const HttpReply reply = replies[i].get();
    ASSERT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(reply.json()["choices"][0]["text"], alone_text(requests[i])) << i;
  }
  EXPECT_EQ(served.scheduler().counters().joined_running, 0u);
}

}  // namespace
}  // namespace paddock::serve::testing
