// RequestHandler: routing, authentication, generation and streaming.
#include "request_handler.hpp"

#include <chrono>
#include <cstdio>

#include "api_error.hpp"
#include "api_response.hpp"
#include "paddock/error.hpp"
#include "paddock/seed.hpp"

namespace paddock::serve {
namespace {

std::int64_t unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Compares without stopping at the first difference, so response time says nothing about
// how much of a guessed key was right.
bool equal_in_constant_time(const std::string& a, const std::string& b) {
  unsigned char difference = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < a.size(); ++i)
    difference |= static_cast<unsigned char>(a[i] ^ (b.empty() ? 0 : b[i % b.size()]));
  return difference == 0;
}

// How often a connection waiting for its job checks that its client is still there.
constexpr std::chrono::milliseconds kDisconnectPoll{100};

std::string hex(std::uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

}  // namespace

RequestHandler::RequestHandler(ServedModel model, GenerationScheduler& scheduler,
                               HandlerOptions options)
    : model_(std::move(model)),
      scheduler_(scheduler),
      options_(std::move(options)),
      started_(unix_seconds()) {}

bool RequestHandler::authorized(const HttpRequestView& request) const {
  if (!options_.api_key) return true;
  const std::string prefix = "Bearer ";
  if (request.authorization.compare(0, prefix.size(), prefix) != 0) return false;
  return equal_in_constant_time(request.authorization.substr(prefix.size()), *options_.api_key);
}

void RequestHandler::send_error(Exchange& exchange, AccessRecord& record, int status,
                                const nlohmann::ordered_json& body,
                                const std::vector<std::pair<std::string, std::string>>& headers) {
  record.status = status;
  record.error = body["error"].value("message", "");
  exchange.send_json(status, body, headers);
}

void RequestHandler::handle(Exchange& exchange, AccessRecord& record) {
  const HttpRequestView& request = exchange.request();
  try {
    if (request.path == "/health") {
      record.status = 200;
      exchange.send_json(200, {{"status", "ok"}});
      return;
    }
    const bool is_models =
        request.path == "/v1/models" || request.path.rfind("/v1/models/", 0) == 0;
    const bool is_completions = request.path == "/v1/completions";
    const bool is_chat = request.path == "/v1/chat/completions";
    if (!is_models && !is_completions && !is_chat) {
      throw ApiError(404,
                     "Unknown request URL: " + request.method + " " + request.path +
                         ". This server offers /v1/models, /v1/completions and "
                         "/v1/chat/completions.",
                     "invalid_request_error", "", "unknown_url");
    }
    if (!authorized(request)) {
      throw ApiError(401,
                     request.authorization.empty()
                         ? "You didn't provide an API key. Send it as 'Authorization: Bearer KEY'."
                         : "Incorrect API key provided.",
                     "invalid_request_error", "", "invalid_api_key");
    }
    const std::string wanted = is_models ? "GET" : "POST";
    if (request.method != wanted) {
      throw ApiError(405, request.method + " is not allowed on " + request.path + "; use " + wanted,
                     "invalid_request_error", "", "method_not_allowed");
    }
    if (is_models) {
      list_models(exchange, record,
                  request.path.size() > 11 ? request.path.substr(11) : std::string());
      return;
    }
    generate(exchange, record, is_chat ? Endpoint::chat : Endpoint::completions);
  } catch (const ApiError& error) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (error.status() == 429)
      headers.push_back({"Retry-After", std::to_string(options_.retry_after_seconds)});
    // A request refused after it got its id (a full queue) still names it, as in the log.
    if (!record.request_id.empty()) headers.push_back({"x-request-id", record.request_id});
    send_error(exchange, record, error.status(), error.body(), headers);
  }
}

