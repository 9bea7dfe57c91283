// Jinja chat templates in `paddock serve`: the shapes of well-known model families
// (tests/serve/data/*.jinja) rendered to the prompts those families expect; reading
// tokenizer_config.json's chat_template and special tokens, with errors that name the file
// and the place; which template wins; BOS and stop strings; and answers over HTTP.
#include <gtest/gtest.h>

#include "api_error.hpp"
#include "chat_template.hpp"
#include "http_test_client.hpp"
#include "paddock/error.hpp"
#include "serve_fixture.hpp"
#include "test_support.hpp"

namespace paddock::serve {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;
using paddock::testing::TempDir;
using paddock::testing::write_text;

const std::filesystem::path kData = PADDOCK_SERVE_TEST_DATA;

ChatTemplate fixture(const std::string& name,
                     ordered_json special_tokens = {{"bos_token", "<s>"}, {"eos_token", "</s>"}}) {
  return ChatTemplate::from_jinja(paddock::testing::read_text(kData / (name + ".jinja")), name,
                                  std::move(special_tokens));
}

const std::vector<ChatMessage> kSeveralTurns = {{"system", "Answer in French."},
                                                {"user", "Good morning"},
                                                {"assistant", "Bonjour"},
                                                {"user", "And good night?"}};
const std::vector<ChatMessage> kNoSystem = {{"user", "2+2?"}, {"assistant", "4"}, {"user", "3+3?"}};

ApiError render_error(const ChatTemplate& chat, const std::vector<ChatMessage>& messages) {
  try {
    chat.render(messages);
  } catch (const ApiError& error) {
    return error;
  }
  ADD_FAILURE() << "rendered";
  return ApiError(0, "");
}

std::string load_error(const std::function<void()>& load) {
  try {
    load();
  } catch (const Error& error) {
    return error.what();
  }
  ADD_FAILURE() << "loaded";
  return "";
}

TEST(JinjaChatTemplateTest, FamiliesRenderTheirOwnPromptShapes) {
  EXPECT_EQ(fixture("chatml").render(kSeveralTurns),
            "<|im_start|>system\nAnswer in French.<|im_end|>\n<|im_start|>user\nGood "
            "morning<|im_end|>\n<|im_start|>assistant\nBonjour<|im_end|>\n<|im_start|>user\nAnd "
            "good night?<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_EQ(fixture("chatml").render({{"user", "Hi"}}),
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n"
            "Hi<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_EQ(fixture("llama2").render(kSeveralTurns),
            "<s>[INST] <<SYS>>\nAnswer in French.\n<</SYS>>\n\nGood morning [/INST] Bonjour "
            "</s><s>[INST] And good night? [/INST]");
  EXPECT_EQ(fixture("llama3", {{"bos_token", "<|begin_of_text|>"}, {"eos_token", "<|eot_id|>"}})
                .render(kSeveralTurns),
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nAnswer in "
            "French.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nGood "
            "morning<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nBonjour<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nAnd good night?<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
  EXPECT_EQ(fixture("mistral").render(kSeveralTurns),
            "<s>[INST] Good morning[/INST] Bonjour</s>[INST] Answer in French.\n\nAnd good "
            "night?[/INST]");
  EXPECT_EQ(fixture("zephyr").render(kSeveralTurns),
            "<|system|>\nAnswer in French.</s>\n<|user|>\nGood morning</s>\n<|assistant|>\n"
            "Bonjour</s>\n<|user|>\nAnd good night?</s>\n<|assistant|>\n");
  EXPECT_EQ(fixture("gemma", {{"bos_token", "<bos>"}, {"eos_token", "<eos>"}}).render(kNoSystem),
            "<bos><start_of_turn>user\n2+2?<end_of_turn>\n<start_of_turn>model\n4<end_of_turn>\n"
            "<start_of_turn>user\n3+3?<end_of_turn>\n<start_of_turn>model\n");
}

TEST(JinjaChatTemplateTest, TemplatesThatRejectAConversationAnswer400WithTheirMessage) {
  const ApiError alternation = render_error(fixture("llama2"), {{"user", "a"}, {"user", "b"}});
  EXPECT_EQ(alternation.status(), 400);
  EXPECT_EQ(alternation.param(), "messages");
  EXPECT_STREQ(alternation.what(),
               "the chat template rejected the conversation: Conversation roles must alternate "
               "user/assistant/user/assistant/...");
  EXPECT_STREQ(render_error(fixture("gemma"), kSeveralTurns).what(),
               "the chat template rejected the conversation: System role not supported");
  EXPECT_NE(std::string(render_error(fixture("mistral"), {{"assistant", "first"}}).what())
                .find("conversation roles must alternate"),
            std::string::npos);
  const ChatTemplate broken = ChatTemplate::from_jinja(
      "{% for m in messages %}\n{{ m.content + loop.index }}{% endfor %}", "broken.jinja", {});
  const ApiError failure = render_error(broken, {{"user", "x"}});
  EXPECT_EQ(failure.status(), 400);
  EXPECT_STREQ(failure.what(),
               "the chat template failed at 2:14: can only concatenate str (not \"int\") to str");
}

TEST(JinjaChatTemplateTest, StopStringsAreTheEosTextAndWhatEndsAnAssistantTurn) {
  EXPECT_EQ(fixture("chatml", {{"eos_token", "<|endoftext|>"}}).stop,
            (std::vector<std::string>{"<|endoftext|>", "<|im_end|>"}));
  EXPECT_EQ(fixture("llama2").stop, (std::vector<std::string>{"</s>"}));
  EXPECT_EQ(fixture("gemma", {{"bos_token", "<bos>"}, {"eos_token", "<eos>"}}).stop,
            (std::vector<std::string>{"<eos>", "<end_of_turn>"}));
  EXPECT_EQ(
      fixture("llama3", {{"bos_token", "<|begin_of_text|>"}, {"eos_token", "<|end_of_text|>"}})
          .stop,
      (std::vector<std::string>{"<|end_of_text|>", "<|eot_id|>"}));
  EXPECT_TRUE(ChatTemplate::from_jinja("{{ messages[0].content }}", "plain", {}).stop.empty());
}

TEST(JinjaChatTemplateTest, LeadingBosTextIsDroppedWhenTheBackendAddsBos) {
  ChatTemplate chat =
      fixture("llama3", {{"bos_token", "<|begin_of_text|>"}, {"eos_token", "<|eot_id|>"}});
  EXPECT_EQ(chat.render({{"user", "Hi"}}).rfind("<|begin_of_text|><|start_header_id|>user", 0), 0u);
  chat.drop_leading_bos = true;
  EXPECT_EQ(chat.render({{"user", "Hi"}}),
            "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>"
            "assistant<|end_header_id|>\n\n");
  // Only a leading one: LLaMA-2's later turns keep theirs.
  ChatTemplate llama2 = fixture("llama2");
  llama2.drop_leading_bos = true;
  EXPECT_EQ(llama2.render({{"user", "a"}, {"assistant", "b"}, {"user", "c"}}),
            "[INST] a [/INST] b </s><s>[INST] c [/INST]");
}

TEST(JinjaChatTemplateTest, TokenizerConfigTemplatesAndSpecialTokensAreRead) {
  TempDir dir;
  EXPECT_FALSE(ChatTemplate::from_tokenizer_config(dir.path()));  // no file
  write_text(dir / "tokenizer_config.json", R"({"eos_token": "</s>"})");
  EXPECT_FALSE(ChatTemplate::from_tokenizer_config(dir.path()));  // no chat_template

  write_text(dir / "tokenizer_config.json",
             json{{"chat_template",
                   "{{ bos_token }}|{{ eos_token }}|"
                   "{{ unk_token }}|{{ pad_token is "
                   "defined }}|{{ tools is none }}|"
                   "{{ additional_special_tokens "
                   "| join(',') }}|{{ messages | "
                   "length }}|{{ "
                   "add_generation_prompt }}"},
                  {"bos_token", {{"content", "<s>"}, {"lstrip", false}}},
                  {"eos_token", "</s>"},
                  {"unk_token", "<unk>"},
                  {"pad_token", nullptr},
                  {"additional_special_tokens", {"<x>", {{"content", "<y>"}}}}}
                 .dump());
  const auto chat = ChatTemplate::from_tokenizer_config(dir.path());
  ASSERT_TRUE(chat);
  EXPECT_EQ(chat->render({{"user", "hi"}}), "<s>|</s>|<unk>|False|True|<x>,<y>|1|True");

  write_text(dir / "tokenizer_config.json",
             R"({"chat_template": [{"name": "tool_use", "template": "tools"},
                                    {"name": "default", "template": "plain {{ messages[0].content }}"}]})");
  EXPECT_EQ(ChatTemplate::from_tokenizer_config(dir.path())->render({{"user", "hi"}}), "plain hi");
}

