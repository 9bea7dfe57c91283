// OpenAiModel: request bodies, the cache, concurrent requests and answer parsing.
#include "openai_model.hpp"

#include <algorithm>
#include <fstream>
#include <limits>

#include "paddock/api_client/api_key.hpp"
#include "paddock/api_client/stable_hash.hpp"
#include "paddock/error.hpp"
#include "paddock/seed.hpp"

namespace paddock::openai_model {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// Replaces {instruction} and {input}; substituted text is not scanned again.
std::string fill_template(const std::string& format, const InstructionPrompt& prompt) {
  std::string text;
  for (std::size_t at = 0; at < format.size();) {
    if (format.compare(at, 13, "{instruction}") == 0) {
      text += prompt.instruction;
      at += 13;
    } else if (format.compare(at, 7, "{input}") == 0) {
      text += prompt.input;
      at += 7;
    } else {
      text += format[at++];
    }
  }
  return text;
}

std::string shorten(const std::string& text, std::size_t limit = 200) {
  return text.size() <= limit ? text : text.substr(0, limit) + "...";
}

// The seed sent for prompt `index`: prompts of one call draw different streams, as they do
// in a local model, and stay within JSON's signed 64-bit integers.
std::int64_t request_seed(std::uint64_t seed, std::size_t index) {
  return static_cast<std::int64_t>(derive_seed(seed, "prompt " + std::to_string(index)) >> 1);
}

}  // namespace

ordered_json OpenAiModelConfig::to_json() const {
  return {{"model", model},
          {"base_url", base_url},
          {"endpoint", endpoint},
          {"api_key_env", api_key_env},
          {"system_prompt", system_prompt},
          {"template_without_input", template_without_input},
          {"template_with_input", template_with_input},
          {"request_logprobs", request_logprobs},
          {"concurrency", concurrency},
          {"max_retries", retry.max_retries},
          {"timeout_seconds", retry.timeout_seconds},
          {"backoff_initial_seconds", retry.backoff_initial_seconds},
          {"backoff_max_seconds", retry.backoff_max_seconds},
          {"cache_file", cache_file.string()},
          {"seed", seed}};
}

OpenAiModelConfig OpenAiModelConfig::from_json(const json& document, const std::string& origin) {
  OpenAiModelConfig config;
  try {
    config.model = document.at("model").get<std::string>();
    config.base_url = document.value("base_url", config.base_url);
    config.endpoint = document.value("endpoint", config.endpoint);
    config.api_key_env = document.value("api_key_env", config.api_key_env);
    config.system_prompt = document.value("system_prompt", "");
    config.template_without_input =
        document.value("template_without_input", config.template_without_input);
    config.template_with_input = document.value("template_with_input", config.template_with_input);
    config.request_logprobs = document.value("request_logprobs", false);
    config.concurrency = document.value("concurrency", config.concurrency);
    config.retry.max_retries = document.value("max_retries", config.retry.max_retries);
    config.retry.timeout_seconds = document.value("timeout_seconds", config.retry.timeout_seconds);
    config.retry.backoff_initial_seconds =
        document.value("backoff_initial_seconds", config.retry.backoff_initial_seconds);
    config.retry.backoff_max_seconds =
        document.value("backoff_max_seconds", config.retry.backoff_max_seconds);
    config.cache_file = document.at("cache_file").get<std::string>();
    config.seed = document.value("seed", std::uint64_t{0});
  } catch (const json::exception& error) {
    throw Error(origin + ": " + error.what());
  }
  if (config.model.empty()) throw Error(origin + ": 'model' must not be empty");
  if (config.endpoint != "chat" && config.endpoint != "completions")
    throw Error(origin + ": endpoint must be 'chat' or 'completions', got '" + config.endpoint +
                "'");
  if (config.concurrency < 1) throw Error(origin + ": concurrency must be at least 1");
  return config;
}

OpenAiModel::OpenAiModel(OpenAiModelConfig config, std::shared_ptr<spdlog::logger> log)
    : config_(std::move(config)), log_(std::move(log)) {
  if (config_.cache_file.empty()) throw Error("openai_model: no cache file given");
  cache_ = std::make_shared<api_client::JsonlCache>(config_.cache_file, "generation cache", log_);
}

std::shared_ptr<OpenAiModel> OpenAiModel::load(const std::filesystem::path& directory) {
  const auto file = directory / kConfigFile;
  std::ifstream stream(file);
  if (!stream) throw Error(file.string() + ": cannot read the openai_model configuration");
  const json document = json::parse(stream, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) throw Error(file.string() + ": not valid JSON");
  return std::make_shared<OpenAiModel>(OpenAiModelConfig::from_json(document, file.string()),
                                       nullptr);
}

