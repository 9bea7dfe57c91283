// The decoder: KV-cached decoding equals full recomputation, padding does not change
// results, gradients reach every weight, and checkpoints round-trip in the Hugging Face
// layout (including GPT-2's transposed Conv1D weights) or fail with a located message.
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include "paddock/core/files.hpp"
#include "paddock/error.hpp"
#include "paddock/transformer/decoder_checkpoint.hpp"
#include "paddock/transformer/model_config.hpp"
#include "paddock/transformer/safetensors_writer.hpp"
#include "test_support.hpp"

namespace paddock::transformer {
namespace {

using testing::TempDir;

ModelConfig tiny_config(ModelFamily family) {
  ModelConfig config;
  config.family = family;
  config.vocab_size = 50;
  config.hidden_size = 32;
  config.layers = 2;
  config.heads = 4;
  config.kv_heads = family == ModelFamily::llama ? 2 : 4;
  config.intermediate_size = 64;
  config.max_positions = 64;
  config.tie_embeddings = family == ModelFamily::gpt2;
  return config;
}

class DecoderTest : public ::testing::TestWithParam<ModelFamily> {
 protected:
  Decoder decoder_ = Decoder::initialise(tiny_config(GetParam()), 7, torch::kCPU);
};

TEST_P(DecoderTest, KeyValueCacheMatchesFullRecomputation) {
  torch::NoGradGuard no_grad;
  const auto ids = torch::randint(1, 50, {2, 14}, torch::kLong);
  auto mask = torch::ones({2, 14}, torch::kLong);
  mask[1].narrow(0, 0, 3).fill_(0);  // row 1 is left-padded by 3
  const auto full = decoder_.logits(decoder_.forward(ids, positions_from_mask(mask), mask));

  KeyValueCache cache = decoder_.make_cache(2, 14);
  const auto positions = positions_from_mask(mask);
  const std::int64_t prefill = 6;
  auto step_logits =
      decoder_.logits(decoder_.forward(ids.narrow(1, 0, prefill), positions.narrow(1, 0, prefill),
                                       mask.narrow(1, 0, prefill), &cache));
  double worst = (step_logits.narrow(0, 0, 1) - full.narrow(1, 0, prefill).narrow(0, 0, 1))
                     .abs()
                     .max()
                     .item<double>();
  worst =
      std::max(worst, (step_logits[1].narrow(0, 3, prefill - 3) - full[1].narrow(0, 3, prefill - 3))
                          .abs()
                          .max()
                          .item<double>());
  for (std::int64_t t = prefill; t < 14; ++t) {
    const auto logits = decoder_.logits(decoder_.forward(
        ids.narrow(1, t, 1), positions.narrow(1, t, 1), mask.narrow(1, 0, t + 1), &cache));
    worst = std::max(worst, (logits.squeeze(1) - full.select(1, t)).abs().max().item<double>());
  }
  EXPECT_LT(worst, 1e-4);
}

TEST_P(DecoderTest, LeftPaddedBatchGivesTheSameLogitsAsEachRowAlone) {
  torch::NoGradGuard no_grad;
  const auto long_row = torch::randint(1, 50, {1, 9}, torch::kLong);
  const auto short_row = torch::randint(1, 50, {1, 5}, torch::kLong);
  auto batch = torch::zeros({2, 9}, torch::kLong);
  batch[0] = long_row[0];
  batch[1].narrow(0, 4, 5).copy_(short_row[0]);
  auto mask = torch::ones({2, 9}, torch::kLong);
  mask[1].narrow(0, 0, 4).fill_(0);
  const auto together = decoder_.logits(decoder_.forward(batch, positions_from_mask(mask), mask));
  auto alone = [&](const torch::Tensor& row) {
    const auto ones = torch::ones_like(row);
    return decoder_.logits(decoder_.forward(row, positions_from_mask(ones), ones))[0];
  };
  EXPECT_LT((together[0] - alone(long_row)).abs().max().item<double>(), 1e-5);
  EXPECT_LT((together[1].narrow(0, 4, 5) - alone(short_row)).abs().max().item<double>(), 1e-5);
}

// Documents packed in one row, numbered in the key mask, attend only to themselves and count
// their positions from 0: each gives what it gives alone (right padding after them too).
TEST_P(DecoderTest, PackedDocumentsGiveTheSameLogitsAsEachAlone) {
  torch::NoGradGuard no_grad;
  const std::vector<std::int64_t> lengths = {4, 7, 1, 5};
  std::vector<torch::Tensor> documents;
  for (const std::int64_t length : lengths)
    documents.push_back(torch::randint(1, 50, {1, length}, torch::kLong));
  const auto row = torch::cat({torch::cat(documents, 1), torch::zeros({1, 3}, torch::kLong)}, 1);
  auto mask = torch::zeros_like(row);
  std::int64_t start = 0;
  for (std::size_t d = 0; d < lengths.size(); ++d) {
    mask[0].narrow(0, start, lengths[d]).fill_(static_cast<std::int64_t>(d + 1));
    start += lengths[d];
  }
  const auto positions = positions_from_mask(mask);
  EXPECT_TRUE(torch::equal(
      positions[0].narrow(0, 0, start),
      torch::tensor({0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 0, 0, 1, 2, 3, 4}, torch::kLong)));
  const auto packed = decoder_.logits(decoder_.forward(row, positions, mask))[0];
  start = 0;
  for (std::size_t d = 0; d < lengths.size(); ++d) {
    const auto ones = torch::ones_like(documents[d]);
    const auto alone =
        decoder_.logits(decoder_.forward(documents[d], positions_from_mask(ones), ones))[0];
    EXPECT_LT((packed.narrow(0, start, lengths[d]) - alone).abs().max().item<double>(), 1e-5)
        << "document " << d;
    start += lengths[d];
  }
  // A 0/1 mask with a gap is still one document: positions run on past the gap.
  const auto gapped = torch::tensor({{0, 1, 1, 0, 1}}, torch::kLong);
  EXPECT_TRUE(
      torch::equal(positions_from_mask(gapped)[0], torch::tensor({0, 0, 1, 1, 2}, torch::kLong)));
}

// Responses packed behind a shared prompt (mask -1, then 1, 2, ...) each give what they give
// after the prompt alone; a second shared prompt in the row hides the first from its own
// responses.
TEST_P(DecoderTest, SharedPromptDocumentsGiveWhatEachGivesAfterThePromptAlone) {
  torch::NoGradGuard no_grad;
  const auto ids = [](std::int64_t length) {
    return torch::randint(1, 50, {1, length}, torch::kLong);
  };
  const auto first_prompt = ids(5), second_prompt = ids(3);
  const std::vector<torch::Tensor> parts = {first_prompt, ids(4), ids(2), second_prompt, ids(6)};
  const std::vector<std::int64_t> numbers = {-1, 1, 2, -2, 3};
  const std::vector<torch::Tensor> prompt_of = {first_prompt, first_prompt, first_prompt,
                                                second_prompt, second_prompt};
  const auto row = torch::cat({torch::cat(parts, 1), torch::zeros({1, 2}, torch::kLong)}, 1);
  auto mask = torch::zeros_like(row);
  std::int64_t start = 0;
  for (std::size_t k = 0; k < parts.size(); ++k) {
    mask[0].narrow(0, start, parts[k].size(1)).fill_(numbers[k]);
    start += parts[k].size(1);
  }
  const auto positions = positions_from_mask(mask);
  EXPECT_TRUE(torch::equal(
      positions[0].narrow(0, 0, start),
      torch::tensor({0, 1, 2, 3, 4, 5, 6, 7, 8, 5, 6, 0, 1, 2, 3, 4, 5, 6, 7, 8}, torch::kLong)));
  const auto packed = decoder_.logits(decoder_.forward(row, positions, mask))[0];
  start = 0;
  for (std::size_t k = 0; k < parts.size(); ++k) {
    const std::int64_t length = parts[k].size(1);
    const bool is_prompt = numbers[k] < 0;
    const auto alone_ids = is_prompt ? parts[k] : torch::cat({prompt_of[k], parts[k]}, 1);
    const auto ones = torch::ones_like(alone_ids);
    const auto alone =
        decoder_.logits(decoder_.forward(alone_ids, positions_from_mask(ones), ones))[0];
    EXPECT_LT((packed.narrow(0, start, length) - alone.narrow(0, alone.size(0) - length, length))
                  .abs()
                  .max()
                  .item<double>(),
              1e-5)
        << "part " << k;
    start += length;
  }
}

// Left padding and a plain document before a shared prompt keep their own positions, and
// decoding a shared prompt's documents through the key/value cache gives the full pass.
TEST_P(DecoderTest, SharedPromptsAfterPaddingAndThroughTheCacheGiveTheFullPass) {
  torch::NoGradGuard no_grad;
  const auto mask = torch::tensor({{0, 0, 1, 1, -1, -1, -1, 2, 2, 3, 3, 3}}, torch::kLong);
  const auto positions = positions_from_mask(mask);
  EXPECT_TRUE(torch::equal(positions[0].narrow(0, 2, 10),
                           torch::tensor({0, 1, 0, 1, 2, 3, 4, 3, 4, 5}, torch::kLong)));
  const auto ids = torch::randint(1, 50, {1, 12}, torch::kLong);
  const auto full = decoder_.logits(decoder_.forward(ids, positions, mask))[0];
  // Document 3 alone after the prompt.
  const auto alone_ids = torch::cat({ids.narrow(1, 4, 3), ids.narrow(1, 9, 3)}, 1);
  const auto ones = torch::ones_like(alone_ids);
  const auto alone =
      decoder_.logits(decoder_.forward(alone_ids, positions_from_mask(ones), ones))[0];
  EXPECT_LT((full.narrow(0, 9, 3) - alone.narrow(0, 3, 3)).abs().max().item<double>(), 1e-5);
  KeyValueCache cache = decoder_.make_cache(1, 12);
  const std::int64_t prefill = 5;
  decoder_.forward(ids.narrow(1, 0, prefill), positions.narrow(1, 0, prefill),
                   mask.narrow(1, 0, prefill), &cache);
  double worst = 0;
  for (std::int64_t t = prefill; t < 12; ++t) {
    const auto logits = decoder_.logits(decoder_.forward(
        ids.narrow(1, t, 1), positions.narrow(1, t, 1), mask.narrow(1, 0, t + 1), &cache));
    worst = std::max(worst, (logits[0][0] - full[t]).abs().max().item<double>());
  }
  EXPECT_LT(worst, 1e-4);
}

TEST_P(DecoderTest, GradientsReachEveryWeight) {
  for (auto& [name, tensor] : decoder_.weights()) tensor.set_requires_grad(true);
  const auto ids = torch::randint(1, 50, {2, 10}, torch::kLong);
  const auto mask = torch::ones_like(ids);
  const auto logits = decoder_.logits(decoder_.forward(ids, positions_from_mask(mask), mask));
  torch::nn::functional::cross_entropy(logits.narrow(1, 0, 9).reshape({-1, 50}),
                                       ids.narrow(1, 1, 9).reshape({-1}))
      .backward();
  for (const auto& [name, tensor] : decoder_.weights()) {
    ASSERT_TRUE(tensor.grad().defined()) << name;
    EXPECT_GT(tensor.grad().abs().sum().item<double>(), 0.0) << name;
  }
}

TEST_P(DecoderTest, SaveThenLoadIsBitIdenticalSingleAndSharded) {
  TempDir dir;
  const Decoder::WeightMap heads = {{"score.weight", torch::randn({1, 32})},
                                    {"score.bias", torch::zeros({1})}};
  for (std::uint64_t shard_limit : {std::uint64_t{0}, std::uint64_t{20000}}) {
    const auto path = dir / ("model-" + std::to_string(shard_limit));
    save_decoder_checkpoint(decoder_, heads, path, shard_limit);
    EXPECT_EQ(std::filesystem::exists(path / "model.safetensors.index.json"), shard_limit != 0);
    const DecoderCheckpoint loaded = load_decoder_checkpoint(path, torch::kCPU);
    ASSERT_EQ(loaded.decoder.weights().size(), decoder_.weights().size());
    for (const auto& [name, tensor] : decoder_.weights()) {
      EXPECT_TRUE(torch::equal(loaded.decoder.weights().at(name), tensor)) << name;
    }
    EXPECT_TRUE(torch::equal(loaded.heads.at("score.weight"), heads.at("score.weight")));
  }
}

// The backend-conformance check: the same weights on CUDA give the CPU's logits, with and
// without the KV cache. Skipped where LibTorch sees no GPU.
TEST_P(DecoderTest, CudaMatchesTheCpuReference) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  torch::NoGradGuard no_grad;
  Decoder::WeightMap on_gpu;
  for (const auto& [name, tensor] : decoder_.weights()) on_gpu[name] = tensor.to(torch::kCUDA);
  const Decoder gpu(decoder_.config(), std::move(on_gpu));
  const auto ids = torch::randint(1, 50, {2, 12}, torch::kLong);
  auto mask = torch::ones({2, 12}, torch::kLong);
  mask[1].narrow(0, 0, 4).fill_(0);
  const auto cpu_logits = decoder_.logits(decoder_.forward(ids, positions_from_mask(mask), mask));
  const auto gpu_ids = ids.to(torch::kCUDA), gpu_mask = mask.to(torch::kCUDA);
  const auto gpu_logits =
      gpu.logits(gpu.forward(gpu_ids, positions_from_mask(gpu_mask), gpu_mask)).cpu();
  EXPECT_LT((gpu_logits - cpu_logits).abs().max().item<double>(), 1e-4);
  KeyValueCache cache = gpu.make_cache(2, 12);
  const auto positions = positions_from_mask(gpu_mask);
  gpu.forward(gpu_ids.narrow(1, 0, 11), positions.narrow(1, 0, 11), gpu_mask.narrow(1, 0, 11),
              &cache);
  const auto last = gpu.logits(gpu.forward(gpu_ids.narrow(1, 11, 1), positions.narrow(1, 11, 1),
                                           gpu_mask, &cache))
                        .cpu();
  EXPECT_LT((last.squeeze(1) - cpu_logits.select(1, 11)).abs().max().item<double>(), 1e-4);
}

INSTANTIATE_TEST_SUITE_P(Families, DecoderTest,
                         ::testing::Values(ModelFamily::gpt2, ModelFamily::llama),
                         [](const auto& info) {
                           return info.param == ModelFamily::gpt2 ? "Gpt2" : "Llama";
                         });

// Writes `weights` as a checkpoint the way Hugging Face stores a GPT-2: "transformer."
// prefixes, Conv1D weights as [in, out], an attention-mask buffer per layer.
void write_hf_gpt2(const Decoder& decoder, const std::filesystem::path& directory) {
  std::filesystem::create_directories(directory);
  core::write_file_atomically(directory / "config.json",
                              model_config_to_json(decoder.config()).dump());
  std::vector<torch::Tensor> keep;
  std::vector<TensorToWrite> tensors;
  auto add = [&](const std::string& name, torch::Tensor tensor) {
    tensor = tensor.contiguous();
    keep.push_back(tensor);
    tensors.push_back({name,
                       DType::float32,
                       tensor.sizes().vec(),
                       {reinterpret_cast<const std::byte*>(tensor.data_ptr<float>()),
                        tensor.numel() * sizeof(float)}});
  };
  for (const auto& [name, tensor] : decoder.weights()) {
    add("transformer." + name, decoder.stored_transposed(name) ? tensor.t() : tensor);
  }
  add("transformer.h.0.attn.bias", torch::ones({1, 1, 64, 64}));
  write_safetensors(directory / "model.safetensors", std::move(tensors));
}

TEST(DecoderCheckpoint, LoadsHuggingFaceGpt2NamesAndTransposesConv1D) {
  TempDir dir;
  const Decoder decoder = Decoder::initialise(tiny_config(ModelFamily::gpt2), 3, torch::kCPU);
  write_hf_gpt2(decoder, dir.path());
  const DecoderCheckpoint loaded = load_decoder_checkpoint(dir.path(), torch::kCPU);
  for (const auto& [name, tensor] : decoder.weights()) {
    EXPECT_TRUE(torch::equal(loaded.decoder.weights().at(name), tensor)) << name;
  }
  // A c_attn weight is [3H, H] inside, [H, 3H] on disk.
  EXPECT_EQ(loaded.decoder.weights().at("h.0.attn.c_attn.weight").sizes(),
            torch::IntArrayRef({96, 32}));
}

std::string load_error(const std::filesystem::path& directory) {
  try {
    load_decoder_checkpoint(directory, torch::kCPU);
  } catch (const Error& error) {
    return error.what();
  }
  return "no error";
}

TEST(DecoderCheckpoint, BadCheckpointsNameTheFileAndTensor) {
  TempDir dir;
  const Decoder decoder = Decoder::initialise(tiny_config(ModelFamily::llama), 3, torch::kCPU);
  save_decoder_checkpoint(decoder, {}, dir.path());
  // Missing tensor: a config with one more layer than the weights.
  ModelConfig bigger = decoder.config();
  bigger.layers = 3;
  core::write_file_atomically(dir / "config.json", model_config_to_json(bigger).dump());
  EXPECT_NE(load_error(dir.path()).find("missing tensor 'model.layers.2."), std::string::npos);
  // Unexpected tensors: one layer fewer.
  bigger.layers = 1;
  core::write_file_atomically(dir / "config.json", model_config_to_json(bigger).dump());
  EXPECT_NE(load_error(dir.path()).find("unexpected tensor 'model.layers.1."), std::string::npos);
  // Shape mismatch: a wider model.
  bigger = decoder.config();
  bigger.intermediate_size = 96;
  core::write_file_atomically(dir / "config.json", model_config_to_json(bigger).dump());
  EXPECT_NE(load_error(dir.path())
                .find("tensor 'model.layers.0.mlp.down_proj.weight' has shape [32, 64] but "
                      "config.json implies [32, 96]"),
            std::string::npos)
      << load_error(dir.path());
  // Unknown architecture and missing fields.
  core::write_file_atomically(dir / "config.json", R"({"model_type": "mamba"})");
  EXPECT_NE(load_error(dir.path())
                .find("config.json: field 'model_type' is 'mamba'; supported: gpt2, llama"),
            std::string::npos);
  core::write_file_atomically(dir / "config.json", R"({"model_type": "gpt2", "n_embd": 32})");
  EXPECT_NE(load_error(dir.path()).find("field 'vocab_size' is missing"), std::string::npos);
  core::write_file_atomically(dir / "config.json",
                              R"({"model_type": "llama", "vocab_size": 50, "hidden_size": 30,
    "num_hidden_layers": 1, "num_attention_heads": 4, "intermediate_size": 8, "max_position_embeddings": 8})");
  EXPECT_NE(load_error(dir.path()).find("not divisible by the 4 attention heads"),
            std::string::npos);
  core::write_file_atomically(dir / "config.json", "{not json");
  EXPECT_NE(load_error(dir.path()).find("config.json: not valid JSON"), std::string::npos);
}

