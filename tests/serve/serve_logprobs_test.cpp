// `paddock serve`'s log-probabilities in OpenAI's shapes: the likeliest alternative tokens
// (completions' `logprobs: N`, chat's `top_logprobs`), text offsets counted from the prompt's
// start, streamed and whole answers alike; and a chat without max_tokens on a short context.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "api_response.hpp"
#include "http_test_client.hpp"
#include "serve_fixture.hpp"

namespace paddock::serve::testing {
namespace {

using nlohmann::json;

json completion(const json& prompt, std::int64_t max_tokens, json extra = json::object()) {
  json body = {
      {"model", kModelName}, {"prompt", prompt}, {"max_tokens", max_tokens}, {"temperature", 0}};
  for (const auto& [key, value] : extra.items()) body[key] = value;
  return body;
}

std::u32string code_points(const std::string& text) {
  std::u32string result;
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    char32_t code = length == 1 ? lead : lead & (0x7F >> length);
    for (std::size_t k = 1; k < length && i + k < text.size(); ++k)
      code = (code << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    result.push_back(code);
    i += length;
  }
  return result;
}

TEST(ServeLogprobsTest, CompletionsListTheLikeliestTokensAndTheSampledOne) {
  ServedTinyModel served;
  const std::string prompt = "Add 2 and 3.";
  const HttpReply reply =
      post_json(served.port(), "/v1/completions", completion(prompt, 6, {{"logprobs", 3}}));
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json answer = reply.json();
  const json& logprobs = answer["choices"][0]["logprobs"];
  const json& tokens = logprobs["tokens"];
  ASSERT_FALSE(tokens.empty());
  ASSERT_EQ(logprobs["token_logprobs"].size(), tokens.size());
  ASSERT_EQ(logprobs["top_logprobs"].size(), tokens.size());
  ASSERT_EQ(logprobs["text_offset"].size(), tokens.size());

  // The same request to the model directly: its three likeliest tokens at each position.
  GenerationRequest local;
  local.prompt = prompt;
  local.options.temperature = 0;
  local.options.max_new_tokens = 6;
  local.top_logprobs = 3;
  auto model = make_tiny_model();
  auto* generator = model->as<RequestGenerator>();
  const auto expected = generator->generate_requests({local}, nullptr)[0][0];
  ASSERT_EQ(expected.token_ids.size(), tokens.size());
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const json& likeliest = logprobs["top_logprobs"][i];
    ASSERT_TRUE(likeliest.is_object());
    // Greedy: the sampled token is the likeliest, so it is among the three (OpenAI adds it
    // otherwise, making up to logprobs + 1 entries).
    EXPECT_EQ(likeliest.size(), 3u) << likeliest;
    ASSERT_TRUE(likeliest.contains(tokens[i].get<std::string>())) << likeliest;
    EXPECT_NEAR(likeliest[tokens[i].get<std::string>()].get<double>(),
                logprobs["token_logprobs"][i].get<double>(), 1e-6);
    for (const TokenAlternative& alternative : expected.top_logprobs[i]) {
      const std::string text = generator->token_bytes(alternative.token_id);
      if (!is_valid_utf8(text)) continue;  // spelled "bytes:\xNN"; the count above covers it
      ASSERT_TRUE(likeliest.contains(text)) << text << " missing from " << likeliest;
      EXPECT_NEAR(likeliest[text].get<double>(), alternative.logprob, 1e-5);
    }
  }
  // Offsets count characters from the prompt's start, as OpenAI's do.
  EXPECT_EQ(logprobs["text_offset"][0], prompt.size());
}

TEST(ServeLogprobsTest, SampledTokensOutsideTheLikeliestAreAddedAsOpenAIDoes) {
  ServedTinyModel served;
  const HttpReply reply = post_json(
      served.port(), "/v1/completions",
      completion("Add 2 and 3.", 12, {{"logprobs", 1}, {"temperature", 2.0}, {"seed", 11}}));
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json answer = reply.json();
  const json& logprobs = answer["choices"][0]["logprobs"];
  std::size_t with_sampled_added = 0;
  for (std::size_t i = 0; i < logprobs["tokens"].size(); ++i) {
    const json& likeliest = logprobs["top_logprobs"][i];
    ASSERT_TRUE(likeliest.size() == 1 || likeliest.size() == 2) << likeliest;
    ASSERT_TRUE(likeliest.contains(logprobs["tokens"][i].get<std::string>()));
    if (likeliest.size() == 2) ++with_sampled_added;
  }
  // At temperature 2 some sampled token is not the likeliest.
  EXPECT_GT(with_sampled_added, 0u);
}

TEST(ServeLogprobsTest, TextOffsetsStartAtEachPromptsLengthInCharacters) {
  ServedTinyModel served;
  const std::vector<std::string> prompts = {"Wh\xC3\xA9re is \xE2\x82\xAC?", "ab"};
  const HttpReply reply = post_json(served.port(), "/v1/completions",
                                    completion(prompts, 5, {{"logprobs", 0}, {"n", 2}}));
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json answer = reply.json();
  const json& choices = answer["choices"];
  ASSERT_EQ(choices.size(), 4u);
  for (const json& choice : choices) {
    const std::string& prompt = prompts[choice["index"].get<std::size_t>() / 2];
    const std::u32string whole = code_points(prompt + choice["text"].get<std::string>());
    const json& logprobs = choice["logprobs"];
    EXPECT_EQ(logprobs["text_offset"][0], code_points(prompt).size());
    EXPECT_TRUE(logprobs["top_logprobs"].is_null());  // logprobs: 0 lists no alternatives
    // Each whole-character token stands at its offset in prompt + text.
    for (std::size_t i = 0; i < logprobs["tokens"].size(); ++i) {
      const std::string token = logprobs["tokens"][i];
      const std::size_t offset = logprobs["text_offset"][i];
      if (token.rfind("bytes:", 0) == 0 || token == "<|endoftext|>") continue;
      ASSERT_LE(offset, whole.size());
      EXPECT_EQ(whole.substr(offset, code_points(token).size()), code_points(token))
          << "token " << i << " '" << token << "' at " << offset;
    }
  }
}

TEST(ServeLogprobsTest, ChatListsItsTopLogprobsAsObjects) {
  ServedTinyModel served;
  const json body = {
      {"model", kModelName}, {"messages", {{{"role", "user"}, {"content", "Add 2 and 3."}}}},
      {"max_tokens", 5},     {"temperature", 0},
      {"logprobs", true},    {"top_logprobs", 4}};
  const HttpReply reply = post_json(served.port(), "/v1/chat/completions", body);
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json answer = reply.json();
  const json& content = answer["choices"][0]["logprobs"]["content"];
  ASSERT_FALSE(content.empty());
  for (const json& item : content) {
    const json& top = item["top_logprobs"];
    ASSERT_EQ(top.size(), 4u) << item;
    for (std::size_t k = 0; k < top.size(); ++k) {
      EXPECT_TRUE(top[k].contains("token") && top[k].contains("bytes")) << top[k];
      EXPECT_LE(top[k]["logprob"].get<double>(), 0.0);
      if (k > 0) EXPECT_LE(top[k]["logprob"].get<double>(), top[k - 1]["logprob"].get<double>());
    }
    EXPECT_EQ(top[0]["token"], item["token"]);  // greedy
    EXPECT_NEAR(top[0]["logprob"].get<double>(), item["logprob"].get<double>(), 1e-6);
  }
  json without_logprobs = body;
  without_logprobs.erase("logprobs");
  EXPECT_EQ(post_json(served.port(), "/v1/chat/completions", without_logprobs).status, 400);
}

TEST(ServeLogprobsTest, StreamedAlternativesAddUpToTheWholeAnswer) {
  ServedTinyModel served;
  const json request = completion("Which answer is better?", 8, {{"logprobs", 2}});
  const json whole =
      post_json(served.port(), "/v1/completions", request).json()["choices"][0]["logprobs"];
  json streamed_request = request;
  streamed_request["stream"] = true;
  const HttpReply stream = post_json(served.port(), "/v1/completions", streamed_request);
  ASSERT_EQ(stream.status, 200);
  json tokens = json::array(), top = json::array(), offsets = json::array();
  for (const std::string& event : event_data(stream.body)) {
    if (event == "[DONE]") break;
    const json chunk = json::parse(event);
    const json& logprobs = chunk["choices"][0]["logprobs"];
    if (logprobs.is_null()) continue;
    for (std::size_t i = 0; i < logprobs["tokens"].size(); ++i) {
      tokens.push_back(logprobs["tokens"][i]);
      top.push_back(logprobs["top_logprobs"][i]);
      offsets.push_back(logprobs["text_offset"][i]);
    }
  }
  EXPECT_EQ(tokens, whole["tokens"]);
  EXPECT_EQ(offsets, whole["text_offset"]);
  ASSERT_EQ(top.size(), whole["top_logprobs"].size());
  for (std::size_t i = 0; i < top.size(); ++i) {
    ASSERT_EQ(top[i].size(), whole["top_logprobs"][i].size());
    for (const auto& [text, logprob] : top[i].items())
      EXPECT_NEAR(logprob.get<double>(), whole["top_logprobs"][i][text].get<double>(), 1e-6);
  }
}

TEST(ServeLogprobsTest, ABackendWithoutRequestGeneratorRefusesAlternatives) {
  ServeSetup setup;
  setup.hide_request_generator = true;
  ServedTinyModel served(setup);
  const HttpReply reply =
      post_json(served.port(), "/v1/completions", completion("x", 4, {{"logprobs", 2}}));
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.json()["error"]["param"], "logprobs");
  EXPECT_EQ(
      post_json(served.port(), "/v1/completions", completion("x", 4, {{"logprobs", 0}})).status,
      200);
}

