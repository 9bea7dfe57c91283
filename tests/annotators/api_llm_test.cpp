// The API judge against a scripted HTTP server on 127.0.0.1: answers, 429 with Retry-After,
// 500s, slow answers past the timeout, malformed JSON, wrong label counts, budgets, the
// bearer key's secrecy, concurrency, and a cache that survives a killed process.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "annotators_test_support.hpp"
#include "api_judge_config.hpp"
#include "api_llm_annotator.hpp"
#include "api_llm_factory.hpp"
#include "api_llm_test_fixture.hpp"
#include "loopback_server.hpp"
#include "paddock/error.hpp"
#include "test_support.hpp"
#include "usage_reports.hpp"

namespace paddock::annotators {
namespace {

using namespace testing;
using paddock::testing::read_text;
using paddock::testing::TempDir;
using paddock::testing::write_text;

TEST_F(ApiLlmTest, AnswersAreParsedInOrderWithPaddingAndAccounted) {
  LoopbackServer server(answer_correctly);
  auto judge = make(server, {{"batch_size", 3},
                             {"prices", {{"prompt", 1.0}, {"completion", 2.0}}},
                             {"logit_bias", {{"1234", -100}, {"55", 7}}},
                             {"temperature", 0.5},
                             {"max_tokens", 40}});
  const auto input = pairs(7);  // rows 0, 3, 6 have an input: 3 + 4 rows -> 1 + 2 batches
  const auto answers = judge->annotate(input);
  expect_correct(answers);
  EXPECT_EQ(server.requests(), 3u);

  for (const ReceivedRequest& request : server.received()) {
    EXPECT_EQ(request.target, "/v1/chat/completions");
    EXPECT_EQ(request.authorization, std::string("Bearer ") + kSecret);
    const auto body = nlohmann::json::parse(request.body);
    EXPECT_EQ(body["model"], "judge-model");
    EXPECT_EQ(body["temperature"], 0.5);
    EXPECT_EQ(body["max_tokens"], 40);
    EXPECT_EQ(body["logit_bias"]["1234"], -100);
    EXPECT_EQ(body["logit_bias"]["55"], 7);
    // Every prompt holds exactly batch_size examples (the short batches are padded).
    EXPECT_EQ(scripted_labels(prompt_of(request.body)).size(),
              std::string("Output (a)\n").size() * 3);
  }

  const auto usage = usage_of(*judge);
  EXPECT_EQ(usage["requests"], 3);
  EXPECT_EQ(usage["retries"], 0);
  EXPECT_EQ(usage["prompt_tokens"], 300);
  EXPECT_EQ(usage["completion_tokens"], 30);
  EXPECT_NEAR(usage["dollars"].get<double>(), 3 * (0.1 + 0.02), 1e-12);
  EXPECT_EQ(usage["annotations"], 7);
  EXPECT_NEAR(usage["dollars_per_1000"].get<double>(), 0.36 / 7 * 1000, 1e-9);
  EXPECT_TRUE(usage["seconds_per_1000"].is_number());
  EXPECT_EQ(count_lines(dir_ / "cache.jsonl"), 7u);

  // A second call is served from the cache.
  expect_correct(judge->annotate(input));
  EXPECT_EQ(server.requests(), 3u);
  EXPECT_EQ(usage_of(*judge)["cache_hits"], 7);
}

TEST_F(ApiLlmTest, TooManyRequestsHonoursRetryAfter) {
  LoopbackServer server([](std::size_t n, const ReceivedRequest& request) -> ScriptedResponse {
    if (n == 0) return {429, R"({"error":"slow down"})", {{"Retry-After", "0.4"}}};
    return answer_correctly(n, request);
  });
  auto judge = make(server, {{"concurrency", 1}, {"backoff_max_seconds", 2.0}});
  const auto started = std::chrono::steady_clock::now();
  expect_correct(judge->annotate(pairs(1)));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_GE(seconds, 0.4);  // the backoff alone would be <= 0.01 s
  EXPECT_EQ(server.requests(), 2u);
  EXPECT_EQ(usage_of(*judge)["retries"], 1);
  EXPECT_NE(log_.str().find("HTTP 429"), std::string::npos);
}

TEST_F(ApiLlmTest, ServerErrorsAreRetriedThenGivenUp) {
  LoopbackServer flaky([](std::size_t n, const ReceivedRequest& request) -> ScriptedResponse {
    if (n < 2) return {503, "unavailable"};
    return answer_correctly(n, request);
  });
  auto judge = make(flaky, {{"max_retries", 3}, {"concurrency", 1}});
  expect_correct(judge->annotate(pairs(1)));
  EXPECT_EQ(flaky.requests(), 3u);

  LoopbackServer broken([](std::size_t, const ReceivedRequest&) -> ScriptedResponse {
    return {500, "internal error"};
  });
  std::filesystem::remove(dir_ / "cache.jsonl");
  auto failing = make(broken, {{"max_retries", 2}});
  const auto answers = failing->annotate(pairs(2, "x"));
  EXPECT_FALSE(answers[0].preference);
  EXPECT_FALSE(answers[1].preference);
  EXPECT_NE(answers[0].raw.find("HTTP 500"), std::string::npos);
  EXPECT_EQ(broken.requests(), 6u);  // 2 batches x (1 + 2 retries)
  const auto usage = usage_of(*failing);
  EXPECT_EQ(usage["failed_requests"], 2);
  EXPECT_EQ(usage["retries"], 4);
  EXPECT_EQ(count_lines(dir_ / "cache.jsonl"), 0u);  // nothing answered, nothing cached
}

TEST_F(ApiLlmTest, ClientErrorsAreNotRetried) {
  LoopbackServer server([](std::size_t, const ReceivedRequest&) -> ScriptedResponse {
    return {400, R"({"error":"bad request"})"};
  });
  auto judge = make(server);
  EXPECT_FALSE(judge->annotate(pairs(1))[0].preference);
  EXPECT_EQ(server.requests(), 1u);
}

TEST_F(ApiLlmTest, SlowAnswersTimeOutAndAreRetried) {
  LoopbackServer server([](std::size_t n, const ReceivedRequest& request) -> ScriptedResponse {
    ScriptedResponse response = answer_correctly(n, request);
    if (n == 0) response.delay = std::chrono::milliseconds(2000);
    return response;
  });
  auto judge = make(server, {{"timeout_seconds", 0.3}, {"concurrency", 1}});
  const auto started = std::chrono::steady_clock::now();
  expect_correct(judge->annotate(pairs(1)));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_LT(seconds, 1.5);
  EXPECT_EQ(server.requests(), 2u);
  EXPECT_NE(log_.str().find("timed out"), std::string::npos);

  LoopbackServer stuck([](std::size_t, const ReceivedRequest&) -> ScriptedResponse {
    return {200, chat_response("Output (a)"), {}, std::chrono::milliseconds(2000)};
  });
  auto hopeless = make(stuck, {{"timeout_seconds", 0.2},
                               {"max_retries", 1},
                               {"cache_file", (dir_ / "other.jsonl").string()}});
  const auto answers = hopeless->annotate(pairs(1, "slow"));
  EXPECT_FALSE(answers[0].preference);
  EXPECT_NE(answers[0].raw.find("timed out"), std::string::npos);
  EXPECT_EQ(stuck.requests(), 2u);
}

TEST_F(ApiLlmTest, MalformedJsonIsRetriedAndNeverParsedAsAnAnswer) {
  LoopbackServer server([](std::size_t n, const ReceivedRequest& request) -> ScriptedResponse {
    if (n == 0) return {200, R"x({"choices": [{"message": {"content": "Output (a)")x"};  // cut
    if (n == 1) return {200, R"({"choices": []})"};
    return answer_correctly(n, request);
  });
  auto judge = make(server, {{"concurrency", 1}});
  expect_correct(judge->annotate(pairs(1)));
  EXPECT_EQ(server.requests(), 3u);

  LoopbackServer garbage([](std::size_t, const ReceivedRequest&) -> ScriptedResponse {
    return {200, "<html>not json</html>"};
  });
  auto failing = make(garbage, {{"max_retries", 1}, {"cache_file", (dir_ / "g.jsonl").string()}});
  const auto answers = failing->annotate(pairs(1, "g"));
  EXPECT_FALSE(answers[0].preference);
  EXPECT_NE(answers[0].raw.find("malformed response"), std::string::npos);
  EXPECT_EQ(count_lines(dir_ / "g.jsonl"), 0u);
}

TEST_F(ApiLlmTest, AWrongLabelCountLeavesTheWholeBatchUnannotated) {
  LoopbackServer server([](std::size_t, const ReceivedRequest& request) -> ScriptedResponse {
    return {200, chat_response(scripted_labels(prompt_of(request.body), /*drop=*/1))};
  });
  auto judge = make(server, {{"batch_size", 3}});
  const auto input = pairs(6, "w");  // rows 0 and 3 with input, 4 without: 3 batches
  const auto answers = judge->annotate(input);
  for (const auto& answer : answers) EXPECT_FALSE(answer.preference);
  const auto usage = usage_of(*judge);
  EXPECT_EQ(usage["unparsed_pairs"], 6);
  EXPECT_EQ(usage["annotations"], 0);
  EXPECT_NE(log_.str().find("expected 3 labels, found 2"), std::string::npos);
  // Paid answers are cached even when unparsable; a re-run does not pay again...
  const std::size_t before = server.requests();
  judge->annotate(input);
  EXPECT_EQ(server.requests(), before);
  // ...unless retry_unannotated asks for it.
  auto retrying = make(server, {{"batch_size", 3}, {"retry_unannotated", true}});
  retrying->annotate(input);
  EXPECT_EQ(server.requests(), 2 * before);
}

TEST_F(ApiLlmTest, BudgetStopsCleanly) {
  LoopbackServer server(answer_correctly);
  auto judge = make(server, {{"budget_requests", 2}, {"concurrency", 1}});
  const auto answers = judge->annotate(pairs(5, "b"));
  std::size_t annotated = 0;
  for (const auto& answer : answers) annotated += answer.preference.has_value();
  EXPECT_EQ(annotated, 2u);
  EXPECT_EQ(server.requests(), 2u);
  const auto usage = usage_of(*judge);
  EXPECT_TRUE(usage["stopped_by_budget"].get<bool>());
  EXPECT_EQ(usage["pairs_not_sent"], 3);
  EXPECT_NE(usage["stop_note"].get<std::string>().find("request budget"), std::string::npos);
  EXPECT_NE(log_.str().find("budget reached"), std::string::npos);

  // A dollar cap, from the price table.
  LoopbackServer priced(answer_correctly);
  auto capped = make(priced, {{"budget_dollars", 0.25},
                              {"prices", {{"judge-model", {{"prompt", 1.0}, {"completion", 0.0}}}}},
                              {"concurrency", 1},
                              {"cache_file", (dir_ / "d.jsonl").string()}});
  capped->annotate(pairs(6, "d"));  // $0.10 per request: 3 requests reach $0.30 >= $0.25
  EXPECT_EQ(priced.requests(), 3u);
  EXPECT_TRUE(usage_of(*capped)["stopped_by_budget"].get<bool>());
}

TEST_F(ApiLlmTest, TheKeyNeverAppearsInLogsCachesOrErrors) {
  LoopbackServer server([](std::size_t n, const ReceivedRequest& request) -> ScriptedResponse {
    // A hostile server echoes the header back in its errors.
    if (n == 0) return {429, "rate limited for " + request.authorization, {{"Retry-After", "0"}}};
    if (n == 1) return {401, "invalid key " + request.authorization};
    return answer_correctly(n, request);
  });
  auto judge = make(server, {{"concurrency", 1}});
  const auto answers = judge->annotate(pairs(2, "k"));
  EXPECT_FALSE(answers[0].preference);
  EXPECT_NE(answers[0].raw.find("[redacted]"), std::string::npos);
  EXPECT_TRUE(answers[1].preference);
  EXPECT_EQ(server.received().front().authorization, std::string("Bearer ") + kSecret);
  EXPECT_EQ(log_.str().find(kSecret), std::string::npos) << log_.str();
  EXPECT_NE(log_.str().find("[redacted]"), std::string::npos);
  EXPECT_EQ(answers[0].raw.find(kSecret), std::string::npos);
  EXPECT_EQ(read_text(dir_ / "cache.jsonl").find(kSecret), std::string::npos);
  EXPECT_EQ(usage_of(*judge).dump().find(kSecret), std::string::npos);

  ::unsetenv(kKeyVariable);
  auto keyless = make(server, {{"cache_file", (dir_ / "k.jsonl").string()}});
  try {
    keyless->annotate(pairs(1, "nokey"));
    FAIL() << "expected an error for the missing key";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find(kKeyVariable), std::string::npos);
    // The advice given must work: "none", not "" (which means "inherit" on the node).
    EXPECT_NE(std::string(error.what()).find("api_key_env = \"none\""), std::string::npos)
        << error.what();
  }
}

// A key pasted into api_key_env was echoed as "the environment variable 'sk-...' is not set".
TEST_F(ApiLlmTest, AKeyPastedIntoApiKeyEnvIsRefusedWithoutRepeatingIt) {
  LoopbackServer server(answer_correctly);
  try {
    make(server, {{"api_key_env", kSecret}});
    FAIL() << "a key in api_key_env must be refused";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_EQ(message.find(kSecret), std::string::npos) << message;
    EXPECT_NE(message.find("must name the environment variable"), std::string::npos) << message;
  }
  EXPECT_EQ(log_.str().find(kSecret), std::string::npos) << log_.str();
  EXPECT_EQ(server.requests(), 0u);
}

// user:password@ in base_url reaches the server (libcurl sends it as Basic authentication)
// but never the log or the errors.
TEST_F(ApiLlmTest, APasswordInTheBaseUrlIsNeverLogged) {
  LoopbackServer server([](std::size_t, const ReceivedRequest& request) -> ScriptedResponse {
    return {500, "server error for " + request.target};
  });
  const std::string url = "http://judge:" + std::string(kSecret) +
                          "@127.0.0.1:" + std::to_string(server.port()) + "/v1";
  auto judge = make(server, {{"base_url", url}, {"api_key_env", "none"}, {"max_retries", 1}});
  const auto answers = judge->annotate(pairs(1, "url"));
  EXPECT_FALSE(answers[0].preference);
  EXPECT_EQ(log_.str().find(kSecret), std::string::npos) << log_.str();
  EXPECT_NE(log_.str().find("http://[redacted]@127.0.0.1"), std::string::npos) << log_.str();
  EXPECT_EQ(answers[0].raw.find(kSecret), std::string::npos);
  EXPECT_EQ(server.requests(), 2u);
}

// "none" means no key in a pool file's judge too, as the missing-key message advises.
TEST_F(ApiLlmTest, NoneMeansNoKeyInAJudgeTable) {
  JudgeSource source;
  source.origin = "pool.toml:3:1: judge 1";
  source.base_directory = dir_.path();
  const nlohmann::json table = {{"model", "m"},
                                {"api_key_env", "none"},
                                {"template_with_input", "with.txt"},
                                {"template_without_input", "without.txt"},
                                {"parse_patterns", {"1:A", "2:B"}}};
  EXPECT_EQ(judge_config_from_json(table, source).api_key_env, "");
}

TEST(ApiKey, UrlUserinfoIsFoundOnlyInTheAuthority) {
  EXPECT_EQ(api_client::url_userinfo("https://u:p@host/v1"), "u:p");
  EXPECT_EQ(api_client::url_for_messages("https://u:p@host/v1"), "https://[redacted]@host/v1");
  EXPECT_EQ(api_client::url_userinfo("https://host/v1/me@example"), "");
  EXPECT_EQ(api_client::url_for_messages("http://127.0.0.1:8000/v1"), "http://127.0.0.1:8000/v1");
  EXPECT_EQ(api_client::url_userinfo("https://a@b:c@host"), "a@b:c");
}

TEST_F(ApiLlmTest, CompletionsEndpointSendsOnePrompt) {
  LoopbackServer server([](std::size_t, const ReceivedRequest& request) -> ScriptedResponse {
    const std::string labels = scripted_labels(prompt_of(request.body));
    return {200, nlohmann::json{{"choices", {{{"text", labels}}}}}.dump()};
  });
  auto judge = make(server, {{"endpoint", "completions"}, {"api_key_env", "none"}});
  expect_correct(judge->annotate(pairs(4, "c")));
  const auto received = server.received();
  EXPECT_EQ(received.front().target, "/v1/completions");
  EXPECT_TRUE(received.front().authorization.empty());
  const auto body = nlohmann::json::parse(received.front().body);
  EXPECT_TRUE(body.contains("prompt"));
  EXPECT_FALSE(body.contains("messages"));
  EXPECT_EQ(usage_of(*judge)["prompt_tokens"], 0);  // no usage in these answers
}

TEST_F(ApiLlmTest, RequestsRunConcurrently) {
  LoopbackServer server([](std::size_t n, const ReceivedRequest& request) -> ScriptedResponse {
    ScriptedResponse response = answer_correctly(n, request);
    response.delay = std::chrono::milliseconds(150);
    return response;
  });
  auto judge = make(server, {{"concurrency", 16}});
  const auto started = std::chrono::steady_clock::now();
  expect_correct(judge->annotate(pairs(16, "p")));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_LT(seconds, 16 * 0.15 / 2);  // serial would take 2.4 s
  EXPECT_GE(server.max_in_flight(), 8u);
}

TEST_F(ApiLlmTest, ATornLastCacheLineIsDroppedAndRepaired) {
  LoopbackServer server(answer_correctly);
  const auto input = pairs(4, "t");
  {
    auto judge = make(server);
    judge->annotate(input);
  }
  ASSERT_EQ(server.requests(), 4u);
  std::string text = read_text(dir_ / "cache.jsonl");
  // Cut the last entry in the middle, as a kill during write() would.
  const std::size_t last = text.rfind('\n', text.size() - 2);
  write_text(dir_ / "cache.jsonl", text.substr(0, last + 1 + 20));
  auto judge = make(server);
  expect_correct(judge->annotate(input));
  EXPECT_EQ(server.requests(), 5u);  // only the torn entry is asked again
  EXPECT_NE(log_.str().find("incomplete last line"), std::string::npos);
  // The file is whole again: 4 complete lines, each valid JSON.
  std::ifstream stream(dir_ / "cache.jsonl");
  std::string line;
  std::size_t lines = 0;
  while (std::getline(stream, line)) {
    EXPECT_TRUE(nlohmann::json::accept(line)) << line;
    ++lines;
  }
  EXPECT_EQ(lines, 4u);
}

// Run in a child process by KilledProcessLeavesAUsableCache (skipped otherwise): annotates
// 40 pairs one request at a time until it is killed.
TEST(ApiLlmChild, AnnotateUntilKilled) {
  const char* url = std::getenv("PADDOCK_ANNOTATORS_CHILD_URL");
  const char* directory = std::getenv("PADDOCK_ANNOTATORS_CHILD_DIR");
  if (!url || !directory) GTEST_SKIP() << "only runs as the child of the kill test";
  nlohmann::json values = nlohmann::json::object();
  for (const auto& param : api_llm_params()) {
    if (!param.default_value.is_null()) values[param.name] = param.default_value;
  }
  const std::filesystem::path dir(directory);
  values["model"] = "judge-model";
  values["base_url"] = url;
  values["api_key_env"] = "none";
  values["template_with_input"] = (dir / "with.txt").string();
  values["template_without_input"] = (dir / "without.txt").string();
  values["parse_patterns"] = {"1:Output \\(a\\)", "2:Output \\(b\\)"};
  values["cache_file"] = (dir / "cache.jsonl").string();
  values["concurrency"] = 1;
  ApiLlmSetup setup;
  setup.work_dir = dir;
  auto judge = make_api_llm_annotator(Params(values), setup);
  std::vector<PreferencePair> input;
  for (int i = 0; i < 40; ++i) {
    input.push_back(make_pair("Kill question " + std::to_string(i), "GOOD " + std::to_string(i),
                              "weak " + std::to_string(i)));
  }
  judge->annotate(input);
}

TEST_F(ApiLlmTest, KilledProcessLeavesAUsableCache) {
  LoopbackServer server([](std::size_t n, const ReceivedRequest& request) -> ScriptedResponse {
    ScriptedResponse response = answer_correctly(n, request);
    response.delay = std::chrono::milliseconds(25);
    return response;
  });
  // Everything the child needs is prepared before fork(): after it, only exec.
  std::vector<std::string> environment = {"PADDOCK_ANNOTATORS_CHILD_URL=" + server.base_url(),
                                          "PADDOCK_ANNOTATORS_CHILD_DIR=" + dir_.path().string(),
                                          "no_proxy=127.0.0.1", "NO_PROXY=127.0.0.1"};
  std::vector<char*> envp;
  for (auto& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::string program = "annotators_tests", filter = "--gtest_filter=ApiLlmChild.*";
  std::string quiet = "--gtest_brief=1";
  char* argv[] = {program.data(), filter.data(), quiet.data(), nullptr};
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::execve("/proc/self/exe", argv, envp.data());
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (server.completed() < 10 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child finished before it was killed";
  const std::size_t answered_before_kill = server.completed();
  ASSERT_GE(answered_before_kill, 10u);
  ASSERT_LT(answered_before_kill, 40u);

  std::vector<PreferencePair> input;
  for (int i = 0; i < 40; ++i) {
    input.push_back(make_pair("Kill question " + std::to_string(i), "GOOD " + std::to_string(i),
                              "weak " + std::to_string(i)));
  }
  auto judge = make(server, {{"api_key_env", "none"}, {"name", ""}});
  const std::size_t requests_before = server.requests();
  const auto answers = judge->annotate(input);
  for (const auto& answer : answers) EXPECT_EQ(answer.preference, 1);
  const std::size_t cached =
      static_cast<std::size_t>(usage_of(*judge)["cache_hits"].get<std::int64_t>());
  // At most the answer in flight at the moment of the kill is lost.
  EXPECT_GE(cached + 1, answered_before_kill);
  EXPECT_EQ(server.requests() - requests_before, 40u - cached);
}

TEST(ApiJudgePoolFile, TheShippedPoolHasThirteenJudges) {
  const std::filesystem::path configs = PADDOCK_ANNOTATORS_CONFIG_DIR;
  const JudgePoolFile pool =
      load_judge_pool(configs / "api_judges.toml", {{"base_url", "http://127.0.0.1:1/v1"}});
  ASSERT_EQ(pool.judges.size(), 13u);
  std::set<std::string> names, models;
  for (const auto& judge : pool.judges) {
    names.insert(judge.name);
    models.insert(judge.model);
    EXPECT_EQ(judge.base_url, "http://127.0.0.1:1/v1");
    EXPECT_EQ(judge.temperature, 1.0) << judge.name;
    EXPECT_TRUE(judge.batch_size == 1 || judge.batch_size == 4 || judge.batch_size == 5);
    EXPECT_GE(judge.max_tokens, 20);
    EXPECT_LE(judge.max_tokens, 600);
    // Every template renders batch_size examples and the patterns read the dummy labels.
    std::vector<PreferencePair> batch(static_cast<std::size_t>(judge.batch_size), dummy_pair(true));
    EXPECT_FALSE(judge.template_with_input.render(batch).user.empty());
  }
  EXPECT_EQ(names.size(), 13u);
  EXPECT_EQ(models.size(), 3u);

  const JudgePoolFile greedy = load_judge_pool(configs / "api_judge_greedy.toml", {});
  ASSERT_EQ(greedy.judges.size(), 1u);
  EXPECT_EQ(greedy.judges.front().temperature, 0.0);
  EXPECT_EQ(greedy.judges.front().batch_size, 5);
}

TEST(ApiJudgePoolFile, PoolNodeMakesAnAnnotatorWithMembers) {
  TempDir dir;
  nlohmann::json values = nlohmann::json::object();
  for (const auto& param : api_llm_params()) {
    if (!param.default_value.is_null()) values[param.name] = param.default_value;
  }
  values["pool_file"] = std::string(PADDOCK_ANNOTATORS_CONFIG_DIR) + "/api_judges.toml";
  values["base_url"] = "http://127.0.0.1:1/v1";
  ApiLlmSetup setup;
  setup.work_dir = dir.path();
  auto pool = make_api_llm_annotator(Params(values), setup);
  EXPECT_EQ(pool->members().size(), 13u);
  EXPECT_TRUE(std::filesystem::exists(dir / "annotations.jsonl"));
}

TEST(Backoff, GrowsExponentiallyWithJitterAndHonoursRetryAfterUpToTheCap) {
  RetryPolicy policy;
  policy.backoff_initial_seconds = 1.0;
  policy.backoff_max_seconds = 10.0;
  EXPECT_DOUBLE_EQ(backoff_seconds(policy, 1, 0.0, std::nullopt), 0.5);
  EXPECT_DOUBLE_EQ(backoff_seconds(policy, 3, 0.999999, std::nullopt),
                   4.0 * (0.5 + 0.5 * 0.999999));
  EXPECT_DOUBLE_EQ(backoff_seconds(policy, 10, 0.0, std::nullopt), 5.0);  // capped at 10, jittered
  EXPECT_DOUBLE_EQ(backoff_seconds(policy, 1, 0.0, 3.0), 3.0);
  // A server's Retry-After never holds the client past the cap.
  EXPECT_DOUBLE_EQ(backoff_seconds(policy, 1, 0.0, 30.0), 10.0);
  EXPECT_DOUBLE_EQ(backoff_seconds(policy, 1, 0.0, 100000.0), 10.0);
}

}  // namespace
}  // namespace paddock::annotators
