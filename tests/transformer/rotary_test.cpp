// LLaMA's rotary scaling: config.json's rope_scaling (or rope_parameters) read, refused with
// the field named, saved back; the frequencies it gives; and the decoder using them.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "config_error.hpp"
#include "paddock/error.hpp"
#include "paddock/transformer/decoder.hpp"
#include "paddock/transformer/model_config.hpp"
#include "paddock/transformer/rotary.hpp"

namespace paddock::transformer {
namespace {

constexpr double kPi = 3.14159265358979323846;

// How much the config's scaling slows each rotary frequency (1: not at all).
std::vector<double> rotary_slowdowns(const ModelConfig& config) {
  ModelConfig unscaled = config;
  unscaled.rope_scaling = RopeScaling{};
  const auto ratio = (rotary_inverse_frequencies(unscaled, torch::kCPU).to(torch::kFloat64) /
                      rotary_inverse_frequencies(config, torch::kCPU).to(torch::kFloat64))
                         .contiguous();
  return {ratio.data_ptr<double>(), ratio.data_ptr<double>() + ratio.numel()};
}

ModelConfig llama_config() {
  ModelConfig config;
  config.family = ModelFamily::llama;
  config.vocab_size = 40;
  config.hidden_size = 64;
  config.layers = 2;
  config.heads = 4;  // head_dim 16: eight frequencies
  config.kv_heads = 2;
  config.intermediate_size = 96;
  config.max_positions = 256;
  config.rope_theta = 500000;
  config.tie_embeddings = false;
  return config;
}

nlohmann::json llama3_scaling() {
  return {{"rope_type", "llama3"},
          {"factor", 8.0},
          {"low_freq_factor", 1.0},
          {"high_freq_factor", 4.0},
          {"original_max_position_embeddings", 64}};
}

TEST(RotaryScaling, Llama3KeepsShortWavelengthsSlowsLongOnesAndBlendsBetween) {
  ModelConfig config = llama_config();
  config.rope_scaling = parse_model_config(
                            [] {
                              auto json = model_config_to_json(llama_config());
                              json["rope_scaling"] = llama3_scaling();
                              return json;
                            }(),
                            "config.json")
                            .rope_scaling;
  ASSERT_EQ(config.rope_scaling.type, RopeScalingType::llama3);
  const auto slowdowns = rotary_slowdowns(config);
  ASSERT_EQ(slowdowns.size(), 8U);
  // Wavelengths 2 pi 500000^(2i/16): 6.3 (< 64/4: kept), 32.4 (between 16 and 64: blended),
  // 167 and longer (> 64/1: slowed by the factor).
  EXPECT_DOUBLE_EQ(slowdowns[0], 1.0);
  const double wavelength = 2 * kPi * std::pow(500000.0, 2.0 / 16);
  const double smooth = (64 / wavelength - 1) / (4 - 1);
  EXPECT_NEAR(slowdowns[1], 1 / ((1 - smooth) / 8 + smooth), 1e-5);
  EXPECT_GT(slowdowns[1], 1.0);
  EXPECT_LT(slowdowns[1], 8.0);
  for (std::size_t i = 2; i < 8; ++i) EXPECT_DOUBLE_EQ(slowdowns[i], 8.0) << i;

  const auto plain = rotary_inverse_frequencies(llama_config(), torch::kCPU);
  const auto scaled = rotary_inverse_frequencies(config, torch::kCPU);
  EXPECT_EQ(scaled.dtype(), torch::kFloat32);
  for (std::int64_t i = 0; i < 8; ++i) {
    EXPECT_NEAR(scaled[i].item<double>(),
                plain[i].item<double>() / slowdowns[static_cast<std::size_t>(i)],
                1e-7 * plain[i].item<double>());
  }
  // Unscaled: theta^(-2i/d).
  EXPECT_NEAR(plain[3].item<double>(), std::pow(500000.0, -6.0 / 16), 1e-9);
}

TEST(RotaryScaling, LinearScalingIsPositionsSlowedByTheFactor) {
  // Linear scaling by 4 turns position p as the unscaled model turns p / 4: with positions
  // 0, 4, 8, ... the scaled model gives what the plain one gives at 0, 1, 2, ...
  torch::manual_seed(5);
  const Decoder plain = Decoder::initialise(llama_config(), 3, torch::kCPU);
  ModelConfig linear_config = llama_config();
  linear_config.rope_scaling.type = RopeScalingType::linear;
  linear_config.rope_scaling.factor = 4;
  const Decoder linear(linear_config, plain.weights());
  torch::NoGradGuard no_grad;
  const auto ids = torch::randint(0, 40, {1, 12}, torch::kLong);
  const auto mask = torch::ones_like(ids);
  const auto steps = torch::arange(12, torch::kLong).view({1, 12});
  const auto scaled_logits = linear.logits(linear.forward(ids, steps * 4, mask));
  const auto plain_logits = plain.logits(plain.forward(ids, steps, mask));
  EXPECT_LT((scaled_logits - plain_logits).abs().max().item<double>(), 1e-4);
  // ...and not what it gives at the same positions.
  const auto unscaled_logits = plain.logits(plain.forward(ids, steps * 4, mask));
  EXPECT_GT((scaled_logits - unscaled_logits).abs().max().item<double>(), 1e-3);
}

TEST(RotaryScaling, ReadFromEitherFieldAndSavedBack) {
  auto json = model_config_to_json(llama_config());
  json["rope_scaling"] = llama3_scaling();
  const ModelConfig read = parse_model_config(json, "config.json");
  const auto saved = model_config_to_json(read);
  EXPECT_EQ(saved["rope_scaling"], llama3_scaling());
  EXPECT_EQ(parse_model_config(saved, "again").rope_scaling.factor, 8.0);

  // Newer files: rope_parameters, holding rope_theta too; the older key `type` still reads.
  auto newer = model_config_to_json(llama_config());
  newer.erase("rope_theta");
  newer["rope_parameters"] = {{"rope_type", "linear"}, {"factor", 2.0}, {"rope_theta", 20000.0}};
  const ModelConfig from_parameters = parse_model_config(newer, "config.json");
  EXPECT_EQ(from_parameters.rope_theta, 20000.0);
  EXPECT_EQ(from_parameters.rope_scaling.type, RopeScalingType::linear);
  EXPECT_EQ(from_parameters.rope_scaling.factor, 2.0);
  newer["rope_parameters"] = {{"rope_type", "default"}, {"rope_theta", 10000.0}};
  EXPECT_EQ(parse_model_config(newer, "config.json").rope_scaling.type, RopeScalingType::none);
  auto old_key = model_config_to_json(llama_config());
  old_key["rope_scaling"] = {{"type", "linear"}, {"factor", 3.0}};
  EXPECT_EQ(parse_model_config(old_key, "config.json").rope_scaling.factor, 3.0);
  EXPECT_FALSE(model_config_to_json(llama_config()).contains("rope_scaling"));  // none: absent
}

TEST(RotaryScaling, BadSettingsAreRefusedWithTheField) {
  const auto with_scaling = [](const nlohmann::json& scaling) {
    auto json = model_config_to_json(llama_config());
    json["rope_scaling"] = scaling;
    return json;
  };
  EXPECT_EQ(config_error(with_scaling({{"rope_type", "yarn"}, {"factor", 4.0}})),
            "m/config.json: field 'rope_scaling.rope_type' is 'yarn'; supported: default, "
            "linear, llama3");
  EXPECT_EQ(config_error(with_scaling({{"type", "dynamic"}, {"factor", 4.0}})),
            "m/config.json: field 'rope_scaling.type' is 'dynamic'; supported: default, linear, "
            "llama3");
  EXPECT_EQ(config_error(with_scaling({{"rope_type", "linear"}})),
            "m/config.json: field 'rope_scaling.factor' is missing");
  EXPECT_EQ(config_error(with_scaling({{"rope_type", "linear"}, {"factor", 0}})),
            "m/config.json: field 'rope_scaling.factor' must be positive");
  EXPECT_EQ(config_error(with_scaling({{"rope_type", "linear"}, {"factor", "2"}})),
            "m/config.json: field 'rope_scaling.factor' must be a number");
  auto missing = llama3_scaling();
  missing.erase("original_max_position_embeddings");
  EXPECT_EQ(config_error(with_scaling(missing)),
            "m/config.json: field 'rope_scaling.original_max_position_embeddings' is missing");
  auto inverted = llama3_scaling();
  inverted["high_freq_factor"] = 1.0;
  EXPECT_EQ(config_error(with_scaling(inverted)),
            "m/config.json: field 'rope_scaling.high_freq_factor' must be greater than "
            "low_freq_factor");
  EXPECT_EQ(config_error(with_scaling("linear")),
            "m/config.json: field 'rope_scaling' must be an object or null");
  // Hugging Face copies the older `type` over `rope_type`: they must agree.
  EXPECT_EQ(
      config_error(with_scaling({{"type", "linear"}, {"rope_type", "llama3"}, {"factor", 2}})),
      "m/config.json: field 'rope_scaling.type' is 'linear', but rope_type is 'llama3'");
  EXPECT_EQ(
      config_error(with_scaling({{"type", "linear"}, {"rope_type", "linear"}, {"factor", 2}})),
      "(accepted)");
  // Settings without a type are not silently dropped; an empty object is no scaling.
  EXPECT_EQ(config_error(with_scaling({{"factor", 8.0}})),
            "m/config.json: field 'rope_scaling.rope_type' is missing");
  EXPECT_EQ(config_error(with_scaling(nlohmann::json::object())), "(accepted)");
  auto theta_only = model_config_to_json(llama_config());
  theta_only["rope_parameters"] = {{"rope_theta", 500000.0}};
  EXPECT_EQ(config_error(theta_only), "(accepted)");
  theta_only["rope_parameters"]["full_attention"] = {{"rope_type", "default"}};
  EXPECT_EQ(config_error(theta_only),
            "m/config.json: field 'rope_parameters.rope_type' is missing");

  auto both = model_config_to_json(llama_config());  // rope_theta 500000
  both["rope_parameters"] = {{"rope_type", "default"}, {"rope_theta", 10000.0}};
  EXPECT_EQ(config_error(both),
            "m/config.json: field 'rope_parameters.rope_theta' contradicts the top-level "
            "rope_theta");
  both["rope_parameters"]["rope_theta"] = 500000.0;
  both["rope_scaling"] = llama3_scaling();
  EXPECT_EQ(config_error(both), "m/config.json: field 'rope_scaling' contradicts rope_parameters");
  both.erase("rope_scaling");
  EXPECT_EQ(config_error(both), "(accepted)");
  // The same type with another factor contradicts too; the same settings do not.
  both["rope_parameters"] = llama3_scaling();
  both["rope_scaling"] = llama3_scaling();
  EXPECT_EQ(config_error(both), "(accepted)");
  both["rope_scaling"]["factor"] = 4.0;
  EXPECT_EQ(config_error(both), "m/config.json: field 'rope_scaling' contradicts rope_parameters");
}

}  // namespace
}  // namespace paddock::transformer