void OpenAiModel::save(const std::filesystem::path& directory) const {
  std::filesystem::create_directories(directory);
  const auto file = directory / kConfigFile;
  const auto temporary = directory / (std::string(kConfigFile) + ".tmp");
  {
    std::ofstream stream(temporary, std::ios::trunc);
    stream << config_.to_json().dump(2) << "\n";
    if (!stream) throw Error(temporary.string() + ": cannot write the configuration");
  }
  std::filesystem::rename(temporary, file);
}

std::string OpenAiModel::format_prompt(const InstructionPrompt& prompt) const {
  return fill_template(
      prompt.input.empty() ? config_.template_without_input : config_.template_with_input, prompt);
}

std::string OpenAiModel::endpoint_url() const {
  std::string url = config_.base_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url + (config_.endpoint == "chat" ? "/chat/completions" : "/completions");
}

const std::string& OpenAiModel::api_key() {
  std::call_once(key_once_, [this] {
    api_key_ =
        api_client::read_api_key(config_.api_key_env, "openai_model '" + config_.model + "'");
  });
  return api_key_;
}

std::string OpenAiModel::request_body(const std::string& prompt, const GenerationOptions& options,
                                      std::size_t prompt_index) const {
  if (options.stop.size() > 4)
    throw Error("openai_model: the API takes at most 4 stop strings, got " +
                std::to_string(options.stop.size()));
  ordered_json body = {{"model", config_.model}};
  if (config_.endpoint == "chat") {
    body["messages"] = ordered_json::array();
    if (!config_.system_prompt.empty())
      body["messages"].push_back({{"role", "system"}, {"content", config_.system_prompt}});
    body["messages"].push_back({{"role", "user"}, {"content", prompt}});
  } else {
    body["prompt"] = prompt;
  }
  body["temperature"] = options.temperature;
  body["top_p"] = options.top_p;
  if (options.top_k > 0) body["top_k"] = options.top_k;  // vLLM's and paddock serve's
  body["max_tokens"] = options.max_new_tokens;
  body["n"] = options.samples_per_prompt;
  if (!options.stop.empty()) body["stop"] = options.stop;
  body["seed"] = request_seed(options.seed, prompt_index);
  if (config_.request_logprobs) {
    if (config_.endpoint == "chat") {
      body["logprobs"] = true;
    } else {
      body["logprobs"] = 0;
    }
  }
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::vector<Generation> OpenAiModel::parse_choices(const std::string& body,
                                                   std::int64_t expected) const {
  const json document = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!document.is_object() || !document.contains("choices") || !document["choices"].is_array())
    return {};
  const json& choices = document["choices"];
  if (static_cast<std::int64_t>(choices.size()) != expected) return {};
  std::vector<Generation> generations(static_cast<std::size_t>(expected));
  std::vector<bool> seen(generations.size(), false);
  for (std::size_t position = 0; position < choices.size(); ++position) {
    const json& choice = choices[position];
    if (!choice.is_object()) return {};
    const std::size_t index = choice.value("index", position);
    if (index >= generations.size() || seen[index]) return {};
    seen[index] = true;
    Generation& generation = generations[index];
    const json* text = nullptr;
    if (config_.endpoint == "chat") {
      if (!choice.contains("message") || !choice["message"].is_object()) return {};
      const json& message = choice["message"];
      if (!message.contains("content") || !message["content"].is_string()) return {};
      text = &message["content"];
    } else {
      if (!choice.contains("text") || !choice["text"].is_string()) return {};
      text = &choice["text"];
    }
    generation.text = text->get<std::string>();
    const auto reason = choice.find("finish_reason");
    generation.finish_reason =
        reason != choice.end() && reason->is_string() ? reason->get<std::string>() : "stop";
    const auto logprobs = choice.find("logprobs");
    if (logprobs != choice.end() && logprobs->is_object()) {
      if (logprobs->contains("content") && (*logprobs)["content"].is_array()) {
        for (const json& token : (*logprobs)["content"])
          if (token.is_object() && token.contains("logprob") && token["logprob"].is_number())
            generation.token_logprobs.push_back(token["logprob"].get<float>());
      } else if (logprobs->contains("token_logprobs") && (*logprobs)["token_logprobs"].is_array()) {
        for (const json& value : (*logprobs)["token_logprobs"])
          if (value.is_number()) generation.token_logprobs.push_back(value.get<float>());
      }
    }
  }
  return generations;
}

