// transformer_bench: throughput of the decoder on this machine, in one run so the ratios
// compare like with like. Measures fp32 matmul throughput (the machine's ceiling), training
// tokens/s and achieved GFLOP/s (6 x parameters x tokens / time) for the quickstart-sized
// world model and the GPT-2 124M configuration, the quickstart's layer products on one
// thread, and generation tokens/s with the KV cache
// against recomputing the whole prefix at every step.
//
//   transformer_bench [--skip-gpt2]
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <utility>

#include "paddock/learning/gradient_shards.hpp"
#include "paddock/torch/causal_lm.hpp"
#include "paddock/transformer/decoder.hpp"
#include "paddock/transformer/sampler.hpp"

namespace {

using paddock::transformer::Decoder;
using paddock::transformer::ModelConfig;
using paddock::transformer::ModelFamily;
using Clock = std::chrono::steady_clock;

// Runs `work` once to warm up, then `repeats` times; returns the fastest run's seconds. The
// fastest, not the mean: on a shared machine other jobs only ever add time.
double time_per_run(int repeats, const std::function<void()>& work) {
  work();
  double fastest = 1e300;
  for (int i = 0; i < repeats; ++i) {
    const auto start = Clock::now();
    work();
    fastest = std::min(fastest, std::chrono::duration<double>(Clock::now() - start).count());
  }
  return fastest;
}

// fp32 GEMM forward and backward at a transformer-like shape: the ceiling for training.
double matmul_gflops() {
  const auto x = torch::randn({1024, 768}, torch::requires_grad());
  const auto w = torch::randn({3072, 768}, torch::requires_grad());
  const double seconds = time_per_run(5, [&] { torch::linear(x, w).sum().backward(); });
  return 3 * 2.0 * 1024 * 768 * 3072 / seconds / 1e9;  // forward + two backward GEMMs
}

// The quickstart's linear-layer products as a gradient shard computes them (8 rows of 114
// positions, one intra-op thread): forward, input gradient and weight gradient, each in
// GFLOP/s. One thread's ceiling: how far the training nodes' products are from it.
void bench_layer_products() {
  const int threads = torch::get_num_threads();
  torch::set_num_threads(1);
  const std::int64_t positions = 8 * 114;
  for (const auto& [in, out] :
       {std::pair<std::int64_t, std::int64_t>{128, 384}, {128, 512}, {512, 128}, {128, 1024}}) {
    const auto x = torch::randn({positions, in});
    const auto w = torch::randn({out, in});
    const auto g = torch::randn({positions, out});
    const double flops = 2.0 * static_cast<double>(positions * in * out);
    const auto rate = [&](const std::function<void()>& product) {
      return flops / time_per_run(50, product) / 1e9;
    };
    std::printf(
        "matmul   %ld x %4ld -> %4ld, one thread: forward %6.1f  input gradient %6.1f  weight "
        "gradient %6.1f GFLOP/s\n",
        static_cast<long>(positions), static_cast<long>(in), static_cast<long>(out),
        rate([&] { torch::mm(x, w.t()); }), rate([&] { torch::mm(g, w); }),
        rate([&] { torch::mm(g.t(), x); }));
  }
  torch::set_num_threads(threads);
}

ModelConfig config_for(const char* name) {
  ModelConfig config;
  config.family = ModelFamily::gpt2;
  if (std::strcmp(name, "world") == 0) {
    config.vocab_size = 2048, config.hidden_size = 256, config.layers = 4, config.heads = 4;
    config.intermediate_size = 1024, config.max_positions = 512;
  } else if (std::strcmp(name, "quickstart") == 0) {  // configs/world_base's shape
    config.vocab_size = 1024, config.hidden_size = 128, config.layers = 4, config.heads = 4;
    config.intermediate_size = 512, config.max_positions = 320;
  } else if (std::strcmp(name, "11m") == 0) {
    config.vocab_size = 2048, config.hidden_size = 384, config.layers = 6, config.heads = 6;
    config.intermediate_size = 1536, config.max_positions = 512;
  } else {
    config.vocab_size = 50257, config.hidden_size = 768, config.layers = 12, config.heads = 12;
    config.intermediate_size = 3072, config.max_positions = 1024;
  }
  config.kv_heads = config.heads;
  return config;
}

// Marks every weight of `decoder` trainable and returns an AdamW over them.
torch::optim::AdamW trainable(Decoder& decoder) {
  std::vector<torch::Tensor> parameters;
  for (auto& [weight_name, tensor] : decoder.weights()) {
    tensor.set_requires_grad(true);
    parameters.push_back(tensor);
  }
  return torch::optim::AdamW(parameters, torch::optim::AdamWOptions(1e-4));
}

// Next-token cross-entropy of `rows` under `decoder`.
torch::Tensor next_token_loss(const Decoder& decoder, const torch::Tensor& rows) {
  const std::int64_t length = rows.size(1);
  const auto mask = torch::ones_like(rows);
  const auto logits =
      decoder.logits(decoder.forward(rows, paddock::transformer::positions_from_mask(mask), mask));
  return torch::nn::functional::cross_entropy(
      logits.narrow(1, 0, length - 1).reshape({-1, logits.size(-1)}),
      rows.narrow(1, 1, length - 1).reshape({-1}));
}

// One training step on random tokens: with `shards` = 1 one forward and backward pass; with
// 2, the step Paddock's trainers take on the CPU: the rows dealt to two gradient shards whose
// passes run side by side, one intra-op thread each (paddock/learning/gradient_shards.hpp),
// their gradients added before the optimizer step.
void bench_training(const char* name, std::int64_t batch, std::int64_t length, int repeats,
                    double peak, std::size_t shards = 1) {
  const ModelConfig config = config_for(name);
  Decoder decoder = Decoder::initialise(config, 1, torch::kCPU);
  torch::optim::AdamW optimizer = trainable(decoder);
  std::vector<torch::Tensor> parameters;
  for (auto& [weight_name, tensor] : decoder.weights()) parameters.push_back(tensor);
  const auto ids = torch::randint(0, config.vocab_size, {batch, length}, torch::kLong);
  const double seconds = time_per_run(repeats, [&] {
    if (shards == 1) {
      const auto loss = next_token_loss(decoder, ids);
      optimizer.zero_grad();
      loss.backward();
    } else {
      const auto gradients =
          paddock::learning::shard_gradients(shards, parameters, [&](std::size_t k) {
            return next_token_loss(
                decoder, ids.index_select(
                             0, torch::arange(static_cast<std::int64_t>(k), batch,
                                              static_cast<std::int64_t>(shards), torch::kLong)));
          });
      optimizer.zero_grad();
      for (const auto& shard : gradients)
        paddock::learning::add_gradients(parameters, shard.gradients,
                                         1.0 / static_cast<double>(shards));
    }
    optimizer.step();
  });
  const double tokens = static_cast<double>(batch * length);
  const double gflops =
      6.0 * static_cast<double>(config.parameter_count()) * tokens / seconds / 1e9;
  std::printf(
      "train    %-10s %6.1fM params  batch %ldx%ld  %zu shard%s  %8.0f tokens/s  %6.1f GFLOP/s  "
      "%3.0f%% of matmul\n",
      name, config.parameter_count() / 1e6, static_cast<long>(batch), static_cast<long>(length),
      shards, shards == 1 ? " " : "s", tokens / seconds, gflops, 100 * gflops / peak);
}

// The same step on right-padded rows (lengths spread evenly from half to all of `length`),
// as supervised fine-tuning sees them: the padding mask takes the masked attention path and
// the loss is the masked log-probability of the next tokens. Tokens/s counts every
// position computed, padding included, so it compares with the unpadded line above.
void bench_padded_training(const char* name, std::int64_t batch, std::int64_t length, int repeats) {
  const ModelConfig config = config_for(name);
  Decoder decoder = Decoder::initialise(config, 1, torch::kCPU);
  torch::optim::AdamW optimizer = trainable(decoder);
  auto ids = torch::randint(1, config.vocab_size, {batch, length}, torch::kLong);
  auto mask = torch::ones_like(ids);
  std::int64_t real = 0;
  for (std::int64_t row = 0; row < batch; ++row) {
    const std::int64_t kept =
        length / 2 + (length / 2) * row / std::max<std::int64_t>(1, batch - 1);
    mask[row].narrow(0, kept, length - kept).zero_();
    ids[row].narrow(0, kept, length - kept).zero_();
    real += kept;
  }
  const auto positions = paddock::transformer::positions_from_mask(mask);
  const auto targets = mask.narrow(1, 1, length - 1).to(torch::kFloat32);
  const double seconds = time_per_run(repeats, [&] {
    const auto logits = decoder.logits(decoder.forward(ids, positions, mask));
    const auto chosen = torch::log_softmax(logits.narrow(1, 0, length - 1), -1)
                            .gather(-1, ids.narrow(1, 1, length - 1).unsqueeze(-1))
                            .squeeze(-1);
    const auto loss = -(chosen * targets).sum() / targets.sum();
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
  });
  std::printf("train    %-10s padded: batch %ldx%ld, %.0f%% real  %8.0f tokens/s (all positions)\n",
              name, static_cast<long>(batch), static_cast<long>(length),
              100.0 * static_cast<double>(real) / static_cast<double>(batch * length),
              static_cast<double>(batch * length) / seconds);
}

// Greedy decoding without a cache: the whole sequence is recomputed for every new token.
void generate_by_recomputation(const Decoder& decoder, torch::Tensor ids, std::int64_t new_tokens) {
  torch::NoGradGuard no_grad;
  for (std::int64_t step = 0; step < new_tokens; ++step) {
    const auto mask = torch::ones_like(ids);
    const auto hidden = decoder.forward(ids, paddock::transformer::positions_from_mask(mask), mask);
    const auto next =
        decoder.logits(hidden.select(1, ids.size(1) - 1)).argmax(-1, /*keepdim=*/true);
    ids = torch::cat({ids, next}, 1);
  }
}

void bench_generation(const char* name, std::int64_t batch, std::int64_t prompt,
                      std::int64_t new_tokens, bool with_recomputation) {
  const ModelConfig config = config_for(name);
  const Decoder decoder = Decoder::initialise(config, 1, torch::kCPU);
  std::vector<std::vector<std::int64_t>> prompts(batch);
  for (auto& ids : prompts) {
    for (std::int64_t i = 0; i < prompt; ++i)
      ids.push_back(1 + (i * 7919) % (config.vocab_size - 1));
  }
  paddock::GenerationOptions options;
  options.temperature = 0;
  options.max_new_tokens = new_tokens;
  options.batch_size = batch;
  paddock::transformer::SamplingVocabulary vocabulary;  // no EOS: always new_tokens tokens
  vocabulary.decode = [](const std::vector<std::int64_t>&) { return std::string(); };
  const double cached = time_per_run(3, [&] {
    paddock::transformer::sample_continuations(decoder, prompts, options, vocabulary);
  });
  const double tokens = static_cast<double>(batch * new_tokens);
  std::printf(
      "generate %-10s batch %ld, %ld-token prompts, %ld new tokens: KV cache %8.0f tokens/s", name,
      static_cast<long>(batch), static_cast<long>(prompt), static_cast<long>(new_tokens),
      tokens / cached);
  if (with_recomputation) {
    const auto ids = torch::tensor(prompts[0], torch::kLong).unsqueeze(0).repeat({batch, 1});
    const double recomputed =
        time_per_run(1, [&] { generate_by_recomputation(decoder, ids, new_tokens); });
    std::printf("  recompute %8.0f tokens/s  speed-up %.1fx", tokens / recomputed,
                recomputed / cached);
  }
  std::printf("\n");
}

// Sampling where rows end at different steps, as in the quickstart's `samples` node: each
// token decodes to a letter and "q" stops a row (about 1 token in 26), at most `new_tokens`.
// The continuous batch refills a finished row's slot with the next prompt; a fixed-batch
// schedule decodes every row of a batch until its longest row ends, which is emulated here by
// decoding each batch of `rows` prompts without stop strings for its longest row's length.
void bench_mixed_length_sampling(const char* name, std::int64_t count, std::int64_t rows,
                                 std::int64_t prompt, std::int64_t new_tokens) {
  const ModelConfig config = config_for(name);
  const Decoder decoder = Decoder::initialise(config, 1, torch::kCPU);
  std::vector<std::vector<std::int64_t>> prompts(count);
  for (std::size_t p = 0; p < prompts.size(); ++p) {
    const std::int64_t length = prompt / 2 + static_cast<std::int64_t>(p * 37) % prompt;
    for (std::int64_t i = 0; i < length; ++i)
      prompts[p].push_back(1 + (i * 7919 + p * 104729) % (config.vocab_size - 1));
  }
  paddock::GenerationOptions options;
  options.temperature = 1.0, options.top_p = 0.9, options.seed = 5;
  options.max_new_tokens = new_tokens, options.batch_size = rows;
  options.stop = {"q"};
  paddock::transformer::SamplingVocabulary vocabulary;
  vocabulary.decode = [](const std::vector<std::int64_t>& ids) {
    std::string text;
    for (const std::int64_t id : ids) text += static_cast<char>('a' + id % 26);
    return text;
  };
  std::vector<std::vector<paddock::Generation>> results;
  const double continuous = time_per_run(3, [&] {
    results = paddock::transformer::sample_continuations(decoder, prompts, options, vocabulary);
  });
  double real_tokens = 0;
  std::vector<std::int64_t> lengths;
  for (const auto& samples : results) {
    lengths.push_back(static_cast<std::int64_t>(samples.at(0).token_ids.size()));
    real_tokens += static_cast<double>(lengths.back());
  }
  // The fixed-batch schedule's work: batches of `rows` prompts in the sampler's order
  // (shortest prompt first), each decoded in full for its longest row.
  std::vector<std::size_t> order(prompts.size());
  for (std::size_t p = 0; p < order.size(); ++p) order[p] = p;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return prompts[a].size() < prompts[b].size();
  });
  paddock::GenerationOptions full = options;
  full.stop.clear();
  const double fixed = time_per_run(3, [&] {
    for (std::size_t start = 0; start < order.size(); start += static_cast<std::size_t>(rows)) {
      std::vector<std::vector<std::int64_t>> batch;
      std::int64_t longest = 1;
      for (std::size_t k = start;
           k < std::min(order.size(), start + static_cast<std::size_t>(rows)); ++k) {
        batch.push_back(prompts[order[k]]);
        longest = std::max(longest, lengths[order[k]]);
      }
      full.max_new_tokens = longest;
      paddock::transformer::sample_continuations(decoder, batch, full, vocabulary);
    }
  });
  std::printf(
      "sample   %-10s %ld prompts, %ld rows, mixed lengths (mean %.1f of at most %ld): continuous "
      "%8.0f real "
      "tokens/s  fixed batches (emulated) %8.0f  speed-up %.2fx\n",
      name, static_cast<long>(count), static_cast<long>(rows),
      real_tokens / static_cast<double>(count), static_cast<long>(new_tokens),
      real_tokens / continuous, real_tokens / fixed, fixed / continuous);
}

}  // namespace