void RequestHandler::list_models(Exchange& exchange, AccessRecord& record,
                                 const std::string& only) {
  const nlohmann::ordered_json entry = {
      {"id", model_.name}, {"object", "model"}, {"created", started_}, {"owned_by", "paddock"}};
  if (!only.empty()) {
    if (only != model_.name) {
      throw ApiError(404, "The model '" + only + "' does not exist", "invalid_request_error",
                     "model", "model_not_found");
    }
    record.status = 200;
    exchange.send_json(200, entry);
    return;
  }
  record.status = 200;
  exchange.send_json(200, {{"object", "list"}, {"data", nlohmann::ordered_json::array({entry})}});
}

void RequestHandler::generate(Exchange& exchange, AccessRecord& record, Endpoint endpoint) {
  const std::uint64_t number = requests_++;
  ApiRequest request = endpoint == Endpoint::chat
                           ? parse_chat_request(exchange.request().body, options_.limits)
                           : parse_completion_request(exchange.request().body, options_.limits);
  record.stream = request.stream;
  record.model = request.model;
  if (request.model != model_.name) {
    throw ApiError(
        404,
        "The model '" + request.model + "' does not exist; this server has '" + model_.name + "'",
        "invalid_request_error", "model", "model_not_found");
  }
  if (endpoint == Endpoint::chat) {
    request.prompts = {model_.chat->format(request.messages)};
    for (const std::string& stop : model_.chat->extra_stop()) request.options.stop.push_back(stop);
  }
  request.options.seed =
      request.seed.value_or(derive_seed(options_.seed, "request " + std::to_string(number)));

  if (!request.logit_bias.empty() && model_.request_generator == nullptr) {
    throw ApiError(400,
                   "'logit_bias' is not supported by this server: its model backend generates "
                   "through TextGenerator only, which takes no token biases",
                   "invalid_request_error", "logit_bias", "");
  }
  if (request.top_logprobs > 0 && model_.request_generator == nullptr) {
    const bool chat = endpoint == Endpoint::chat;
    throw ApiError(400,
                   std::string("'") + (chat ? "top_logprobs" : "logprobs") +
                       "' above 0 is not supported by this server: its model backend generates "
                       "through TextGenerator only, which reports no alternative tokens",
                   "invalid_request_error", chat ? "top_logprobs" : "logprobs", "");
  }
  std::vector<GenerationRequest> requests;
  for (const std::string& prompt : request.prompts) {
    GenerationRequest generation{prompt, request.options, request.logit_bias};
    generation.top_logprobs = request.top_logprobs;
    // A chat without max_tokens may end where the model's context does, as OpenAI's does.
    generation.fit_to_context = endpoint == Endpoint::chat && request.max_tokens_defaulted;
    requests.push_back(std::move(generation));
  }
  auto job = std::make_shared<GenerationJob>(std::move(requests));
  record.choices = job->rows();

  ResponseContext context;
  context.id = std::string(endpoint == Endpoint::chat ? "chatcmpl-" : "cmpl-") +
               hex(derive_seed(options_.seed ^ static_cast<std::uint64_t>(started_),
                               std::to_string(number)));
  record.request_id = context.id;
  // As OpenAI's API does: clients such as the official SDKs expose it to match a reply with
  // the server's access log.
  const std::vector<std::pair<std::string, std::string>> id_header = {{"x-request-id", context.id}};
  context.created = unix_seconds();
  context.model = model_.name;
  context.endpoint = endpoint;
  context.logprobs = request.logprobs;
  context.top_logprobs = request.top_logprobs;
  context.samples_per_prompt = request.options.samples_per_prompt;
  for (const std::string& prompt : request.prompts)
    context.prompt_characters.push_back(character_count(prompt));
  if (const RequestGenerator* tokens = model_.request_generator) {
    context.token_bytes = [tokens](std::int64_t id) { return tokens->token_bytes(id); };
  }
  Usage usage;
  if (model_.request_generator != nullptr) {
    for (const std::string& prompt : request.prompts)
      usage.prompt_tokens += model_.request_generator->prompt_token_count(prompt);
  }
  record.prompt_tokens = usage.prompt_tokens;

  if (!scheduler_.submit(job)) {
    throw ApiError(429,
                   "The server is busy: its queue of " + std::to_string(scheduler_.queued()) +
                       " requests is full, or it is shutting down. Retry after " +
                       std::to_string(options_.retry_after_seconds) + " s.",
                   "rate_limit_error", "", "server_busy");
  }
  const auto count_completion_tokens = [](const std::vector<std::vector<SampleProgress>>& all) {
    std::int64_t tokens = 0;
    for (const auto& samples : all)
      for (const SampleProgress& sample : samples)
        tokens += static_cast<std::int64_t>(sample.token_ids.size());
    return tokens;
  };

  if (!request.stream) {
    std::vector<std::vector<SampleProgress>> results;
    std::optional<JobFailure> failure;
    while (!job->wait_for_end(kDisconnectPoll, results, failure)) {
      if (!exchange.client_connected()) {  // nobody to answer: stop generating for it
        job->cancel();
        record.queued_ms = job->queued_milliseconds();
        record.error = "the client went away";
        return;
      }
    }
    record.queued_ms = job->queued_milliseconds();
    if (failure) {
      const ApiError error(failure->status, failure->message,
                           failure->status >= 500 ? "server_error" : "invalid_request_error");
      send_error(exchange, record, error.status(), error.body(), id_header);
      return;
    }
    usage.completion_tokens = count_completion_tokens(results);
    record.completion_tokens = usage.completion_tokens;
    record.status = 200;
    exchange.send_json(200, full_response(context, results, usage), id_header);
    return;
  }

  record.status = 200;
  if (!exchange.start_events(id_header)) {
    job->cancel();
    record.error = "the client went away";
    return;
  }
  struct ChoiceState {
    std::size_t sent_length = 0, sent_tokens = 0;
    bool started = false, done = false;
  };
  std::vector<ChoiceState> states(static_cast<std::size_t>(job->rows()));
  std::vector<std::vector<SampleProgress>> snapshot;
  std::uint64_t version = 0;
  bool ended = false, connected = true;
  std::optional<JobFailure> failure;
  while (connected && !ended) {
    const std::uint64_t seen = version;
    version = job->wait_for_change(version, snapshot, ended, failure, kDisconnectPoll);
    if (failure) break;
    if (version == seen && !ended) {  // nothing new: is anyone still listening?
      connected = exchange.client_connected();
      continue;
    }
    std::size_t index = 0;
    for (const auto& samples : snapshot) {
      for (const SampleProgress& sample : samples) {
        ChoiceState& state = states[index];
        const bool final = sample.finished && !state.done;
        const std::size_t target = sample.finished
                                       ? sample.text.size()
                                       : stable_text_length(sample.text, request.options.stop);
        const std::string delta =
            target > state.sent_length
                ? sample.text.substr(state.sent_length, target - state.sent_length)
                : std::string();
        const bool new_tokens = request.logprobs && sample.token_ids.size() > state.sent_tokens;
        if (connected && !state.done && (!delta.empty() || final || new_tokens || !state.started)) {
          const auto chunk = stream_chunk(context, index, delta, sample, state.sent_tokens,
                                          !state.started, final ? sample.finish_reason : "");
          connected = exchange.send_event(
              chunk.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
          state.started = true;
          state.sent_length = std::max(state.sent_length, target);
          state.sent_tokens = sample.token_ids.size();
          state.done = sample.finished;
        }
        ++index;
      }
    }
  }
  record.queued_ms = job->queued_milliseconds();
  if (!connected) {
    job->cancel();  // its samples leave the batch at the next step
    record.error = "the client went away";
    return;
  }
  if (failure) {
    const ApiError error(failure->status, failure->message,
                         failure->status >= 500 ? "server_error" : "invalid_request_error");
    record.error = failure->message;
    exchange.send_event(
        error.body().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  } else {
    usage.completion_tokens = count_completion_tokens(snapshot);
    record.completion_tokens = usage.completion_tokens;
    if (request.include_usage) exchange.send_event(usage_chunk(context, usage).dump());
  }
  exchange.send_event("[DONE]");
  exchange.finish_events();
}

}  // namespace paddock::serve
