// Reading API judge configurations from parameters and pool files.
#include "api_judge_config.hpp"

#include <set>

#include <toml++/toml.h>

#include "paddock/api_client/api_key.hpp"
#include "paddock/core/files.hpp"
#include "paddock/error.hpp"
#include "pair_key.hpp"

namespace paddock::annotators {
namespace {

const std::set<std::string> kJudgeKeys = {"name",
                                          "base_url",
                                          "model",
                                          "endpoint",
                                          "api_key_env",
                                          "temperature",
                                          "max_tokens",
                                          "batch_size",
                                          "template_with_input",
                                          "template_without_input",
                                          "parse_patterns",
                                          "logit_bias",
                                          "logit_bias_tokens",
                                          "logit_bias_tokenizer",
                                          "prices"};

nlohmann::json toml_to_json(const toml::node& node) {
  if (const auto* table = node.as_table()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, value] : *table) out[std::string(key.str())] = toml_to_json(value);
    return out;
  }
  if (const auto* array = node.as_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& value : *array) out.push_back(toml_to_json(value));
    return out;
  }
  if (const auto* text = node.as_string()) return text->get();
  if (const auto* integer = node.as_integer()) return integer->get();
  if (const auto* number = node.as_floating_point()) return number->get();
  if (const auto* flag = node.as_boolean()) return flag->get();
  return nullptr;  // dates and times have no use in a judge configuration
}

std::string location(const toml::node& node) {
  const auto& begin = node.source().begin;
  return std::to_string(begin.line) + ":" + std::to_string(begin.column);
}

// The FILE:LINE:COL of each key of a table's logit_bias_tokens, for error messages.
void add_token_locations(const toml::table& table, const std::filesystem::path& file,
                         std::map<std::string, std::string>& locations) {
  const auto* tokens = table["logit_bias_tokens"].as_table();
  if (!tokens) return;
  for (const auto& [key, value] : *tokens) {
    const auto& begin = key.source().begin;
    locations[std::string(key.str())] =
        file.string() + ":" + std::to_string(begin.line) + ":" + std::to_string(begin.column);
  }
}

}  // namespace

std::string ApiJudgeConfig::identity() const {
  const nlohmann::json identity = {
      {"base_url", base_url},
      {"model", model},
      {"endpoint", endpoint},
      {"temperature", temperature},
      {"max_tokens", max_tokens},
      {"batch_size", batch_size},
      {"template_with_input", template_with_input.source()},
      {"template_without_input", template_without_input.source()},
      {"parse_patterns", parse_patterns},
      {"logit_bias", logit_bias},
  };
  return stable_hash_hex(identity.dump());  // nlohmann::json sorts keys: canonical
}

ApiJudgeConfig judge_config_from_json(const nlohmann::json& table, const JudgeSource& source) {
  const std::string& origin = source.origin;
  const std::filesystem::path& base_directory = source.base_directory;
  const auto fail = [&origin](const std::string& message) -> void {
    throw Error(origin + ": " + message);
  };
  if (!table.is_object()) fail("a judge must be a table");
  for (const auto& [key, value] : table.items()) {
    if (!kJudgeKeys.count(key)) fail("unknown judge setting '" + key + "'");
  }
  ApiJudgeConfig config;
  LogitBiasInput bias;
  try {
    config.model = table.value("model", "");
    config.name = table.value("name", "");
    const std::string base_url = table.value("base_url", "");
    if (!base_url.empty()) config.base_url = base_url;
    config.endpoint = table.value("endpoint", "chat");
    if (table.contains("api_key_env")) config.api_key_env = table["api_key_env"].get<std::string>();
    if (config.api_key_env == "none") config.api_key_env.clear();
    config.temperature = table.value("temperature", 1.0);
    config.max_tokens = table.value("max_tokens", std::int64_t{50});
    config.batch_size = table.value("batch_size", std::int64_t{1});
    config.parse_patterns = table.value("parse_patterns", std::vector<std::string>{});
    bias.ids = table.value("logit_bias", nlohmann::json::object());
    bias.tokens = table.value("logit_bias_tokens", nlohmann::json::object());
    const std::string tokenizer = table.value("logit_bias_tokenizer", "");
    if (!tokenizer.empty()) {
      const std::filesystem::path& directory =
          source.tokenizer_directory.empty() ? base_directory : source.tokenizer_directory;
      bias.tokenizer = std::filesystem::path(tokenizer).is_absolute()
                           ? std::filesystem::path(tokenizer)
                           : directory / tokenizer;
    }
  } catch (const nlohmann::json::exception& error) {
    fail(std::string("a setting has the wrong type: ") + error.what());
  }
  try {
    api_client::check_api_key_variable(config.api_key_env, "api_key_env");
  } catch (const Error& error) {
    fail(error.what());
  }
  if (config.model.empty()) fail("'model' is required");
  if (config.name.empty()) config.name = config.model;
  if (config.endpoint != "chat" && config.endpoint != "completions") {
    fail("endpoint must be \"chat\" or \"completions\", not \"" + config.endpoint + "\"");
  }
  if (config.batch_size < 1) fail("batch_size must be at least 1");
  if (config.max_tokens < 1) fail("max_tokens must be at least 1");
  if (config.temperature < 0 || config.temperature > 2) fail("temperature must lie in [0, 2]");
  bias.token_locations = source.token_locations;
  TokenVocabularyCache own_vocabularies;
  config.logit_bias = resolve_logit_bias(
      bias, origin, source.vocabularies ? *source.vocabularies : own_vocabularies);
  try {
    config.compiled_patterns = compile_label_patterns(config.parse_patterns);
  } catch (const Error& error) {
    fail(error.what());
  }
  const auto load_template = [&](const char* key) {
    const std::string path = table.value(key, "");
    if (path.empty()) fail(std::string("'") + key + "' (a prompt template file) is required");
    const std::filesystem::path file = std::filesystem::path(path).is_absolute()
                                           ? std::filesystem::path(path)
                                           : base_directory / path;
    return PromptTemplate::load(file);
  };
  config.template_with_input = load_template("template_with_input");
  config.template_without_input = load_template("template_without_input");
  config.prices = prices_for_model(table.value("prices", nlohmann::json::object()), config.model);
  return config;
}