TEST(ServeLogprobsTest, AChatWithoutMaxTokensEndsWhereTheContextDoes) {
  ServeSetup setup;
  setup.max_positions = 48;  // the default chat max_tokens (256) is far more than is left
  ServedTinyModel served(setup);
  const auto* generator = served.model().as<RequestGenerator>();
  std::int64_t end_of_text = -1;
  for (std::int64_t id = 0; id < 8 && end_of_text < 0; ++id)
    if (generator->token_bytes(id) == "<|endoftext|>") end_of_text = id;
  ASSERT_GE(end_of_text, 0);
  json body = {{"model", kModelName},
               {"messages", {{{"role", "user"}, {"content", "Which answer is better?"}}}},
               {"temperature", 0},
               {"logit_bias", {{std::to_string(end_of_text), -100}}}};  // runs to the end
  const HttpReply reply = post_json(served.port(), "/v1/chat/completions", body);
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json answer = reply.json();
  EXPECT_EQ(answer["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(answer["usage"]["prompt_tokens"].get<std::int64_t>() +
                answer["usage"]["completion_tokens"].get<std::int64_t>(),
            48);
  // Asked for explicitly, more than fits is still the client's error.
  body["max_tokens"] = 256;
  const HttpReply too_many = post_json(served.port(), "/v1/chat/completions", body);
  EXPECT_EQ(too_many.status, 400);
  EXPECT_NE(too_many.body.find("positions"), std::string::npos) << too_many.body;
}

}  // namespace
}  // namespace paddock::serve::testing
