// serve_bench: completion tokens per second from `paddock serve` against concurrent clients,
// continuous batching against dynamic batching in the same run. Serves a quickstart-sized
// model (GPT-2 family, vocabulary 1024, width 128, 4 layers: about 1M parameters, as
// configs/quickstart.toml's) in process on 127.0.0.1, once per batching mode, and measures:
//   - uniform: completions of 64 tokens, one client at a time (every call holds 1 request),
//     then 8 and 32 clients sending requests back to back;
//   - mixed: max_tokens spread over 8..128 (the same list for both modes), 8 and 32 clients.
// Requests sample at temperature 1 with their own seed, so nearly every request generates
// its full length.
//
//   serve_bench [--requests N] [--gather-ms M]
// N requests per measurement (default 128); M as paddock serve's --gather-ms (default 2).
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <random>
#include <thread>

#include <torch/torch.h>

#include "api_server.hpp"
#include "chat_template.hpp"
#include "generation_scheduler.hpp"
#include "http_test_client.hpp"
#include "paddock/transformer/bpe_trainer.hpp"
#include "paddock/transformer/transformer_model.hpp"
#include "request_handler.hpp"

namespace {

using namespace paddock;
using Clock = std::chrono::steady_clock;

std::shared_ptr<transformer::TransformerModel> quickstart_sized_model() {
  using namespace paddock::transformer;
  // Varied text, so the BPE reaches the quickstart's 1024 tokens.
  const std::vector<std::string> words = {
      "write",   "answer",   "explain", "topic",     "reader",   "river",    "mountain",
      "because", "garden",   "quickly", "summary",   "letter",   "recipe",   "planet",
      "history", "science",  "music",   "poem",      "kitchen",  "travel",   "winter",
      "summer",  "number",   "between", "without",   "computer", "language", "friendly",
      "careful", "question", "example", "important", "describe"};
  std::mt19937_64 rng(3);
  std::vector<std::string> corpus;
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    for (int w = 0; w < 12; ++w) {
      const std::string& word = words[rng() % words.size()];
      text += (w ? " " : "") + word.substr(0, 2 + rng() % (word.size() - 1)) +
              (rng() % 5 == 0 ? std::to_string(rng() % 100) : "");
    }
    corpus.push_back(text + ".");
  }
  BpeTrainerOptions options;
  options.vocab_size = 1024;
  options.min_pair_count = 1;
  options.special_tokens = {"<|endoftext|>", "<|pad|>"};
  options.roles.eos = "<|endoftext|>";
  options.roles.pad = "<|pad|>";
  BpeTokenizer tokenizer = train_bpe_tokenizer(corpus, options);
  ModelConfig config;
  config.family = ModelFamily::gpt2;
  config.vocab_size = static_cast<std::int64_t>(tokenizer.vocab_size());
  config.hidden_size = 128;
  config.layers = 4;
  config.heads = 4;
  config.kv_heads = 4;
  config.intermediate_size = 512;
  config.max_positions = 320;
  config.tie_embeddings = true;
  PromptTemplate prompts;
  prompts.without_input = "### Task:\n{instruction}\n\n### Response:\n";
  prompts.with_input = "### Task:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n";
  return std::make_shared<TransformerModel>(Decoder::initialise(config, /*seed=*/1, torch::kCPU),
                                            Decoder::WeightMap{}, std::move(tokenizer), prompts);
}

struct Measurement {
  double seconds = 0;
  std::int64_t completion_tokens = 0;
  double mean_latency_ms = 0;  // from sending a request to its whole answer
  int failures = 0;
};

// The max_tokens of request i: 64 (uniform), or spread over 8..128 (mixed).
std::int64_t max_tokens_of(int i, bool mixed) {
  return mixed ? 8 + (i * 37) % 121 : 64;
}

