// The pieces of `paddock serve` that need no socket: request parsing, chat templates, and
// how much of a running text a stream may send.
#include <gtest/gtest.h>

#include "api_error.hpp"
#include "api_request.hpp"
#include "api_response.hpp"
#include "chat_template.hpp"
#include "paddock/error.hpp"
#include "test_support.hpp"

namespace paddock::serve {
namespace {

using nlohmann::json;

ApiError completion_error(const json& body) {
  try {
    parse_completion_request(body.dump(), RequestLimits{});
  } catch (const ApiError& error) {
    return error;
  }
  ADD_FAILURE() << "accepted " << body.dump();
  return ApiError(0, "");
}

TEST(ServeProtocolTest, CompletionRequestsAreReadWithOpenAIsDefaults) {
  const ApiRequest request =
      parse_completion_request(R"({"model": "m", "prompt": "hi"})", RequestLimits{});
  EXPECT_EQ(request.model, "m");
  EXPECT_EQ(request.prompts, std::vector<std::string>{"hi"});
  EXPECT_EQ(request.options.max_new_tokens, 16);
  EXPECT_EQ(request.options.temperature, 1.0);
  EXPECT_EQ(request.options.samples_per_prompt, 1);
  EXPECT_FALSE(request.seed);
  EXPECT_FALSE(request.stream);

  const ApiRequest full = parse_completion_request(
      R"({"model": "m", "prompt": ["a", "b"], "max_tokens": 5.0, "temperature": 0, "top_p": 0.5,
          "n": 3, "stop": ["x", "yz"], "seed": -4, "stream": true,
          "stream_options": {"include_usage": true}, "logprobs": 0, "user": "ignored",
          "presence_penalty": 0, "logit_bias": {}})",
      RequestLimits{});
  EXPECT_EQ(full.prompts.size(), 2u);
  EXPECT_EQ(full.options.max_new_tokens, 5);
  EXPECT_EQ(full.options.top_p, 0.5);
  EXPECT_EQ(full.options.samples_per_prompt, 3);
  EXPECT_EQ(full.options.stop, (std::vector<std::string>{"x", "yz"}));
  EXPECT_EQ(*full.seed, static_cast<std::uint64_t>(-4));
  EXPECT_TRUE(full.stream && full.include_usage && full.logprobs);
}

TEST(ServeProtocolTest, BadFieldsNameTheParameter) {
  const json base = {{"model", "m"}, {"prompt", "hi"}};
  const auto with = [&base](const char* key, json value) {
    json body = base;
    body[key] = std::move(value);
    return body;
  };
  EXPECT_EQ(completion_error(with("temperature", "warm")).param(), "temperature");
  EXPECT_EQ(completion_error(with("top_p", 0)).param(), "top_p");
  EXPECT_EQ(completion_error(with("max_tokens", 1.5)).param(), "max_tokens");
  EXPECT_EQ(completion_error(with("max_tokens", 100000)).param(), "max_tokens");
  EXPECT_EQ(completion_error(with("n", 17)).param(), "n");
  EXPECT_EQ(completion_error(with("stop", json::array({"a", "b", "c", "d", "e"}))).param(), "stop");
  EXPECT_EQ(completion_error(with("stop", json::array({1}))).param(), "stop");
  EXPECT_EQ(completion_error(with("stream", "yes")).param(), "stream");
  EXPECT_EQ(completion_error(with("stream_options", json::object())).param(), "stream_options");
  EXPECT_EQ(completion_error(with("prompt", json::array({1, 2}))).param(), "prompt");
  EXPECT_EQ(completion_error(with("prompt", json::array())).param(), "prompt");
  EXPECT_EQ(completion_error(with("echo", true)).param(), "echo");
  EXPECT_EQ(completion_error(with("logprobs", 6)).param(), "logprobs");  // OpenAI's limit: 5
  EXPECT_EQ(completion_error(with("frequency_penalty", 0.5)).param(), "frequency_penalty");
  EXPECT_EQ(completion_error(with("best_of", 3)).param(), "best_of");
  EXPECT_EQ(completion_error(with("seed", "1")).param(), "seed");
  const ApiError not_json = [] {
    try {
      parse_completion_request("{\"model\": ", RequestLimits{});
    } catch (const ApiError& error) {
      return error;
    }
    return ApiError(0, "");
  }();
  EXPECT_EQ(not_json.status(), 400);
  EXPECT_TRUE(not_json.body()["error"]["param"].is_null());
  EXPECT_TRUE(not_json.body()["error"]["code"].is_null());
}