TEST(JinjaChatTemplateTest, BadTokenizerConfigsAreRefusedWithTheFileAndPlace) {
  TempDir dir;
  const std::string file = (dir / "tokenizer_config.json").string();
  const auto error_for = [&](const std::string& config) {
    write_text(dir / "tokenizer_config.json", config);
    return load_error([&] { ChatTemplate::from_tokenizer_config(dir.path()); });
  };
  EXPECT_EQ(error_for(R"({"chat_template": "{% for m in messages %}\n{{ m.content }}"})"),
            file +
                ": chat_template: 2:16: unexpected end of template: expected 'else' or "
                "'endfor' (the innermost open block is the 'for' at 1:1)");
  EXPECT_EQ(error_for(R"({"chat_template": "{{ messages | shout }}"})"),
            file + ": chat_template: 1:15: no filter named 'shout'");
  EXPECT_EQ(error_for(R"({"chat_template": 5})"),
            file +
                ": chat_template: must be a string or a list of {\"name\", \"template\"} "
                "objects");
  EXPECT_EQ(error_for(R"({"chat_template": [{"name": "tool_use", "template": "x"}]})"),
            file +
                ": chat_template: a list of named templates without one named 'default' (it "
                "has 'tool_use'); pass one with --chat-template FILE.jinja");
  EXPECT_EQ(error_for(R"({"chat_template": ["x"]})"),
            file + ": chat_template[0]: must be {\"name\": \"...\", \"template\": \"...\"}");
  EXPECT_EQ(error_for(R"({"chat_template": "x", "bos_token": 5})"),
            file + ": bos_token: must be a string, {\"content\": ...} or null");
  EXPECT_EQ(error_for(R"(["not", "an", "object"])"), file + ": must be a JSON object");
  EXPECT_NE(error_for("{not json").find(file + ": not valid JSON"), std::string::npos);
  // A checkpoint's template is untrusted: nesting it deeply is an error, not a crash.
  EXPECT_EQ(error_for(json{{"chat_template", "{{ " + std::string(10000, '(') + "1" +
                                                 std::string(10000, ')') + " }}"}}
                          .dump()),
            file +
                ": chat_template: 1:259: the template nests deeper than 256 levels (brackets, "
                "operators, filters and blocks count), Paddock's limit");
}