// A copy of `decoder` whose layer-`layer` queries are multiplied by `factor`: its attention
// scores are the original's times `factor`, an independent way to state a score scale.
Decoder with_queries_scaled(const Decoder& decoder, ModelConfig config, std::int64_t layer,
                            double factor) {
  Decoder::WeightMap weights;
  for (const auto& [name, tensor] : decoder.weights()) weights[name] = tensor.clone();
  const std::string prefix = "h." + std::to_string(layer) + ".attn.c_attn.";
  const std::int64_t h = config.hidden_size;
  weights[prefix + "weight"].narrow(0, 0, h).mul_(factor);
  weights[prefix + "bias"].narrow(0, 0, h).mul_(factor);
  return Decoder(std::move(config), std::move(weights));
}

double largest_logit_difference(const Decoder& a, const Decoder& b) {
  torch::NoGradGuard no_grad;
  const auto ids = torch::randint(1, 50, {2, 9}, torch::TensorOptions().dtype(torch::kLong));
  const auto mask = torch::ones({2, 9}, torch::kLong);
  const auto positions = positions_from_mask(mask);
  return (a.logits(a.forward(ids, positions, mask)) - b.logits(b.forward(ids, positions, mask)))
      .abs()
      .max()
      .item<double>();
}

TEST(ModelConfigFields, ANumberTooLargeForADoubleIsBadJsonNotACrash) {
  // nlohmann reports 1e999 as out_of_range rather than a parse error; found by
  // fuzz_model_config, it used to escape read_model_config.
  TempDir dir;
  core::write_file_atomically(dir.path() / "config.json",
                              "{\"model_type\": \"llama\", \"rope_theta\": 1e999}");
  try {
    read_model_config(dir.path() / "config.json");
    FAIL() << "accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("config.json: not valid JSON"), std::string::npos)
        << error.what();
  }
}