TEST(ServeProtocolTest, ChatMessagesAreReadAndChecked) {
  const ApiRequest request = parse_chat_request(
      R"({"model": "m", "messages": [{"role": "developer", "content": "Be kind."},
          {"role": "user", "content": [{"type": "text", "text": "Hi "}, {"type": "text", "text": "there"}]}],
          "logprobs": true})",
      RequestLimits{});
  ASSERT_EQ(request.messages.size(), 2u);
  EXPECT_EQ(request.messages[0].role, "system");
  EXPECT_EQ(request.messages[1].content, "Hi there");
  EXPECT_EQ(request.options.max_new_tokens, RequestLimits{}.default_chat_max_tokens);
  EXPECT_TRUE(request.logprobs);
  EXPECT_EQ(request.top_logprobs, 0);
  EXPECT_TRUE(request.max_tokens_defaulted);
  const ApiRequest alternatives = parse_chat_request(
      R"({"model": "m", "messages": [{"role": "user", "content": "x"}], "logprobs": true,
          "top_logprobs": 20, "max_tokens": 7})",
      RequestLimits{});
  EXPECT_EQ(alternatives.top_logprobs, 20);
  EXPECT_FALSE(alternatives.max_tokens_defaulted);
  for (const char* body :
       {R"({"model": "m", "messages": []})",
        R"({"model": "m", "messages": [{"role": "tool", "content": "x"}]})",
        R"({"model": "m", "messages": [{"role": "user", "content": null}]})",
        R"({"model": "m", "messages": [{"role": "user"}]})",
        R"({"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url"}]}]})",
        R"({"model": "m", "messages": [{"role": "user", "content": "x"}], "top_logprobs": 3})",
        R"({"model": "m", "messages": [{"role": "user", "content": "x"}], "logprobs": true,
            "top_logprobs": 21})",
        R"({"model": "m", "messages": [{"role": "user", "content": "x"}], "tools": []})"}) {
    EXPECT_THROW(parse_chat_request(body, RequestLimits{}), ApiError) << body;
  }
}

TEST(ServeProtocolTest, ChatTemplatesRenderRolesAndRefuseBadFiles) {
  const ChatTemplate chatml = ChatTemplate::load("chatml");
  EXPECT_EQ(chatml.render({{"system", "S"}, {"user", "U"}, {"assistant", "A"}, {"user", "V"}}),
            "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n"
            "<|im_start|>assistant\nA<|im_end|>\n<|im_start|>user\nV<|im_end|>\n"
            "<|im_start|>assistant\n");
  paddock::testing::TempDir dir;
  paddock::testing::write_text(dir / "plain.toml",
                               "user = \"User: {content}\\n\"\nassistant = \"Bot: {content}\\n\"\n"
                               "generation_prompt = \"Bot:\"\nstop = [\"\\nUser:\"]\n");
  const ChatTemplate plain = ChatTemplate::load((dir / "plain.toml").string());
  EXPECT_EQ(plain.render({{"system", "Rules"}, {"user", "Hi"}}), "User: Rules\nUser: Hi\nBot:");
  EXPECT_EQ(plain.stop, std::vector<std::string>{"\nUser:"});
  paddock::testing::write_text(dir / "typo.toml", "usr = \"{content}\"\n");
  EXPECT_THROW(ChatTemplate::load((dir / "typo.toml").string()), Error);
  paddock::testing::write_text(dir / "broken.toml", "user = \n");
  EXPECT_THROW(ChatTemplate::load((dir / "broken.toml").string()), Error);
}

TEST(ServeProtocolTest, StreamsHoldBackPossibleStopStringsAndUnfinishedCharacters) {
  EXPECT_EQ(stable_text_length("hello wor", {}), 9u);
  EXPECT_EQ(stable_text_length("hello wor", {"world"}), 6u);
  EXPECT_EQ(stable_text_length("hello w", {"xyz", "w"}),
            7u);  // a whole stop string is cut by the generator
  EXPECT_EQ(stable_text_length("ab\xEF\xBF\xBD", {}), 2u);
  EXPECT_EQ(stable_text_length("caf\xC3\xA9", {"\xC3\xA9!"}), 3u);
  EXPECT_TRUE(is_valid_utf8("caf\xC3\xA9"));
  EXPECT_FALSE(is_valid_utf8("caf\xC3"));
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));  // a surrogate
}

}  // namespace
}  // namespace paddock::serve