TEST(JinjaChatTemplateTest, TheOptionWinsOverTheTokenizerWhichWinsOverTheInstructionTemplate) {
  TempDir dir;
  EXPECT_FALSE(ChatTemplate::select("", dir.path()));
  write_text(dir / "tokenizer_config.json",
             R"({"chat_template": "tokenizer {{ messages[0].content }}", "bos_token": "<s>"})");
  EXPECT_EQ(ChatTemplate::select("", dir.path())->render({{"user", "hi"}}), "tokenizer hi");
  write_text(dir / "mine.jinja", "{{ bos_token }}file {{ messages[0].content }}\n");
  const auto from_file = ChatTemplate::select((dir / "mine.jinja").string(), dir.path());
  EXPECT_EQ(from_file->render({{"user", "hi"}}), "<s>file hi");
  EXPECT_EQ(from_file->name, "mine");
  EXPECT_EQ(ChatTemplate::select("chatml", dir.path())->name, "chatml");
  EXPECT_EQ(load_error([&] { ChatTemplate::select((dir / "none.jinja").string(), dir.path()); }),
            (dir / "none.jinja").string() +
                ": no such file (a chat template ending in .jinja is read as Jinja)");
  write_text(dir / "bad.jinja", "ok\n{% if x %}");
  EXPECT_EQ(load_error([&] { ChatTemplate::select((dir / "bad.jinja").string(), dir.path()); }),
            (dir / "bad.jinja").string() +
                ": 2:11: unexpected end of template: expected 'elif', 'else' or 'endif' (the "
                "innermost open block is the 'if' at 2:1)");
}

TEST(JinjaChatTemplateTest, ServedChatsUseTheTemplateAndItsRejections) {
  testing::ServeSetup setup;
  setup.chat_template = fixture("llama2", {{"bos_token", "<s>"}, {"eos_token", "<|endoftext|>"}});
  testing::ServedTinyModel served(setup);
  const json request = {{"model", testing::kModelName},
                        {"messages",
                         {{{"role", "system"}, {"content", "Be brief."}},
                          {{"role", "user"}, {"content", "Name a colour."}}}},
                        {"max_tokens", 8},
                        {"temperature", 0}};
  const testing::HttpReply reply =
      testing::post_json(served.port(), "/v1/chat/completions", request);
  ASSERT_EQ(reply.status, 200) << reply.body;
  const std::string prompt = "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nName a colour. [/INST]";
  GenerationOptions options;
  options.temperature = 0;
  options.max_new_tokens = 8;
  options.stop = {"<|endoftext|>", "</s>"};
  auto model = testing::make_tiny_model();
  EXPECT_EQ(reply.json()["choices"][0]["message"]["content"],
            model->as<TextGenerator>()->generate({prompt}, options)[0][0].text);
  EXPECT_EQ(reply.json()["usage"]["prompt_tokens"],
            model->as<RequestGenerator>()->prompt_token_count(prompt));

  json repeated = request;
  repeated["messages"] = {{{"role", "user"}, {"content", "a"}},
                          {{"role", "user"}, {"content", "b"}}};
  const testing::HttpReply rejected =
      testing::post_json(served.port(), "/v1/chat/completions", repeated);
  EXPECT_EQ(rejected.status, 400);
  EXPECT_EQ(rejected.json()["error"]["message"],
            "the chat template rejected the conversation: Conversation roles must alternate "
            "user/assistant/user/assistant/...");
  EXPECT_EQ(rejected.json()["error"]["param"], "messages");
}

}  // namespace
}  // namespace paddock::serve