TEST(ModelConfigFields, Gpt2AttentionScalingFollowsHuggingFace) {
  torch::manual_seed(3);
  nlohmann::json json = model_config_to_json(tiny_config(ModelFamily::gpt2));
  json["scale_attn_weights"] = false;
  json["scale_attn_by_inverse_layer_idx"] = true;
  const ModelConfig read = parse_model_config(json, "config.json");
  EXPECT_FALSE(read.scale_attention_by_head_dim);
  EXPECT_TRUE(read.scale_attention_by_layer);
  EXPECT_EQ(model_config_to_json(read)["scale_attn_by_inverse_layer_idx"], true);  // saved too

  Decoder usual = Decoder::initialise(tiny_config(ModelFamily::gpt2), 11, torch::kCPU);
  {  // Initial weights attend almost uniformly; sharper attention shows the scale better.
    torch::NoGradGuard no_grad;
    for (auto& [name, tensor] : usual.weights())
      if (name.find("c_attn") != std::string::npos) tensor.mul_(8.0);
  }
  const double sqrt_head_dim = std::sqrt(32.0 / 4);
  // scores / (layer + 1): layer 1's scores halve, layer 0's stay.
  ModelConfig by_layer = usual.config();
  by_layer.scale_attention_by_layer = true;
  const Decoder scaled_by_layer(by_layer, usual.weights());
  EXPECT_LT(
      largest_logit_difference(scaled_by_layer, with_queries_scaled(usual, usual.config(), 1, 0.5)),
      1e-5);
  EXPECT_GT(largest_logit_difference(scaled_by_layer, usual), 1e-2);
  // Without scale_attn_weights the scores are not divided by sqrt(head_dim).
  ModelConfig unscaled = usual.config();
  unscaled.scale_attention_by_head_dim = false;
  const Decoder plain(unscaled, usual.weights());
  const Decoder reference =
      with_queries_scaled(with_queries_scaled(usual, usual.config(), 0, sqrt_head_dim),
                          usual.config(), 1, sqrt_head_dim);
  EXPECT_LT(largest_logit_difference(plain, reference), 1e-4);
}