JudgePoolFile load_judge_pool(const std::filesystem::path& file, const nlohmann::json& overrides,
                              const std::filesystem::path& tokenizer_directory) {
  core::refuse_special_file(file);  // a FIFO or a device would never end
  toml::table root;
  try {
    root = toml::parse_file(file.string());
  } catch (const toml::parse_error& error) {
    const auto& begin = error.source().begin;
    throw Error(file.string() + ":" + std::to_string(begin.line) + ":" +
                std::to_string(begin.column) + ": " + std::string(error.description()));
  }
  JudgePoolFile pool;
  pool.name = root["name"].value_or(file.stem().string());
  nlohmann::json defaults = nlohmann::json::object();
  if (const auto* table = root["defaults"].as_table()) defaults = toml_to_json(*table);
  for (const auto& [key, value] : root) {
    const std::string name(key.str());
    if (name != "name" && name != "defaults" && name != "judge") {
      throw Error(file.string() + ":" + location(value) + ": unknown key '" + name +
                  "' (a pool file has name, [defaults] and [[judge]] tables)");
    }
  }
  const auto* judges = root["judge"].as_array();
  if (!judges || judges->empty()) {
    throw Error(file.string() + ": no [[judge]] tables: a pool file defines at least one judge");
  }
  std::map<std::string, std::string> default_token_locations;
  if (const auto* table = root["defaults"].as_table()) {
    add_token_locations(*table, file, default_token_locations);
  }
  TokenVocabularyCache vocabularies;
  std::set<std::string> names;
  std::size_t index = 0;
  for (const auto& entry : *judges) {
    ++index;
    const std::string origin =
        file.string() + ":" + location(entry) + ": judge " + std::to_string(index);
    if (!entry.is_table()) throw Error(origin + ": expected a [[judge]] table");
    nlohmann::json merged = defaults;
    const nlohmann::json judge = toml_to_json(entry);
    for (const auto& [key, value] : judge.items()) merged[key] = value;
    for (const auto& [key, value] : overrides.items()) merged[key] = value;
    JudgeSource source;
    source.origin = origin;
    source.base_directory = file.parent_path();
    source.tokenizer_directory = tokenizer_directory;
    source.vocabularies = &vocabularies;
    // A judge's own logit_bias_tokens replace the defaults' (as every key does), and so do
    // their locations.
    source.token_locations = default_token_locations;
    if (judge.contains("logit_bias_tokens")) source.token_locations.clear();
    add_token_locations(*entry.as_table(), file, source.token_locations);
    if (overrides.contains("logit_bias_tokens")) source.token_locations.clear();
    for (auto& [token, place] : source.token_locations) place += ": judge " + std::to_string(index);
    ApiJudgeConfig config = judge_config_from_json(merged, source);
    if (!names.insert(config.name).second) {
      throw Error(origin + ": a second judge named '" + config.name + "'");
    }
    pool.judges.push_back(std::move(config));
  }
  return pool;
}

}  // namespace paddock::annotators
