// The `openai_model` plugin: the node type that makes an OpenAiModel from parameters, and
// the backend loader that reads a saved one back.
#include "openai_model.hpp"
#include "paddock/api_client/api_key.hpp"
#include "paddock/paddock.hpp"

#include <spdlog/spdlog.h>

namespace {

using namespace paddock;
using paddock::openai_model::OpenAiModel;
using paddock::openai_model::OpenAiModelConfig;

std::shared_ptr<Model> load_backend(const std::filesystem::path& directory,
                                    const std::string& /*device: the API decides*/) {
  return OpenAiModel::load(directory);
}

// A logger on the node's sinks that the model may keep after the node has run (it lives on
// as an artifact; the node's own logger does not).
std::shared_ptr<spdlog::logger> keepable_logger(NodeContext& context) {
  spdlog::logger& node_logger = context.log();
  auto logger = std::make_shared<spdlog::logger>(node_logger.name(), node_logger.sinks().begin(),
                                                 node_logger.sinks().end());
  logger->set_level(node_logger.level());
  return logger;
}

void run_openai_model(NodeContext& context) {
  const auto& params = context.params();
  OpenAiModelConfig config;
  config.model = params.string("model");
  config.base_url = params.string("base_url");
  config.endpoint = params.string("endpoint");
  const std::string key_variable = params.string("api_key_env");
  config.api_key_env = key_variable == "none" ? std::string() : key_variable;
  api_client::check_api_key_variable(config.api_key_env, "openai_model");
  config.system_prompt = params.string("system_prompt");
  config.template_without_input = params.string("template_without_input");
  config.template_with_input = params.string("template_with_input");
  config.request_logprobs = params.boolean("request_logprobs");
  config.concurrency = static_cast<int>(params.integer("concurrency"));
  config.retry.max_retries = static_cast<int>(params.integer("max_retries"));
  config.retry.timeout_seconds = params.number("timeout_seconds");
  config.retry.backoff_initial_seconds = params.number("backoff_initial_seconds");
  config.retry.backoff_max_seconds = params.number("backoff_max_seconds");
  const std::string cache_file = params.string("cache_file");
  config.cache_file =
      std::filesystem::absolute(cache_file.empty() ? context.work_dir() / "generations.jsonl"
                                                   : std::filesystem::path(cache_file));
  config.seed = context.seed();
  auto model = std::make_shared<OpenAiModel>(std::move(config), keepable_logger(context));
  context.log().info("openai_model '{}' at {} ({} endpoint); cache {}", model->config().model,
                     api_client::url_for_messages(model->config().base_url),
                     model->config().endpoint, model->config().cache_file.string());
  context.set_output("model", model);
}

void register_openai_model(Registrar& registrar) {
  NodeTypeSpec spec;
  spec.name = "openai_model";
  spec.kind = NodeKind::model;
  spec.summary =
      "A generate-only model behind an OpenAI-compatible API (OpenAI, vLLM, paddock serve).";
  spec.doc =
      "The model generates by HTTP requests, one per prompt with n samples, concurrently, "
      "with retries and backoff; answers are cached durably so re-runs pay nothing twice. "
      "The API key is read from the environment variable api_key_env when the first request "
      "goes out, and never stored.";
  spec.outputs = {{"model", "Model", "the model (TextGenerator only)"}};
  spec.params = {
      required_param("model", ParamType::string, "the API's model id"),
      string_param("base_url", "https://api.openai.com/v1", "the API's base URL, up to /v1"),
      string_param("endpoint", "chat", "chat (/chat/completions) or completions (/completions)",
                   {"chat", "completions"}),
      string_param("api_key_env", "OPENAI_API_KEY",
                   "the environment variable holding the key; \"none\" for no authentication"),
      string_param("system_prompt", "", "chat: a system message before each prompt"),
      string_param("template_without_input", "{instruction}",
                   "the prompt (chat: the user message) for an instruction without input"),
      string_param("template_with_input", "{instruction}\n\n{input}",
                   "the prompt for an instruction with an input"),
      boolean_param("request_logprobs", false,
                    "ask for the sampled tokens' log-probabilities (Generation::token_logprobs)"),
      integer_param("concurrency", 8, "requests in flight", 1.0, 256.0),
      number_param("timeout_seconds", 120.0, "per-request timeout", /*minimum=*/0.001),
      integer_param("max_retries", 5, "retries on 429, 408, 5xx, timeouts and malformed bodies",
                    0.0, 100.0),
      number_param("backoff_initial_seconds", 1.0, "first retry delay before jitter",
                   /*minimum=*/0.0),
      number_param("backoff_max_seconds", 60.0, "cap of the exponential retry delay",
                   /*minimum=*/0.0),
      path_param("cache_file", "",
                 "the durable generation cache (JSONL); empty = generations.jsonl in the node's "
                 "work directory"),
  };
  registrar.add_node_type(make_node_type(std::move(spec), run_openai_model));
  registrar.add_model_backend({openai_model::kBackendName,
                               "a generate-only model behind an OpenAI-compatible HTTP API",
                               &load_backend});
}

}  // namespace

PADDOCK_PLUGIN("openai_model", "0.1.0",
               "Models behind OpenAI-compatible APIs (OpenAI, vLLM, paddock serve) as Paddock "
               "Models with TextGenerator.",
               register_openai_model)
