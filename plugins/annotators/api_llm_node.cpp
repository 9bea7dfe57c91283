// `api_llm`: an LLM judge (or a pool of them) over an OpenAI-compatible HTTP API.
#include <memory>

#include "annotator_nodes.hpp"
#include "api_llm_annotator.hpp"
#include "api_llm_factory.hpp"
#include "paddock/api_client/request_settings.hpp"
#include "paddock/error.hpp"
#include "paddock/settings_schema.hpp"
#include "paddock/simple_node.hpp"
#include "shared_logger.hpp"

namespace paddock::annotators {

namespace {

struct ApiLlmSettings {
  std::string pool_file;
  std::string name;
  std::string model;
  std::string base_url;
  std::string endpoint = "chat";
  std::string api_key_env;
  double temperature = 1.0;
  std::int64_t max_tokens = 50;
  std::int64_t batch_size = 1;
  std::string template_with_input;
  std::string template_without_input;
  std::vector<std::string> parse_patterns;
  nlohmann::json logit_bias = nlohmann::json::object();
  nlohmann::json logit_bias_tokens = nlohmann::json::object();
  std::string logit_bias_tokenizer;
  std::string tokenizer_directory;
  nlohmann::json prices = nlohmann::json::object();
  api_client::RequestSettings requests;
  std::int64_t budget_requests = 0;
  std::int64_t budget_tokens = 0;
  double budget_dollars = 0.0;
  std::string cache_file;
  bool retry_unannotated = false;
};

SettingsSchema<ApiLlmSettings> api_llm_schema() {
  using S = ApiLlmSettings;
  SettingsSchema<S> schema;
  schema
      .path("pool_file", &S::pool_file,
            "a pool file (TOML) defining several judges; the node then makes a pool "
            "whose members() are its judges, and the single-judge settings below are "
            "ignored except base_url, api_key_env and prices, which override the file "
            "when set. See docs/annotators.md")
      .text("name", &S::name, "the judge's name (single judge); empty = the model")
      .text("model", &S::model, "the model name sent to the API (single judge)")
      .text("base_url", &S::base_url,
            "the API's base URL, e.g. http://127.0.0.1:8000/v1; empty = the pool "
            "file's, else https://api.openai.com/v1")
      .text("endpoint", &S::endpoint, "chat (/chat/completions) or completions (/completions)",
            {"chat", "completions"})
      .text("api_key_env", &S::api_key_env,
            "the environment variable holding the API key (sent as a bearer token, "
            "never logged or cached); empty = the pool file's, else OPENAI_API_KEY; "
            "\"none\" = no authentication")
      .number("temperature", &S::temperature, "sampling temperature (0 = greedy)", 0.0, 2.0)
      .integer("max_tokens", &S::max_tokens, "completion tokens per request", /*minimum=*/1.0)
      .integer("batch_size", &S::batch_size,
               "pairs per prompt; the last batch is padded with a dummy "
               "pair",
               /*minimum=*/1.0, /*maximum=*/64.0)
      .path("template_with_input", &S::template_with_input,
            "prompt template for pairs with an input (see docs/annotators.md)")
      .path("template_without_input", &S::template_without_input,
            "prompt template for pairs without an input")
      .strings("parse_patterns", &S::parse_patterns,
               "ordered label patterns \"LABEL:REGEX\" (LABEL 1, 2 or 0 for a tie); the labels "
               "found in order must number batch_size, else the batch is unannotated")
      .table("logit_bias", &S::logit_bias,
             "token id = bias (-100..100), passed to the API as is: { \"11995\" = -100 }")
      .table("logit_bias_tokens", &S::logit_bias_tokens,
             "token text = bias (-100..100), mapped to ids with logit_bias_tokenizer; each text "
             "must be exactly one token (spaces count): { \" Both\" = -100 }")
      .path("logit_bias_tokenizer", &S::logit_bias_tokenizer,
            "the model's tokenizer for logit_bias_tokens: a tiktoken rank file "
            "(*.tiktoken), a Hugging Face tokenizer.json or vocab.json, or a model "
            "directory")
      .path("tokenizer_directory", &S::tokenizer_directory,
            "with pool_file: where the pool's relative logit_bias_tokenizer paths are "
            "found; empty = the pool file's directory")
      .table("prices", &S::prices,
             "dollars per 1000 tokens: {prompt = P, completion = C}, or a table of those keyed "
             "by model")
      .group(&S::requests, api_client::request_schema())
      .integer("budget_requests", &S::budget_requests,
               "stop after this many HTTP requests; 0 = no cap", /*minimum=*/0.0)
      .integer("budget_tokens", &S::budget_tokens,
               "stop after this many prompt + completion tokens; 0 = "
               "no cap",
               /*minimum=*/0.0)
      .number("budget_dollars", &S::budget_dollars,
              "stop after spending this much by `prices`; 0 = no "
              "cap",
              /*minimum=*/0.0)
      .path("cache_file", &S::cache_file,
            "the persistent annotation cache (JSONL); empty = annotations.jsonl in the "
            "node's work directory")
      .boolean("retry_unannotated", &S::retry_unannotated,
               "ask again for pairs whose cached answer could not be parsed");
  return schema;
}

}  // namespace

std::vector<ParamSpec> api_llm_params() {
  return api_llm_schema().specs();
}

std::shared_ptr<Annotator> make_api_llm_annotator(const Params& params, const ApiLlmSetup& setup) {
  const ApiLlmSettings settings = api_llm_schema().read(params);
  auto runtime = std::make_shared<ApiJudgeRuntime>();
  runtime->concurrency = static_cast<int>(settings.requests.concurrency);
  runtime->retry = settings.requests.retry_policy();
  runtime->retry_unannotated = settings.retry_unannotated;
  runtime->seed = setup.seed;
  runtime->log = setup.log;
  Budget budget;
  budget.max_requests = settings.budget_requests;
  budget.max_tokens = settings.budget_tokens;
  budget.max_dollars = settings.budget_dollars;
  runtime->ledger = std::make_shared<UsageLedger>(budget);
  const std::string& cache_file = settings.cache_file;
  runtime->cache = std::make_shared<AnnotationCache>(
      cache_file.empty() ? setup.work_dir / "annotations.jsonl" : std::filesystem::path(cache_file),
      setup.log);

  const std::string& api_key_env = settings.api_key_env;
  const auto apply_key_env = [&api_key_env](nlohmann::json& table) {
    if (api_key_env.empty()) return;  // inherit
    table["api_key_env"] = api_key_env == "none" ? std::string() : api_key_env;
  };

  const std::string& pool_file = settings.pool_file;
  if (!pool_file.empty()) {
    nlohmann::json overrides = nlohmann::json::object();
    if (!settings.base_url.empty()) overrides["base_url"] = settings.base_url;
    apply_key_env(overrides);
    if (!settings.prices.empty()) overrides["prices"] = settings.prices;
    JudgePoolFile pool = load_judge_pool(pool_file, overrides, settings.tokenizer_directory);
    if (setup.log) {
      setup.log->info("api_llm: {} judges from {} ('{}'); cache {} ({} entries)",
                      pool.judges.size(), pool_file, pool.name, runtime->cache->file().string(),
                      runtime->cache->size());
    }
    std::vector<std::shared_ptr<ApiLlmAnnotator>> judges;
    for (auto& config : pool.judges) {
      judges.push_back(std::make_shared<ApiLlmAnnotator>(std::move(config), runtime));
    }
    if (judges.size() == 1) return judges.front();
    return std::make_shared<ApiJudgePool>(pool.name, std::move(judges), runtime, setup.seed);
  }

  nlohmann::json table = {
      {"name", settings.name},
      {"model", settings.model},
      {"endpoint", settings.endpoint},
      {"temperature", settings.temperature},
      {"max_tokens", settings.max_tokens},
      {"batch_size", settings.batch_size},
      {"template_with_input", settings.template_with_input},
      {"template_without_input", settings.template_without_input},
      {"parse_patterns", settings.parse_patterns},
      {"logit_bias", settings.logit_bias},
      {"logit_bias_tokens", settings.logit_bias_tokens},
      {"logit_bias_tokenizer", settings.logit_bias_tokenizer},
      {"prices", settings.prices},
  };
  if (!settings.base_url.empty()) table["base_url"] = settings.base_url;
  apply_key_env(table);
  JudgeSource source;
  source.origin = "api_llm";
  ApiJudgeConfig config = judge_config_from_json(table, source);
  if (setup.log) {
    setup.log->info(
        "api_llm: judge '{}' ({} at {}, batch {}, temperature {}); cache {} ({} "
        "entries)",
        config.name, config.model, api_client::url_for_messages(config.base_url), config.batch_size,
        config.temperature, runtime->cache->file().string(), runtime->cache->size());
  }
  return std::make_shared<ApiLlmAnnotator>(std::move(config), runtime);
}

namespace {

void run_api_llm(NodeContext& context) {
  ApiLlmSetup setup;
  setup.work_dir = context.work_dir();
  setup.seed = context.seed();
  setup.log = share_node_logger(context);
  context.set_output("annotator", make_api_llm_annotator(context.params(), setup));
}

}  // namespace

NodeTypeSpec api_llm_node_type() {
  NodeTypeSpec spec;
  spec.name = "api_llm";
  spec.kind = NodeKind::annotator;
  spec.summary = "An LLM judge (or a pool of judges) over an OpenAI-compatible HTTP API.";
  spec.doc =
      "Fills a prompt template with batch_size pairs, sends it to base_url (chat or "
      "completions) with libcurl, N requests in flight, retrying 429/5xx/timeouts with "
      "exponential backoff and jitter (honouring Retry-After), and parses the labels with "
      "ordered regular expressions; a wrong label count leaves the batch unannotated. "
      "Answers go to a persistent cache (fsync per request) keyed by the pair and the "
      "judge's configuration, so a re-run never pays twice. Budget caps stop cleanly. With "
      "pool_file the node makes a pool for noisy_ensemble. See docs/annotators.md.";
  spec.outputs = {{"annotator", "Annotator", "the judge, or the pool of judges"}};
  spec.params = api_llm_params();
  return make_node_type(std::move(spec), run_api_llm);
}

}  // namespace paddock::annotators
