// serve_bench: completion tokens per second from `paddock serve` against concurrent clients.
// Serves a quickstart-sized model (GPT-2 family, vocabulary 1024, width 128, 4 layers: about
// 1M parameters, as configs/quickstart.toml's) in process on 127.0.0.1, and compares:
//   - one at a time: one client, each request alone (every generate call holds 1 request);
//   - concurrency 8 and 32: that many clients sending requests back to back.
// Requests are completions of 64 tokens at temperature 1 with a seed, so every request
// generates (nearly) the full length.
//
//   serve_bench [--requests N] [--gather-ms M]
// N requests per measurement (default 128); M as paddock serve's --gather-ms (default 2).
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
  int failures = 0;
};

// `clients` threads share `requests` requests, each sent as soon as the previous answer of
// that client arrived.
Measurement measure(unsigned short port, int clients, int requests) {
  std::atomic<int> next{0};
  std::atomic<std::int64_t> tokens{0};
  std::atomic<int> failures{0};
  const auto started = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      for (int i; (i = next++) < requests;) {
        const nlohmann::json body = {
            {"model", "bench"},
            {"prompt", "### Task:\nWrite a short answer about topic " + std::to_string(i % 50) +
                           ".\n\n### Response:\n"},
            {"max_tokens", 64},
            {"temperature", 1.0},
            {"seed", i}};
        const auto reply = paddock::serve::testing::post_json(port, "/v1/completions", body);
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
          failures.load()};
}

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
  serve::SchedulerOptions scheduler_options;
  scheduler_options.max_batch_rows = 32;
  scheduler_options.gather_window = std::chrono::milliseconds(gather_ms);
  serve::GenerationScheduler scheduler(*model, model.get(), scheduler_options, nullptr);
  serve::RequestHandler handler({"bench", model.get(), &chat}, scheduler, {});
  serve::ServerOptions server_options;
  server_options.port = 0;
  serve::ApiServer server(server_options, handler, nullptr);
  server.start();

  measure(server.port(), 1, 2);  // warm-up
  double baseline = 0;
  for (const int clients : {1, 8, 32}) {
    const auto before = scheduler.counters();
    const Measurement result = measure(server.port(), clients, requests);
    const auto after = scheduler.counters();
    const double rate = static_cast<double>(result.completion_tokens) / result.seconds;
    if (clients == 1) baseline = rate;
    std::printf(
        "concurrency %2d: %3d requests, %6lld tokens in %6.2f s = %7.1f tokens/s  "
        "(%.2fx one at a time; %llu generate calls, %.1f requests per call)%s\n",
        clients, requests, static_cast<long long>(result.completion_tokens), result.seconds, rate,
        rate / baseline, static_cast<unsigned long long>(after.calls - before.calls),
        static_cast<double>(after.jobs - before.jobs) /
            static_cast<double>(std::max<std::uint64_t>(1, after.calls - before.calls)),
        result.failures ? "  FAILURES" : "");
  }
  server.stop();
  scheduler.drain_and_stop();
  return 0;
}
