// Annotations per second of the api_llm judge against the scripted loopback server, at
// concurrency 1 and 16, with an instant server (client and cache overhead: one fsync per
// request) and with 20 ms of simulated model latency per request. Batch size 1, fresh cache.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "annotators_test_support.hpp"
#include "api_llm_factory.hpp"
#include "loopback_server.hpp"
#include "test_support.hpp"

using namespace paddock;
using namespace paddock::annotators;
using namespace paddock::annotators::testing;

namespace {

double measure(int concurrency, int latency_ms, int pairs_count) {
  LoopbackServer server([latency_ms](std::size_t, const ReceivedRequest& request) {
    ScriptedResponse response{200, chat_response(scripted_labels(prompt_of(request.body)))};
    response.delay = std::chrono::milliseconds(latency_ms);
    return response;
  });
  paddock::testing::TempDir dir;
  paddock::testing::write_text(dir / "t.txt",
                               "{{#examples}}\nInstruction: {instruction}\nA: {output_1}\nB: "
                               "{output_2}\n{{/examples}}\nAnswer Output (a) or Output (b).\n");
  nlohmann::json values = nlohmann::json::object();
  for (const auto& param : api_llm_params()) {
    if (!param.default_value.is_null()) values[param.name] = param.default_value;
  }
  values["model"] = "bench";
  values["base_url"] = server.base_url();
  values["api_key_env"] = "none";
  values["template_with_input"] = (dir / "t.txt").string();
  values["template_without_input"] = (dir / "t.txt").string();
  values["parse_patterns"] = {"1:Output \\(a\\)", "2:Output \\(b\\)"};
  values["concurrency"] = concurrency;
  ApiLlmSetup setup;
  setup.work_dir = dir.path();
  auto judge = make_api_llm_annotator(Params(values), setup);
  std::vector<PreferencePair> pairs;
  for (int i = 0; i < pairs_count; ++i) {
    pairs.push_back(make_pair("Bench question " + std::to_string(i), "GOOD " + std::to_string(i),
                              "weak " + std::to_string(i)));
  }
  const auto started = std::chrono::steady_clock::now();
  const auto answers = judge->annotate(pairs);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  for (const auto& answer : answers) {
    if (answer.preference != 1) {
      std::fprintf(stderr, "wrong answer: %s\n", answer.raw.c_str());
      std::exit(1);
    }
  }
  if (server.requests() != static_cast<std::size_t>(pairs_count)) {
    std::fprintf(stderr, "expected %d requests, the server saw %zu\n", pairs_count,
                 server.requests());
    std::exit(1);
  }
  return pairs_count / seconds;
}

}  // namespace

int main() {
  ::setenv("no_proxy", "127.0.0.1", 1);
  std::printf("%-12s %-12s %-8s %s\n", "latency_ms", "concurrency", "pairs", "annotations/s");
  for (const int latency : {0, 20}) {
    for (const int concurrency : {1, 16}) {
      const int count = latency == 0 ? 2000 : (concurrency == 1 ? 200 : 1600);
      std::printf("%-12d %-12d %-8d %.0f\n", latency, concurrency, count,
                  measure(concurrency, latency, count));
    }
  }
  return 0;
}
