// The `paddock serve` command as a process: it loads a checkpoint through the transformer
// plugin, answers, and on SIGTERM finishes the request in flight before exiting 0; the
// checkpoint's Jinja chat template is used, and one that does not parse refuses the start.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <thread>

#include "http_test_client.hpp"
#include "paddock/capabilities.hpp"
#include "paddock/request_generator.hpp"
#include "serve_test_model.hpp"
#include "test_support.hpp"

namespace paddock::serve::testing {
namespace {

using nlohmann::json;
using paddock::testing::TempDir;

// A free port: bound, read and released (the server binds it right after).
unsigned short free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::address_v4::loopback(), 0});
  return acceptor.local_endpoint().port();
}

class ServeProcess {
 public:
  ServeProcess(const std::filesystem::path& model, unsigned short port,
               const std::filesystem::path& log, std::vector<std::string> extra = {}) {
    std::vector<std::string> arguments = {PADDOCK_BINARY,
                                          "serve",
                                          model.string(),
                                          "--port",
                                          std::to_string(port),
                                          "--plugin-path",
                                          PADDOCK_TRANSFORMER_PLUGIN_DIR,
                                          "--model-name",
                                          "tiny",
                                          "--device",
                                          "cpu"};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      std::vector<char*> argv;
      for (auto& argument : arguments) argv.push_back(argument.data());
      argv.push_back(nullptr);
      ::setenv("PADDOCK_THREADS", "1", 1);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  ~ServeProcess() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  void signal(int number) { ::kill(pid_, number); }
  // The exit status, or -1 when the process is still running after `seconds`.
  int wait_for_exit(double seconds) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
};

bool wait_until_healthy(unsigned short port, double seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      if (http_request(port, "GET", "/health").status == 200) return true;
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST(ServeCommandTest, SigtermFinishesTheRequestInFlightThenExits) {
  TempDir dir;
  save_tiny_model(dir / "model");
  const unsigned short port = free_port();
  ::setenv("PADDOCK_SERVE_COMMAND_TEST_KEY", "sk-command-secret", 1);
  ServeProcess server(dir / "model", port, dir / "serve.log",
                      {"--api-key-env", "PADDOCK_SERVE_COMMAND_TEST_KEY", "--access-log",
                       (dir / "access.jsonl").string()});
  ASSERT_TRUE(wait_until_healthy(port, 60)) << paddock::testing::read_text(dir / "serve.log");

  // A streamed request: once its first event has arrived it is certainly in flight.
  namespace beast = boost::beast;
  namespace http = beast::http;
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::address_v4::loopback(), port});
  http::request<http::string_body> request{http::verb::post, "/v1/completions", 11};
  request.set(http::field::host, "127.0.0.1");
  request.set(http::field::authorization, "Bearer sk-command-secret");
  request.set(http::field::content_type, "application/json");
  request.body() = json{
      {"model", "tiny"},
      {"prompt", "hello world"},
      {"max_tokens", 300},
      {"temperature", 0},
      {"stream", true}}.dump();
  request.prepare_payload();
  http::write(socket, request);
  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  http::read_header(socket, buffer, parser);
  ASSERT_EQ(parser.get().result_int(), 200u);
  std::string received;
  char chunk[4096];
  while (received.find("data: ") == std::string::npos) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof chunk;
    beast::error_code error;
    http::read(socket, buffer, parser, error);
    if (error && error != http::error::need_buffer) FAIL() << error.message();
    received.append(chunk, sizeof chunk - parser.get().body().size);
  }

  server.signal(SIGTERM);
  // The answer in flight is completed...
  while (!parser.is_done()) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof chunk;
    beast::error_code error;
    http::read(socket, buffer, parser, error);
    if (error && error != http::error::need_buffer) FAIL() << error.message();
    received.append(chunk, sizeof chunk - parser.get().body().size);
  }
  const auto events = event_data(received);
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events.back(), "[DONE]");
  std::string text;
  for (std::size_t i = 0; i + 1 < events.size(); ++i)
    text += json::parse(events[i])["choices"][0]["text"].get<std::string>();
  GenerationOptions options;
  options.temperature = 0;
  options.max_new_tokens = 300;
  EXPECT_EQ(text,
            make_tiny_model()->as<TextGenerator>()->generate({"hello world"}, options)[0][0].text);
  // ...and then the server exits cleanly and no longer accepts connections.
  EXPECT_EQ(server.wait_for_exit(30), 0) << paddock::testing::read_text(dir / "serve.log");
  EXPECT_THROW(http_request(port, "GET", "/health"), std::exception);

  // The access log has one JSON line per request, without the key.
  const std::string access = paddock::testing::read_text(dir / "access.jsonl");
  EXPECT_EQ(access.find("sk-command-secret"), std::string::npos);
  std::size_t completions = 0;
  for (std::size_t start = 0; start < access.size();) {
    const std::size_t end = access.find('\n', start);
    const json line = json::parse(access.substr(start, end - start));
    EXPECT_TRUE(line.contains("time") && line.contains("status") && line.contains("duration_ms"));
    if (line["path"] == "/v1/completions") {
      ++completions;
      EXPECT_EQ(line["status"], 200);
      EXPECT_EQ(line["stream"], true);
      EXPECT_GT(line["completion_tokens"].get<int>(), 0);
    }
    start = end + 1;
  }
  EXPECT_EQ(completions, 1u);
}

