// `paddock serve` in process: the three endpoints against the model run locally, batching
// of concurrent clients, the bounded queue, errors, authentication and event streams.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <set>
#include <thread>

#include "http_test_client.hpp"
#include "serve_fixture.hpp"

namespace paddock::serve::testing {
namespace {

using nlohmann::json;

std::string greedy_locally(const std::string& prompt, std::int64_t max_tokens,
                           std::vector<std::string> stop = {}) {
  auto model = make_tiny_model();  // its own instance: the server's is busy on its thread
  GenerationOptions options;
  options.temperature = 0;
  options.max_new_tokens = max_tokens;
  options.stop = std::move(stop);
  return model->as<TextGenerator>()->generate({prompt}, options)[0][0].text;
}

json completion(const std::string& prompt, std::int64_t max_tokens, json extra = json::object()) {
  json body = {
      {"model", kModelName}, {"prompt", prompt}, {"max_tokens", max_tokens}, {"temperature", 0}};
  for (const auto& [key, value] : extra.items()) body[key] = value;
  return body;
}

void expect_openai_error(const HttpReply& reply, int status, const std::string& type,
                         const std::string& param = "") {
  EXPECT_EQ(reply.status, status) << reply.body;
  const json body = json::parse(reply.body, nullptr, false);
  ASSERT_TRUE(body.is_object() && body.contains("error")) << reply.body;
  const json& error = body["error"];
  for (const char* key : {"message", "type", "param", "code"}) {
    EXPECT_TRUE(error.contains(key)) << key << " missing in " << reply.body;
  }
  EXPECT_TRUE(error["message"].is_string() && !error["message"].get<std::string>().empty());
  EXPECT_EQ(error["type"], type) << reply.body;
  if (!param.empty()) EXPECT_EQ(error["param"], param) << reply.body;
  EXPECT_EQ(reply.header("content-type"), "application/json");
}

TEST(ServeTest, ModelsEndpointListsTheServedModel) {
  ServedTinyModel served;
  const HttpReply list = http_request(served.port(), "GET", "/v1/models");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.json()["object"], "list");
  ASSERT_EQ(list.json()["data"].size(), 1u);
  EXPECT_EQ(list.json()["data"][0]["id"], kModelName);
  EXPECT_EQ(list.json()["data"][0]["object"], "model");
  EXPECT_EQ(http_request(served.port(), "GET", "/v1/models/tiny").json()["id"], kModelName);
  expect_openai_error(http_request(served.port(), "GET", "/v1/models/other"), 404,
                      "invalid_request_error", "model");
}

TEST(ServeTest, GreedyCompletionIsWhatTheModelGivesLocally) {
  ServedTinyModel served;
  const HttpReply reply =
      post_json(served.port(), "/v1/completions", completion("Add 2 and 3.", 12));
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json body = reply.json();
  EXPECT_EQ(body["object"], "text_completion");
  EXPECT_EQ(body["model"], kModelName);
  EXPECT_EQ(body["id"].get<std::string>().rfind("cmpl-", 0), 0u);
  ASSERT_EQ(body["choices"].size(), 1u);
  EXPECT_EQ(body["choices"][0]["text"], greedy_locally("Add 2 and 3.", 12));
  EXPECT_EQ(body["choices"][0]["index"], 0);
  EXPECT_TRUE(body["choices"][0]["finish_reason"] == "length" ||
              body["choices"][0]["finish_reason"] == "stop");
  EXPECT_GT(body["usage"]["prompt_tokens"].get<int>(), 0);
  EXPECT_GT(body["usage"]["completion_tokens"].get<int>(), 0);
  EXPECT_EQ(
      body["usage"]["total_tokens"].get<int>(),
      body["usage"]["prompt_tokens"].get<int>() + body["usage"]["completion_tokens"].get<int>());
}

TEST(ServeTest, ChatUsesTheModelsInstructionTemplate) {
  ServedTinyModel served;
  const json request = {{"model", kModelName},
                        {"messages",
                         {{{"role", "system"}, {"content", "Be brief."}},
                          {{"role", "user"}, {"content", "Name a colour."}}}},
                        {"max_tokens", 10},
                        {"temperature", 0}};
  const HttpReply reply = post_json(served.port(), "/v1/chat/completions", request);
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json body = reply.json();
  EXPECT_EQ(body["object"], "chat.completion");
  EXPECT_EQ(body["choices"][0]["message"]["role"], "assistant");
  const std::string prompt = served.generator().format_prompt({"Be brief.\n\nName a colour.", ""});
  EXPECT_EQ(body["choices"][0]["message"]["content"], greedy_locally(prompt, 10));

  json multi_turn = request;
  multi_turn["messages"].push_back({{"role", "assistant"}, {"content", "Blue."}});
  multi_turn["messages"].push_back({{"role", "user"}, {"content", "Another."}});
  expect_openai_error(post_json(served.port(), "/v1/chat/completions", multi_turn), 400,
                      "invalid_request_error");
}

TEST(ServeTest, SeveralPromptsAndSamplesAreNumberedLikeOpenAI) {
  ServedTinyModel served;
  const HttpReply reply =
      post_json(served.port(), "/v1/completions",
                completion("", 6,
                           {{"prompt", {"Add 2 and 3.", "Reverse the word cat."}},
                            {"n", 2},
                            {"temperature", 1.0},
                            {"seed", 3}}));
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json choices = reply.json()["choices"];
  ASSERT_EQ(choices.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(choices[i]["index"], i);
  // The same seed gives the same samples again.
  const HttpReply again =
      post_json(served.port(), "/v1/completions",
                completion("", 6,
                           {{"prompt", {"Add 2 and 3.", "Reverse the word cat."}},
                            {"n", 2},
                            {"temperature", 1.0},
                            {"seed", 3}}));
  EXPECT_EQ(again.json()["choices"], choices);
}

TEST(ServeTest, ConcurrentClientsGetTheAnswersTheyGetAlone) {
  ServeSetup setup;
  setup.scheduler.gather_window = std::chrono::milliseconds(20);
  ServedTinyModel served(setup);
  constexpr int kClients = 12;
  std::vector<std::string> prompts;
  std::vector<json> alone;
  for (int i = 0; i < kClients; ++i) {
    prompts.push_back("Question " + std::to_string(i) + ": add " + std::to_string(i) + " and 3.");
  }
  // Alone: one request at a time, each its own generate call. Different max_tokens and stop
  // strings per client, so batches mix options.
  // Half the clients sample (temperature 1, their own seed), so answers differ from client
  // to client and any mix-up between requests shows.
  const auto request_for = [&](int i) {
    json extra = json::object();
    if (i % 3 == 1) extra["stop"] = "e";
    if (i % 4 == 2) extra["logprobs"] = 0;
    if (i % 2 == 0) {
      extra["temperature"] = 1.0;
      extra["seed"] = 100 + i;
    }
    return completion(prompts[i], 8 + i % 5, extra);
  };
  for (int i = 0; i < kClients; ++i) {
    const HttpReply reply = post_json(served.port(), "/v1/completions", request_for(i));
    ASSERT_EQ(reply.status, 200) << reply.body;
    alone.push_back(reply.json()["choices"][0]);
  }
  std::set<std::string> distinct;
  for (const json& choice : alone) distinct.insert(choice["text"].get<std::string>());
  EXPECT_GE(distinct.size(), 5u) << "the answers are too alike to tell requests apart";
  const auto calls_before = served.scheduler().counters().calls;
  std::vector<std::future<HttpReply>> replies;
  for (int i = 0; i < kClients; ++i) {
    replies.push_back(std::async(std::launch::async, [&, i] {
      return post_json(served.port(), "/v1/completions", request_for(i));
    }));
  }
  for (int i = 0; i < kClients; ++i) {
    const HttpReply reply = replies[i].get();
    ASSERT_EQ(reply.status, 200) << reply.body;
    const json choice = reply.json()["choices"][0];
    EXPECT_EQ(choice["text"], alone[i]["text"]) << "client " << i;
    EXPECT_EQ(choice["finish_reason"], alone[i]["finish_reason"]) << "client " << i;
    if (i % 4 == 2) {  // log-probabilities: the same tokens, the same values up to rounding
      ASSERT_TRUE(choice["logprobs"].is_object());
      EXPECT_EQ(choice["logprobs"]["tokens"], alone[i]["logprobs"]["tokens"]);
      const json& values = choice["logprobs"]["token_logprobs"];
      ASSERT_EQ(values.size(), alone[i]["logprobs"]["token_logprobs"].size());
      for (std::size_t k = 0; k < values.size(); ++k) {
        EXPECT_NEAR(values[k].get<double>(),
                    alone[i]["logprobs"]["token_logprobs"][k].get<double>(), 1e-4);
      }
    }
  }
  const auto counters = served.scheduler().counters();
  EXPECT_LT(counters.calls - calls_before, static_cast<std::uint64_t>(kClients))
      << "concurrent requests were not batched";
  EXPECT_GT(counters.largest_batch_rows, 1u);
}

TEST(ServeTest, SeededSamplesDoNotDependOnBatchCompanions) {
  ServeSetup setup;
  setup.scheduler.gather_window = std::chrono::milliseconds(50);
  ServedTinyModel served(setup);
  const json sampled = completion("Name a colour: ", 10, {{"temperature", 1.0}, {"seed", 42}});
  const std::string alone = post_json(served.port(), "/v1/completions", sampled).body;
  std::vector<std::future<HttpReply>> replies;
  for (int i = 0; i < 6; ++i) {
    replies.push_back(std::async(std::launch::async, [&, i] {
      return post_json(served.port(), "/v1/completions",
                       i == 3 ? sampled
                              : completion("hello " + std::to_string(i), 5 + i,
                                           {{"temperature", 0.7}, {"top_p", 0.9}}));
    }));
  }
  for (int i = 0; i < 6; ++i) {
    const HttpReply reply = replies[i].get();
    ASSERT_EQ(reply.status, 200);
    if (i == 3) {
      EXPECT_EQ(reply.json()["choices"], json::parse(alone)["choices"]);
    }
  }
}

TEST(ServeTest, FullQueueAnswers429WithRetryAfterAndLosesNoRequest) {
  ServeSetup setup;
  setup.scheduler.max_queued_jobs = 2;
  setup.scheduler.max_batch_rows = 1;  // one request per call: the queue fills
  setup.handler.retry_after_seconds = 2;
  ServedTinyModel served(setup);
  constexpr int kClients = 10;
  std::vector<std::future<HttpReply>> replies;
  for (int i = 0; i < kClients; ++i) {
    replies.push_back(std::async(std::launch::async, [&, i] {
      return post_json(served.port(), "/v1/completions",
                       completion("Overload " + std::to_string(i), 60));
    }));
  }
  int ok = 0, busy = 0;
  std::vector<int> refused;
  for (int i = 0; i < kClients; ++i) {
    const HttpReply reply = replies[i].get();
    if (reply.status == 200) {
      ++ok;
      EXPECT_EQ(reply.json()["choices"][0]["text"],
                greedy_locally("Overload " + std::to_string(i), 60));
    } else {
      ++busy;
      refused.push_back(i);
      expect_openai_error(reply, 429, "rate_limit_error");
      EXPECT_EQ(reply.header("retry-after"), "2");
      EXPECT_EQ(reply.header("x-request-id").rfind("cmpl-", 0), 0u);  // refused after its id
    }
  }
  EXPECT_EQ(ok + busy, kClients);
  EXPECT_GT(busy, 0) << "the queue of 2 never filled";
  // At least the queue's two: whether a third was already running when the others came
  // depends on thread timing (the scheduler waits a gather window after an idle spell).
  EXPECT_GE(ok, 2);
  // Every refused request succeeds when sent again: nothing was half-accepted.
  for (const int i : refused) {
    const HttpReply reply = post_json(served.port(), "/v1/completions",
                                      completion("Overload " + std::to_string(i), 60));
    EXPECT_EQ(reply.status, 200);
  }
}

// OpenAI's logit_bias: +100 forces a token at every step, -100 bans it; a backend without
// RequestGenerator cannot apply biases and says so.
TEST(ServeTest, LogitBiasSteersTheCompletion) {
  ServedTinyModel served;
  const json plain =
      post_json(served.port(), "/v1/completions", completion("Add 2 and 3.", 6, {{"logprobs", 0}}))
          .json();
  const json forced =
      post_json(served.port(), "/v1/completions",
                completion("Add 2 and 3.", 6, {{"logprobs", 0}, {"logit_bias", {{"40", 100}}}}))
          .json();
  const json& tokens = forced["choices"][0]["logprobs"]["tokens"];
  ASSERT_EQ(tokens.size(), 6u) << forced.dump();
  for (const json& token : tokens) EXPECT_EQ(token, tokens[0]);
  const json empty_bias =
      post_json(served.port(), "/v1/completions",
                completion("Add 2 and 3.", 6, {{"logprobs", 0}, {"logit_bias", json::object()}}))
          .json();
  EXPECT_EQ(empty_bias["choices"][0]["text"], plain["choices"][0]["text"]);  // {}: no change

  ServeSetup text_only;
  text_only.hide_request_generator = true;
  ServedTinyModel limited(text_only);
  expect_openai_error(post_json(limited.port(), "/v1/completions",
                                completion("x", 4, {{"logit_bias", {{"12", -100}}}})),
                      400, "invalid_request_error", "logit_bias");
}

TEST(ServeTest, BadRequestsGetOpenAIErrorBodies) {
  ServeSetup setup;
  setup.server.max_body_bytes = 2048;
  ServedTinyModel served(setup);
  const unsigned short port = served.port();
  expect_openai_error(http_request(port, "POST", "/v1/completions", "{not json"), 400,
                      "invalid_request_error");
  expect_openai_error(http_request(port, "POST", "/v1/completions", "[1, 2]"), 400,
                      "invalid_request_error");
  expect_openai_error(
      post_json(port, "/v1/completions", completion("x", 4, {{"temperature", "hot"}})), 400,
      "invalid_request_error", "temperature");
  expect_openai_error(post_json(port, "/v1/completions", completion("x", 4, {{"temperature", 3}})),
                      400, "invalid_request_error", "temperature");
  expect_openai_error(post_json(port, "/v1/completions", completion("x", 0)), 400,
                      "invalid_request_error", "max_tokens");
  expect_openai_error(post_json(port, "/v1/completions", completion("x", 4, {{"n", "two"}})), 400,
                      "invalid_request_error", "n");
  expect_openai_error(post_json(port, "/v1/completions", completion("x", 4, {{"prompt", 5}})), 400,
                      "invalid_request_error", "prompt");
  expect_openai_error(post_json(port, "/v1/completions", {{"prompt", "x"}}), 400,
                      "invalid_request_error", "model");
  for (const json& bias : {json{{"twelve", -100}}, json{{"12", 150}}, json{{"12", "down"}},
                           json::array({12, -100}), json{{"-3", 1}}}) {
    expect_openai_error(
        post_json(port, "/v1/completions", completion("x", 4, {{"logit_bias", bias}})), 400,
        "invalid_request_error", "logit_bias");
  }
  const HttpReply outside =
      post_json(port, "/v1/completions", completion("x", 4, {{"logit_bias", {{"99999", 5}}}}));
  expect_openai_error(outside, 400, "invalid_request_error");
  EXPECT_NE(outside.json()["error"]["message"].get<std::string>().find("outside the vocabulary"),
            std::string::npos);
  expect_openai_error(
      post_json(port, "/v1/chat/completions", {{"model", kModelName}, {"messages", "hello"}}), 400,
      "invalid_request_error", "messages");
  const HttpReply unknown_model =
      post_json(port, "/v1/completions", completion("x", 4, {{"model", "gpt-9"}}));
  expect_openai_error(unknown_model, 404, "invalid_request_error", "model");
  EXPECT_EQ(unknown_model.json()["error"]["code"], "model_not_found");
  const HttpReply oversized =
      post_json(port, "/v1/completions", completion(std::string(4096, 'a'), 4));
  expect_openai_error(oversized, 413, "invalid_request_error");
  expect_openai_error(http_request(port, "GET", "/v1/nothing"), 404, "invalid_request_error");
  expect_openai_error(http_request(port, "GET", "/v1/completions"), 405, "invalid_request_error");
  // A prompt too long for the model fails alone, with the model's reason.
  const HttpReply too_long =
      post_json(port, "/v1/completions", completion(std::string(1500, 'q'), 400));
  expect_openai_error(too_long, 400, "invalid_request_error");
  EXPECT_NE(too_long.json()["error"]["message"].get<std::string>().find("positions"),
            std::string::npos);
  // The server still answers after all that.
  EXPECT_EQ(post_json(port, "/v1/completions", completion("x", 4)).status, 200);
}

TEST(ServeTest, BearerKeyIsRequiredWhenSet) {
  ServeSetup setup;
  setup.handler.api_key = "sk-test-secret";
  ServedTinyModel served(setup);
  const unsigned short port = served.port();
  const HttpReply missing = post_json(port, "/v1/completions", completion("x", 3));
  expect_openai_error(missing, 401, "invalid_request_error");
  EXPECT_EQ(missing.json()["error"]["code"], "invalid_api_key");
  expect_openai_error(post_json(port, "/v1/completions", completion("x", 3),
                                {{"Authorization", "Bearer sk-test-wrong!"}}),
                      401, "invalid_request_error");
  expect_openai_error(http_request(port, "GET", "/v1/models"), 401, "invalid_request_error");
  const HttpReply wrong = post_json(port, "/v1/completions", completion("x", 3),
                                    {{"Authorization", "Bearer sk-test-secre"}});
  EXPECT_EQ(wrong.body.find("sk-test-secret"), std::string::npos);
  EXPECT_EQ(post_json(port, "/v1/completions", completion("x", 3),
                      {{"Authorization", "Bearer sk-test-secret"}})
                .status,
            200);
  EXPECT_EQ(http_request(port, "GET", "/health").status, 200);
}

// Checks the event stream's framing and returns its chunks (without [DONE]).
std::vector<json> read_stream(const HttpReply& reply) {
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.header("content-type"), "text/event-stream");
  const auto events = event_data(reply.body);
  EXPECT_FALSE(events.empty());
  EXPECT_EQ(events.back(), "[DONE]");
  std::vector<json> chunks;
  for (std::size_t i = 0; i + 1 < events.size(); ++i) {
    const json chunk = json::parse(events[i], nullptr, false);
    EXPECT_TRUE(chunk.is_object()) << events[i];
    if (chunk.is_object()) chunks.push_back(chunk);
  }
  return chunks;
}

TEST(ServeTest, CompletionStreamIsWellFormedAndAddsUpToTheWholeAnswer) {
  ServedTinyModel served;
  for (const json& stop : {json(), json("e"), json({"lo", "o w"})}) {
    json request = completion("hello world", 24,
                              {{"stream", true}, {"stream_options", {{"include_usage", true}}}});
    json whole_request = completion("hello world", 24);
    if (!stop.is_null()) request["stop"] = whole_request["stop"] = stop;
    const auto chunks = read_stream(post_json(served.port(), "/v1/completions", request));
    const json whole = post_json(served.port(), "/v1/completions", whole_request).json();
    ASSERT_GE(chunks.size(), 2u);
    std::string text;
    int finishes = 0;
    for (std::size_t i = 0; i + 1 < chunks.size(); ++i) {
      EXPECT_EQ(chunks[i]["object"], "text_completion");
      EXPECT_EQ(chunks[i]["id"], chunks[0]["id"]);
      ASSERT_EQ(chunks[i]["choices"].size(), 1u);
      text += chunks[i]["choices"][0]["text"].get<std::string>();
      if (!chunks[i]["choices"][0]["finish_reason"].is_null()) ++finishes;
    }
    EXPECT_EQ(finishes, 1);
    EXPECT_FALSE(chunks[chunks.size() - 2]["choices"][0]["finish_reason"].is_null());
    EXPECT_EQ(text, whole["choices"][0]["text"]) << "stop " << stop.dump();
    EXPECT_EQ(chunks.back()["choices"].size(), 0u);  // the usage chunk
    EXPECT_EQ(chunks.back()["usage"]["completion_tokens"], whole["usage"]["completion_tokens"]);
  }
}

TEST(ServeTest, RepliesNameTheirIdInTheRequestIdHeader) {
  ServedTinyModel served;
  const HttpReply whole = post_json(served.port(), "/v1/completions", completion("hello", 4));
  ASSERT_EQ(whole.status, 200) << whole.body;
  EXPECT_EQ(whole.header("x-request-id"), whole.json()["id"]);
  const HttpReply streamed =
      post_json(served.port(), "/v1/completions", completion("hello", 4, {{"stream", true}}));
  const auto chunks = read_stream(streamed);
  ASSERT_FALSE(chunks.empty());
  EXPECT_EQ(streamed.header("x-request-id"), chunks[0]["id"]);
  EXPECT_NE(streamed.header("x-request-id"), whole.header("x-request-id"));
  // A request refused before it became a completion has no id.
  EXPECT_EQ(
      post_json(served.port(), "/v1/completions", completion("hello", -1)).header("x-request-id"),
      "");
}

TEST(ServeTest, ChatStreamStartsWithTheRoleAndEndsWithAFinishReason) {
  ServedTinyModel served;
  const json request = {{"model", kModelName},
                        {"messages", {{{"role", "user"}, {"content", "Reverse the word cat."}}}},
                        {"max_tokens", 16},
                        {"temperature", 0},
                        {"n", 2},
                        {"stream", true}};
  const auto chunks = read_stream(post_json(served.port(), "/v1/chat/completions", request));
  json whole_request = request;
  whole_request.erase("stream");
  const json whole = post_json(served.port(), "/v1/chat/completions", whole_request).json();
  std::string text[2];
  bool saw_role[2] = {false, false}, saw_finish[2] = {false, false};
  for (const json& chunk : chunks) {
    EXPECT_EQ(chunk["object"], "chat.completion.chunk");
    const json& choice = chunk["choices"][0];
    const int index = choice["index"];
    ASSERT_TRUE(index == 0 || index == 1);
    EXPECT_FALSE(saw_finish[index]) << "a chunk after the finish";
    if (choice["delta"].contains("role")) {
      EXPECT_FALSE(saw_role[index]);
      EXPECT_TRUE(text[index].empty()) << "role after content";
      saw_role[index] = true;
    }
    if (choice["delta"].contains("content")) text[index] += choice["delta"]["content"];
    if (!choice["finish_reason"].is_null()) saw_finish[index] = true;
  }
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(saw_role[i] && saw_finish[i]);
    EXPECT_EQ(text[i], whole["choices"][i]["message"]["content"]);
  }
}

TEST(ServeTest, WithoutRequestGeneratorEqualOptionsStillShareCalls) {
  ServeSetup setup;
  setup.hide_request_generator = true;
  setup.scheduler.gather_window = std::chrono::milliseconds(50);
  ServedTinyModel served(setup);
  std::vector<std::future<HttpReply>> replies;
  for (int i = 0; i < 6; ++i) {
    replies.push_back(std::async(std::launch::async, [&, i] {
      return post_json(served.port(), "/v1/completions",
                       completion("Prompt " + std::to_string(i), 8));
    }));
  }
  for (int i = 0; i < 6; ++i) {
    const HttpReply reply = replies[i].get();
    ASSERT_EQ(reply.status, 200);
    EXPECT_EQ(reply.json()["choices"][0]["text"], greedy_locally("Prompt " + std::to_string(i), 8));
  }
  EXPECT_GT(served.scheduler().counters().largest_batch_rows, 1u);
}

}  // namespace
}  // namespace paddock::serve::testing
