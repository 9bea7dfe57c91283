// The `openai_model` plugin: the node type that makes an OpenAiModel from parameters, and
// the backend loader that reads a saved one back.
#include "openai_model.hpp"
#include "paddock/api_client/api_key.hpp"
#include "paddock/api_client/request_settings.hpp"
#include "paddock/paddock.hpp"
#include "paddock/settings_schema.hpp"

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

// Every parameter but `model`, which is required (no default) and stays a plain ParamSpec.
struct OpenAiModelSettings {
  std::string base_url = "https://api.openai.com/v1";
  std::string endpoint = "chat";
  std::string api_key_env = "OPENAI_API_KEY";
  std::string system_prompt;
  std::string template_without_input = "{instruction}";
  std::string template_with_input = "{instruction}\n\n{input}";
  bool request_logprobs = false;
  api_client::RequestSettings requests = [] {
    api_client::RequestSettings defaults;
    defaults.timeout_seconds = 120.0;  // generations run longer than a judge's one token
    return defaults;
  }();
  std::string cache_file;
};

SettingsSchema<OpenAiModelSettings> openai_model_schema() {
  using S = OpenAiModelSettings;
  SettingsSchema<S> schema;
  schema.text("base_url", &S::base_url, "the API's base URL, up to /v1")
      .text("endpoint", &S::endpoint, "chat (/chat/completions) or completions (/completions)",
            {"chat", "completions"})
      .text("api_key_env", &S::api_key_env,
            "the environment variable holding the key; \"none\" for no authentication")
      .text("system_prompt", &S::system_prompt, "chat: a system message before each prompt")
      .text("template_without_input", &S::template_without_input,
            "the prompt (chat: the user message) for an instruction without input")
      .text("template_with_input", &S::template_with_input,
            "the prompt for an instruction with an input")
      .boolean("request_logprobs", &S::request_logprobs,
               "ask for the sampled tokens' log-probabilities (Generation::token_logprobs)")
      .group(&S::requests, api_client::request_schema())
      .path("cache_file", &S::cache_file,
            "the durable generation cache (JSONL); empty = generations.jsonl in the node's "
            "work directory");
  return schema;
}

void run_openai_model(NodeContext& context) {
  const OpenAiModelSettings settings = openai_model_schema().read(context.params());
  OpenAiModelConfig config;
  config.model = context.params().string("model");  // required: not in the schema
  config.base_url = settings.base_url;
  config.endpoint = settings.endpoint;
  const std::string key_variable = settings.api_key_env;
  config.api_key_env = key_variable == "none" ? std::string() : key_variable;
  api_client::check_api_key_variable(config.api_key_env, "openai_model");
  config.system_prompt = settings.system_prompt;
  config.template_without_input = settings.template_without_input;
  config.template_with_input = settings.template_with_input;
  config.request_logprobs = settings.request_logprobs;
  config.concurrency = static_cast<int>(settings.requests.concurrency);
  config.retry = settings.requests.retry_policy();
  const std::string cache_file = settings.cache_file;
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
  // `model` is required: a plain ParamSpec, declared first as before.
  spec.params = {required_param("model", ParamType::string, "the API's model id")};
  for (ParamSpec& param : openai_model_schema().specs()) spec.params.push_back(std::move(param));
  // A remote model only generates: validation refuses it where a port needs log-probs or
  // training (a policy, a reference).
  NodeTypeDeclaration declaration;
  declaration.spec = make_node_type(std::move(spec), run_openai_model);
  declaration.promised = {{"model", {capability::kGenerate}}};
  add_node_type(registrar, std::move(declaration));
  registrar.add_model_backend({openai_model::kBackendName,
                               "a generate-only model behind an OpenAI-compatible HTTP API",
                               &load_backend});
}

}  // namespace

PADDOCK_PLUGIN("openai_model", "0.1.0",
               "Models behind OpenAI-compatible APIs (OpenAI, vLLM, paddock serve) as Paddock "
               "Models with TextGenerator.",
               register_openai_model)