std::vector<std::vector<Generation>> OpenAiModel::generate(const std::vector<std::string>& prompts,
                                                           const GenerationOptions& options) {
  if (options.samples_per_prompt < 1) throw Error("samples_per_prompt must be at least 1");
  if (options.max_new_tokens < 1) throw Error("max_new_tokens must be at least 1");
  std::vector<std::vector<Generation>> results(prompts.size());
  std::vector<std::string> keys(prompts.size());
  std::vector<std::size_t> misses;
  const auto from_cache = [&](const ordered_json& fields, std::size_t index) {
    if (!fields.contains("body") || !fields["body"].is_string()) return false;
    results[index] = parse_choices(fields["body"].get<std::string>(), options.samples_per_prompt);
    return !results[index].empty();
  };
  std::int64_t hits = 0;
  for (std::size_t index = 0; index < prompts.size(); ++index) {
    const std::string body = request_body(prompts[index], options, index);
    keys[index] = api_client::stable_hash_hex(endpoint_url() + '\x1f' + body);
    if (const auto cached = cache_->find(keys[index]); cached && from_cache(*cached, index)) {
      ++hits;
    } else {
      misses.push_back(index);
    }
  }
  {
    std::lock_guard lock(usage_mutex_);
    cache_hits_ += hits;
  }
  if (misses.empty()) return results;

  const std::string& key = api_key();
  std::vector<api_client::HttpRequest> requests;
  for (const std::size_t index : misses) {
    api_client::HttpRequest request;
    request.url = endpoint_url();
    request.body = request_body(prompts[index], options, index);
    if (!key.empty()) request.headers.push_back("Authorization: Bearer " + key);
    requests.push_back(std::move(request));
  }
  std::vector<std::string> failures;
  api_client::HttpCallbacks callbacks;
  callbacks.may_send = [] { return true; };
  callbacks.on_attempt = [this] {
    std::lock_guard lock(usage_mutex_);
    ++requests_;
  };
  callbacks.accept_body = [this, &options](const std::string& body) {
    return !parse_choices(body, options.samples_per_prompt).empty();
  };
  callbacks.on_retry = [this, &key](const std::string& message) {
    if (log_)
      log_->warn("openai_model {}: {}", config_.model,
                 api_client::redact(api_client::redact(message, key),
                                    api_client::url_userinfo(config_.base_url)));
  };
  callbacks.on_finished = [&](std::size_t request, api_client::HttpResult result) {
    const std::size_t index = misses[request];
    if (result.outcome != api_client::HttpOutcome::ok) {
      failures.push_back(
          "prompt " + std::to_string(index) + ": " +
          api_client::redact(
              result.error + (result.body.empty() ? "" : ": " + shorten(result.body)), key));
      return;
    }
    results[index] = parse_choices(result.body, options.samples_per_prompt);
    const json document = json::parse(result.body, nullptr, false);
    if (document.is_object() && document.contains("usage") && document["usage"].is_object()) {
      std::lock_guard lock(usage_mutex_);
      prompt_tokens_ += document["usage"].value("prompt_tokens", std::int64_t{0});
      completion_tokens_ += document["usage"].value("completion_tokens", std::int64_t{0});
    }
    cache_->append({{keys[index], ordered_json{{"model", config_.model}, {"body", result.body}}}});
  };
  const std::uint64_t jitter_seed =
      derive_seed(config_.seed, "openai_model/jitter/" + std::to_string(calls_++));
  try {
    api_client::run_http_requests(requests, config_.concurrency, config_.retry, jitter_seed,
                                  callbacks);
  } catch (const Error& error) {
    throw Error(api_client::redact(error.what(), key));
  }
  if (!failures.empty()) {
    throw Error("openai_model " + config_.model + " at " +
                api_client::url_for_messages(config_.base_url) + ": " +
                std::to_string(failures.size()) + " of " + std::to_string(misses.size()) +
                " requests failed (the answers received are cached); first: " + failures.front());
  }
  return results;
}

nlohmann::ordered_json OpenAiModel::usage() const {
  std::lock_guard lock(usage_mutex_);
  return {{"requests", requests_},
          {"prompt_tokens", prompt_tokens_},
          {"completion_tokens", completion_tokens_},
          {"cache_hits", cache_hits_}};
}

}  // namespace paddock::openai_model