TEST(ServeCommandTest, RefusesAMissingKeyVariableAndAModelItCannotLoad) {
  TempDir dir;
  ::unsetenv("PADDOCK_SERVE_UNSET_KEY");
  save_tiny_model(dir / "model");
  const auto missing_key = paddock::testing::run_command(
      std::string(PADDOCK_BINARY) + " serve " + (dir / "model").string() +
      " --api-key-env PADDOCK_SERVE_UNSET_KEY -P " + PADDOCK_TRANSFORMER_PLUGIN_DIR);
  EXPECT_EQ(missing_key.exit_code, 2) << missing_key.output;
  EXPECT_NE(missing_key.output.find("PADDOCK_SERVE_UNSET_KEY"), std::string::npos);
  const auto no_model = paddock::testing::run_command(std::string(PADDOCK_BINARY) + " serve " +
                                                      (dir / "nothing").string() + " -P " +
                                                      PADDOCK_TRANSFORMER_PLUGIN_DIR);
  EXPECT_EQ(no_model.exit_code, 1) << no_model.output;
  EXPECT_NE(no_model.output.find("not a directory"), std::string::npos) << no_model.output;
}

// Adds a chat_template to the checkpoint's tokenizer_config.json.
void add_chat_template(const std::filesystem::path& model, const std::string& chat_template) {
  json config = json::parse(paddock::testing::read_text(model / "tokenizer_config.json"));
  config["chat_template"] = chat_template;
  paddock::testing::write_text(model / "tokenizer_config.json", config.dump(2));
}

TEST(ServeCommandTest, ServesTheTokenizersJinjaChatTemplate) {
  TempDir dir;
  save_tiny_model(dir / "model");
  add_chat_template(
      dir / "model",
      "{% for m in messages %}<|{{ m.role }}|>\n{{ m.content | trim }}{{ eos_token }}\n"
      "{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}");
  const unsigned short port = free_port();
  ServeProcess server(dir / "model", port, dir / "serve.log");
  ASSERT_TRUE(wait_until_healthy(port, 60)) << paddock::testing::read_text(dir / "serve.log");
  EXPECT_NE(paddock::testing::read_text(dir / "serve.log")
                .find("Jinja chat template the chat_template of " +
                      (dir / "model" / "tokenizer_config.json").string()),
            std::string::npos)
      << paddock::testing::read_text(dir / "serve.log");

  const HttpReply reply = post_json(port, "/v1/chat/completions",
                                    {{"model", "tiny"},
                                     {"messages",
                                      {{{"role", "system"}, {"content", "Be brief. "}},
                                       {{"role", "user"}, {"content", "Add 2 and 3."}},
                                       {{"role", "assistant"}, {"content", "5"}},
                                       {{"role", "user"}, {"content", "And 3 and 4?"}}}},
                                     {"max_tokens", 12},
                                     {"temperature", 0}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  // The tiny model is GPT-2 shaped (no BOS of its own); its eos token is <|endoftext|>.
  const std::string prompt =
      "<|system|>\nBe brief.<|endoftext|>\n<|user|>\nAdd 2 and 3.<|endoftext|>\n<|assistant|>\n"
      "5<|endoftext|>\n<|user|>\nAnd 3 and 4?<|endoftext|>\n<|assistant|>\n";
  auto model = make_tiny_model();
  GenerationOptions options;
  options.temperature = 0;
  options.max_new_tokens = 12;
  options.stop = {"<|endoftext|>"};
  EXPECT_EQ(reply.json()["choices"][0]["message"]["content"],
            model->as<TextGenerator>()->generate({prompt}, options)[0][0].text);
  EXPECT_EQ(reply.json()["usage"]["prompt_tokens"],
            model->as<RequestGenerator>()->prompt_token_count(prompt));
  server.signal(SIGTERM);
  EXPECT_EQ(server.wait_for_exit(30), 0) << paddock::testing::read_text(dir / "serve.log");
}

TEST(ServeCommandTest, RefusesToStartWithAChatTemplateThatDoesNotParse) {
  TempDir dir;
  save_tiny_model(dir / "model");
  add_chat_template(dir / "model", "{% for m in messages %}\n{{ m.content }}{% endif %}");
  const auto result = paddock::testing::run_command(std::string(PADDOCK_BINARY) + " serve " +
                                                    (dir / "model").string() + " -P " +
                                                    PADDOCK_TRANSFORMER_PLUGIN_DIR);
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find((dir / "model" / "tokenizer_config.json").string() +
                               ": chat_template: 2:19: unexpected '{% endif %}'"),
            std::string::npos)
      << result.output;
  // --chat-template wins over the tokenizer's template, so a good one lets it start.
  paddock::testing::write_text(dir / "chat.jinja", "{{ messages[0].content }}");
  const unsigned short port = free_port();
  ServeProcess server(dir / "model", port, dir / "serve.log",
                      {"--chat-template", (dir / "chat.jinja").string()});
  ASSERT_TRUE(wait_until_healthy(port, 60)) << paddock::testing::read_text(dir / "serve.log");
}

}  // namespace
}  // namespace paddock::serve::testing
