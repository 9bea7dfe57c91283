// `api_llm`: an LLM judge (or a pool of them) over an OpenAI-compatible HTTP API.
#include <memory>

#include "annotator_nodes.hpp"
#include "api_llm_annotator.hpp"
#include "api_llm_factory.hpp"
#include "paddock/error.hpp"
#include "paddock/simple_node.hpp"
#include "shared_logger.hpp"

namespace paddock::annotators {

std::vector<ParamSpec> api_llm_params() {
  return {
      path_param("pool_file", "",
                 "a pool file (TOML) defining several judges; the node then makes a pool "
                 "whose members() are its judges, and the single-judge settings below are "
                 "ignored except base_url, api_key_env and prices, which override the file "
                 "when set. See docs/annotators.md"),
      string_param("name", "", "the judge's name (single judge); empty = the model"),
      string_param("model", "", "the model name sent to the API (single judge)"),
      string_param("base_url", "",
                   "the API's base URL, e.g. http://127.0.0.1:8000/v1; empty = the pool "
                   "file's, else https://api.openai.com/v1"),
      string_param("endpoint", "chat", "chat (/chat/completions) or completions (/completions)",
                   {"chat", "completions"}),
      string_param("api_key_env", "",
                   "the environment variable holding the API key (sent as a bearer token, "
                   "never logged or cached); empty = the pool file's, else OPENAI_API_KEY; "
                   "\"none\" = no authentication"),
      number_param("temperature", 1.0, "sampling temperature (0 = greedy)", 0.0, 2.0),
      integer_param("max_tokens", 50, "completion tokens per request", /*minimum=*/1.0),
      integer_param("batch_size", 1,
                    "pairs per prompt; the last batch is padded with a dummy "
                    "pair",
                    /*minimum=*/1.0, /*maximum=*/64.0),
      path_param("template_with_input", "",
                 "prompt template for pairs with an input (see docs/annotators.md)"),
      path_param("template_without_input", "", "prompt template for pairs without an input"),
      {"parse_patterns", ParamType::string_list,
       "ordered label patterns \"LABEL:REGEX\" (LABEL 1, 2 or 0 for a tie); the labels found "
       "in order must number batch_size, else the batch is unannotated",
       nlohmann::json::array()},
      {"logit_bias", ParamType::table,
       "token id = bias (-100..100), passed to the API as is: { \"11995\" = -100 }",
       nlohmann::json::object()},
      {"logit_bias_tokens", ParamType::table,
       "token text = bias (-100..100), mapped to ids with logit_bias_tokenizer; each text must "
       "be exactly one token (spaces count): { \" Both\" = -100 }",
       nlohmann::json::object()},
      path_param("logit_bias_tokenizer", "",
                 "the model's tokenizer for logit_bias_tokens: a tiktoken rank file "
                 "(*.tiktoken), a Hugging Face tokenizer.json or vocab.json, or a model "
                 "directory"),
      path_param("tokenizer_directory", "",
                 "with pool_file: where the pool's relative logit_bias_tokenizer paths are "
                 "found; empty = the pool file's directory"),
      {"prices", ParamType::table,
       "dollars per 1000 tokens: {prompt = P, completion = C}, or a table of those keyed by "
       "model",
       nlohmann::json::object()},
      integer_param("concurrency", 8, "requests in flight", 1.0, 256.0),
      number_param("timeout_seconds", 60.0, "per-request timeout", /*minimum=*/0.001),
      integer_param("max_retries", 5, "retries on 429, 408, 5xx, timeouts and malformed bodies",
                    0.0, 100.0),
      number_param("backoff_initial_seconds", 1.0, "first retry delay before jitter",
                   /*minimum=*/0.0),
      number_param("backoff_max_seconds", 60.0, "cap of the exponential retry delay",
                   /*minimum=*/0.0),
      integer_param("budget_requests", 0, "stop after this many HTTP requests; 0 = no cap",
                    /*minimum=*/0.0),
      integer_param("budget_tokens", 0,
                    "stop after this many prompt + completion tokens; 0 = "
                    "no cap",
                    /*minimum=*/0.0),
      number_param("budget_dollars", 0.0,
                   "stop after spending this much by `prices`; 0 = no "
                   "cap",
                   /*minimum=*/0.0),
      path_param("cache_file", "",
                 "the persistent annotation cache (JSONL); empty = annotations.jsonl in the "
                 "node's work directory"),
      boolean_param("retry_unannotated", false,
                    "ask again for pairs whose cached answer could not be parsed"),
  };
}

std::shared_ptr<Annotator> make_api_llm_annotator(const Params& params, const ApiLlmSetup& setup) {
  auto runtime = std::make_shared<ApiJudgeRuntime>();
  runtime->concurrency = static_cast<int>(params.integer("concurrency"));
  runtime->retry.max_retries = static_cast<int>(params.integer("max_retries"));
  runtime->retry.timeout_seconds = params.number("timeout_seconds");
  runtime->retry.backoff_initial_seconds = params.number("backoff_initial_seconds");
  runtime->retry.backoff_max_seconds = params.number("backoff_max_seconds");
  runtime->retry_unannotated = params.boolean("retry_unannotated");
  runtime->seed = setup.seed;
  runtime->log = setup.log;
  Budget budget;
  budget.max_requests = params.integer("budget_requests");
  budget.max_tokens = params.integer("budget_tokens");
  budget.max_dollars = params.number("budget_dollars");
  runtime->ledger = std::make_shared<UsageLedger>(budget);
  const std::string cache_file = params.string("cache_file");
  runtime->cache = std::make_shared<AnnotationCache>(
      cache_file.empty() ? setup.work_dir / "annotations.jsonl" : std::filesystem::path(cache_file),
      setup.log);

  const std::string api_key_env = params.string("api_key_env");
  const auto apply_key_env = [&api_key_env](nlohmann::json& table) {
    if (api_key_env.empty()) return;  // inherit
    table["api_key_env"] = api_key_env == "none" ? std::string() : api_key_env;
  };

  const std::string pool_file = params.string("pool_file");
  if (!pool_file.empty()) {
    nlohmann::json overrides = nlohmann::json::object();
    if (!params.string("base_url").empty()) overrides["base_url"] = params.string("base_url");
    apply_key_env(overrides);
    if (!params.json("prices").empty()) overrides["prices"] = params.json("prices");
    JudgePoolFile pool =
        load_judge_pool(pool_file, overrides, params.string("tokenizer_directory"));
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
      {"name", params.string("name")},
      {"model", params.string("model")},
      {"endpoint", params.string("endpoint")},
      {"temperature", params.number("temperature")},
      {"max_tokens", params.integer("max_tokens")},
      {"batch_size", params.integer("batch_size")},
      {"template_with_input", params.string("template_with_input")},
      {"template_without_input", params.string("template_without_input")},
      {"parse_patterns", params.string_list("parse_patterns")},
      {"logit_bias", params.json("logit_bias")},
      {"logit_bias_tokens", params.json("logit_bias_tokens")},
      {"logit_bias_tokenizer", params.string("logit_bias_tokenizer")},
      {"prices", params.json("prices")},
  };
  if (!params.string("base_url").empty()) table["base_url"] = params.string("base_url");
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