int main(int argc, char** argv) {
  // --peer: only the lines bench/peer/peer_bench.py also measures; --peer-training: only its
  // training lines (bench/peer/compare.sh alternates them more often, see its header).
  const bool peer_training = argc > 1 && std::strcmp(argv[1], "--peer-training") == 0;
  const bool peer = peer_training || (argc > 1 && std::strcmp(argv[1], "--peer") == 0);
  const bool skip_gpt2 = peer || (argc > 1 && std::strcmp(argv[1], "--skip-gpt2") == 0);
  paddock::configure_torch_threads();
  torch::manual_seed(0);
  std::printf("LibTorch %s, %d intra-op threads\n", TORCH_VERSION, torch::get_num_threads());
  const double peak = matmul_gflops();
  std::printf("matmul   fp32 1024x768x3072 forward+backward: %.1f GFLOP/s\n", peak);
  if (!peer) bench_layer_products();
  bench_training("quickstart", 16, 128, 10, peak);
  bench_training("quickstart", 16, 128, 10, peak, /*shards=*/2);
  if (!peer) bench_padded_training("quickstart", 16, 128, 10);
  bench_training("11m", 16, 128, 3, peak);
  bench_training("11m", 16, 128, 3, peak, /*shards=*/2);
  if (peer_training) return 0;
  bench_generation("quickstart", 64, 32, 128, /*with_recomputation=*/false);
  bench_mixed_length_sampling("quickstart", 256, 64, 32, 128);
  if (!peer) {
    bench_training("world", 16, 128, 5, peak);
    bench_generation("world", 8, 32, 128, /*with_recomputation=*/true);
  }
  if (!skip_gpt2) {
    bench_training("gpt2", 4, 256, 2, peak);
    bench_generation("gpt2", 4, 32, 64, /*with_recomputation=*/false);
  }
  return 0;
}