TEST(ModelConfigFields, FieldsTheDecoderLacksAreRefusedByName) {
  const auto error_of = [](nlohmann::json json) {
    try {
      parse_model_config(json, "model/config.json");
    } catch (const Error& error) {
      return std::string(error.what());
    }
    return std::string("(accepted)");
  };
  nlohmann::json llama = model_config_to_json(tiny_config(ModelFamily::llama));
  nlohmann::json gpt2 = model_config_to_json(tiny_config(ModelFamily::gpt2));
  for (const char* field : {"attention_bias", "mlp_bias"}) {
    nlohmann::json with = llama;
    with[field] = false;
    EXPECT_EQ(error_of(with), "(accepted)");
    with[field] = true;
    EXPECT_EQ(error_of(with), "model/config.json: field '" + std::string(field) + "' is true; " +
                                  (std::string(field) == "mlp_bias" ? "biases on the MLP"
                                                                    : "biases on the attention") +
                                  " projections are not supported");
  }
  llama["head_dim"] = 8;  // 32 / 4: as usual
  EXPECT_EQ(error_of(llama), "(accepted)");
  llama["head_dim"] = 16;
  EXPECT_EQ(error_of(llama),
            "model/config.json: field 'head_dim' is 16; only hidden_size / num_attention_heads "
            "(8) is supported");
  gpt2["add_cross_attention"] = true;
  EXPECT_EQ(error_of(gpt2),
            "model/config.json: field 'add_cross_attention' is true; cross-attention (an "
            "encoder-decoder GPT-2) is not supported");
  // LLaMA 3 lists every id that ends a turn; the first is the end of sequence.
  llama.erase("head_dim");
  llama["eos_token_id"] = {128001, 128009};
  EXPECT_EQ(parse_model_config(llama, "config.json").eos_token_id, 128001);
  llama["eos_token_id"] = {"x"};
  EXPECT_EQ(error_of(llama),
            "model/config.json: field 'eos_token_id' must be an integer or a list of integers");
}

}  // namespace
}  // namespace paddock::transformer