// `clients` threads share `requests` requests, each sent as soon as the previous answer of
// that client arrived.
Measurement measure(unsigned short port, int clients, int requests, bool mixed) {
  std::atomic<int> next{0};
  std::atomic<std::int64_t> tokens{0};
  std::atomic<int> failures{0};
  std::atomic<double> latency_total{0};
  const auto started = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      for (int i; (i = next++) < requests;) {
        const nlohmann::json body = {
            {"model", "bench"},
            {"prompt", "### Task:\nWrite a short answer about topic " + std::to_string(i % 50) +
                           ".\n\n### Response:\n"},
            {"max_tokens", max_tokens_of(i, mixed)},
            {"temperature", 1.0},
            {"seed", i}};
        const auto sent = Clock::now();
        const auto reply = paddock::serve::testing::post_json(port, "/v1/completions", body);
        const double latency =
            std::chrono::duration<double, std::milli>(Clock::now() - sent).count();
        double total = latency_total.load();
        while (!latency_total.compare_exchange_weak(total, total + latency)) {
        }
        if (reply.status != 200) {
          if (failures++ == 0)
            std::fprintf(stderr, "HTTP %d: %s\n", reply.status, reply.body.c_str());
          continue;
        }
        tokens += reply.json()["usage"]["completion_tokens"].get<std::int64_t>();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  return {std::chrono::duration<double>(Clock::now() - started).count(), tokens.load(),
          latency_total.load() / requests, failures.load()};
}

// One `paddock serve` (scheduler, handler, server) around the shared model.
struct BenchServer {
  BenchServer(transformer::TransformerModel& model, serve::ChatFormatter& chat,
              serve::BatchingMode batching, int gather_ms)
      : scheduler(model, &model, options(batching, gather_ms), nullptr),
        handler({"bench", &model, &chat}, scheduler, {}),
        server(server_options(), handler, nullptr) {
    server.start();
  }
  ~BenchServer() {
    server.stop();
    scheduler.drain_and_stop();
  }
  static serve::SchedulerOptions options(serve::BatchingMode batching, int gather_ms) {
    serve::SchedulerOptions options;
    options.max_batch_rows = 32;
    options.gather_window = std::chrono::milliseconds(gather_ms);
    options.batching = batching;
    return options;
  }
  static serve::ServerOptions server_options() {
    serve::ServerOptions options;
    options.port = 0;
    return options;
  }
  serve::GenerationScheduler scheduler;
  serve::RequestHandler handler;
  serve::ApiServer server;
};

}  // namespace

int main(int argc, char** argv) {
  int requests = 128, gather_ms = 2;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--requests") == 0) requests = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--gather-ms") == 0) gather_ms = std::atoi(argv[i + 1]);
  }
  ::setenv("no_proxy", "127.0.0.1", 1);
  const int threads =
      std::getenv("PADDOCK_THREADS") ? std::atoi(std::getenv("PADDOCK_THREADS")) : 1;
  torch::set_num_threads(threads);
  auto model = quickstart_sized_model();
  std::printf(
      "model: GPT-2 family, vocabulary 1024, width 128, 4 layers: %.2fM parameters; "
      "%d intra-op thread(s); batches of up to 32 samples, gather window %d ms\n",
      static_cast<double>(model->decoder().config().parameter_count()) / 1e6, threads, gather_ms);

  serve::ChatFormatter chat(*model, std::nullopt);
  BenchServer continuous(*model, chat, serve::BatchingMode::continuous, gather_ms);
  BenchServer dynamic(*model, chat, serve::BatchingMode::dynamic, gather_ms);
  struct Mode {
    const char* name;
    BenchServer* server;
    double one_at_a_time = 0;
  };
  Mode modes[] = {{"continuous", &continuous}, {"dynamic", &dynamic}};
  for (Mode& mode : modes) measure(mode.server->server.port(), 1, 2, false);  // warm-up

  const auto report = [&](Mode& mode, const char* workload, int clients, bool mixed) {
    const auto before = mode.server->scheduler.counters();
    const Measurement result = measure(mode.server->server.port(), clients, requests, mixed);
    const auto after = mode.server->scheduler.counters();
    const double rate = static_cast<double>(result.completion_tokens) / result.seconds;
    if (clients == 1) mode.one_at_a_time = rate;
    std::printf(
        "%-10s %-7s concurrency %2d: %6lld tokens in %6.2f s = %7.1f tokens/s (%.2fx one at a "
        "time), mean latency %6.1f ms; %llu calls, %llu requests joined a running batch%s\n",
        mode.name, workload, clients, static_cast<long long>(result.completion_tokens),
        result.seconds, rate, rate / mode.one_at_a_time, result.mean_latency_ms,
        static_cast<unsigned long long>(after.calls - before.calls),
        static_cast<unsigned long long>(after.joined_running - before.joined_running),
        result.failures ? "  FAILURES" : "");
    return rate;
  };
  std::printf("%d requests per line; one at a time = the same mode at concurrency 1, uniform\n",
              requests);
  double uniform[2][3] = {}, mixed[2][2] = {};
  for (int clients_index = 0; clients_index < 3; ++clients_index) {
    const int clients = std::array{1, 8, 32}[static_cast<std::size_t>(clients_index)];
    for (int m = 0; m < 2; ++m)
      uniform[m][clients_index] = report(modes[m], "uniform", clients, /*mixed=*/false);
  }
  for (int clients_index = 0; clients_index < 2; ++clients_index) {
    const int clients = std::array{8, 32}[static_cast<std::size_t>(clients_index)];
    for (int m = 0; m < 2; ++m)
      mixed[m][clients_index] = report(modes[m], "mixed", clients, /*mixed=*/true);
  }
  std::printf(
      "continuous / dynamic: uniform %.2fx, %.2fx, %.2fx at 1, 8, 32 clients; mixed %.2fx, "
      "%.2fx at 8, 32 clients\n",
      uniform[0][0] / uniform[1][0], uniform[0][1] / uniform[1][1], uniform[0][2] / uniform[1][2],
      mixed[0][0] / mixed[1][0], mixed[0][1] / mixed[1][1]);
  return 0;
}
