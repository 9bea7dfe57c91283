// Request bodies of /v1/completions and /v1/chat/completions: types, ranges, and the
// parameters this server does not implement (refused rather than silently ignored).
#include "api_request.hpp"

#include <charconv>

#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "api_error.hpp"

namespace paddock::serve {
namespace {

using nlohmann::json;

std::string type_name(const json& value) {
  if (value.is_null()) return "null";
  if (value.is_boolean()) return "a boolean";
  if (value.is_number_integer() || value.is_number_unsigned()) return "an integer";
  if (value.is_number()) return "a number";
  if (value.is_string()) return "a string";
  if (value.is_array()) return "an array";
  return "an object";
}

ApiError wrong_type(const std::string& field, const std::string& expected, const json& value) {
  return invalid_field(field, "'" + field + "' must be " + expected + ", got " + type_name(value));
}

json parse_body(const std::string& body) {
  json document = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    throw ApiError(400,
                   "the request body is not valid JSON; send a JSON object with "
                   "Content-Type: application/json");
  }
  if (!document.is_object()) {
    throw ApiError(400, "the request body must be a JSON object, got " + type_name(document));
  }
  return document;
}

// The field's value, or nullptr when absent or null (OpenAI treats null as absent).
const json* field(const json& document, const char* name) {
  const auto found = document.find(name);
  if (found == document.end() || found->is_null()) return nullptr;
  return &*found;
}

double number_in(const json& document, const char* name, double fallback, double minimum,
                 double maximum) {
  const json* value = field(document, name);
  if (value == nullptr) return fallback;
  if (!value->is_number()) throw wrong_type(name, "a number", *value);
  const double number = value->get<double>();
  if (!std::isfinite(number) || number < minimum || number > maximum) {
    throw invalid_field(name, "'" + std::string(name) + "' must be between " +
                                  json(minimum).dump() + " and " + json(maximum).dump() + ", got " +
                                  value->dump());
  }
  return number;
}

std::optional<std::int64_t> integer_in(const json& document, const char* name, std::int64_t minimum,
                                       std::int64_t maximum) {
  const json* value = field(document, name);
  if (value == nullptr) return std::nullopt;
  // 16.0 is accepted as 16, as Python clients may send it.
  const bool integral_float = value->is_number_float() &&
                              std::floor(value->get<double>()) == value->get<double>() &&
                              std::abs(value->get<double>()) < 9e15;
  if (!value->is_number_integer() && !value->is_number_unsigned() && !integral_float)
    throw wrong_type(name, "an integer", *value);
  if (value->is_number_unsigned() &&
      value->get<std::uint64_t>() > static_cast<std::uint64_t>(maximum)) {
    throw invalid_field(name, "'" + std::string(name) + "' must be at most " +
                                  std::to_string(maximum) + ", got " + value->dump());
  }
  const std::int64_t number =
      integral_float ? static_cast<std::int64_t>(value->get<double>()) : value->get<std::int64_t>();
  if (number < minimum || number > maximum) {
    throw invalid_field(name, "'" + std::string(name) + "' must be between " +
                                  std::to_string(minimum) + " and " + std::to_string(maximum) +
                                  ", got " + value->dump());
  }
  return number;
}

bool boolean(const json& document, const char* name) {
  const json* value = field(document, name);
  if (value == nullptr) return false;
  if (!value->is_boolean()) throw wrong_type(name, "a boolean", *value);
  return value->get<bool>();
}

// Parameters OpenAI defines that this server does not implement: refused when they would
// change the result, so a client never gets an answer it did not ask for.
void refuse_unsupported(const json& document) {
  const auto refuse = [](const char* name, const std::string& why) {
    throw invalid_field(name,
                        "'" + std::string(name) + "' is not supported by this server: " + why);
  };
  for (const char* name : {"presence_penalty", "frequency_penalty"}) {
    const json* value = field(document, name);
    if (value != nullptr && (!value->is_number() || value->get<double>() != 0.0))
      refuse(name, "generation has no repetition penalties; leave it out or set 0");
  }
  for (const char* name : {"tools", "functions", "tool_choice", "function_call"}) {
    if (field(document, name) != nullptr) refuse(name, "tool calling is not implemented");
  }
  if (const json* value = field(document, "response_format"); value != nullptr) {
    if (!value->is_object() || value->value("type", "") != "text")
      refuse("response_format", "only {\"type\": \"text\"} is implemented");
  }
}

// OpenAI's logit_bias: {"token id": bias in [-100, 100], ...}, the ids written as strings.
std::vector<std::pair<std::int64_t, float>> read_logit_bias(const json& bias) {
  if (!bias.is_object()) throw wrong_type("logit_bias", "an object of token ids to numbers", bias);
  constexpr std::size_t kMostEntries = 1024;
  if (bias.size() > kMostEntries) {
    throw invalid_field("logit_bias",
                        "'logit_bias' takes at most " + std::to_string(kMostEntries) + " tokens");
  }
  std::vector<std::pair<std::int64_t, float>> entries;
  for (const auto& [key, value] : bias.items()) {
    std::int64_t token = -1;
    const auto [end, error] = std::from_chars(key.data(), key.data() + key.size(), token);
    if (error != std::errc() || end != key.data() + key.size() || token < 0) {
      throw invalid_field("logit_bias",
                          "'logit_bias' keys must be token ids (non-negative "
                          "integers written as strings), got '" +
                              key + "'");
    }
    if (!value.is_number()) {
      throw wrong_type("logit_bias", "an object of token ids to numbers", value);
    }
    const double number = value.get<double>();
    if (!(number >= -100.0 && number <= 100.0)) {
      throw invalid_field("logit_bias", "'logit_bias' values must be between -100 and 100, got " +
                                            value.dump() + " for token " + key);
    }
    entries.emplace_back(token, static_cast<float>(number));
  }
  return entries;
}

void read_common(const json& document, const RequestLimits& limits, ApiRequest& request,
                 std::int64_t default_max_tokens) {
  const json* model = field(document, "model");
  if (model == nullptr)
    throw invalid_field("model", "'model' is required: name the model to use (GET /v1/models)");
  if (!model->is_string()) throw wrong_type("model", "a string", *model);
  request.model = model->get<std::string>();

  refuse_unsupported(document);
  GenerationOptions& options = request.options;
  options.temperature = number_in(document, "temperature", 1.0, 0.0, 2.0);
  options.top_p = number_in(document, "top_p", 1.0, 0.0, 1.0);
  if (options.top_p <= 0.0) throw invalid_field("top_p", "'top_p' must be greater than 0");
  // top_k is not OpenAI's, but vLLM's and llama.cpp's servers take it; -1 means no cut.
  options.top_k = std::max<std::int64_t>(
      0, integer_in(document, "top_k", -1, std::numeric_limits<std::int32_t>::max()).value_or(0));
  const char* max_tokens_name =
      field(document, "max_completion_tokens") != nullptr ? "max_completion_tokens" : "max_tokens";
  options.max_new_tokens =
      integer_in(document, max_tokens_name, 1, limits.max_tokens).value_or(default_max_tokens);
  options.samples_per_prompt = integer_in(document, "n", 1, limits.max_samples).value_or(1);
  if (const auto best_of = integer_in(document, "best_of", 1, limits.max_samples);
      best_of && *best_of != options.samples_per_prompt) {
    throw invalid_field("best_of", "'best_of' other than n is not supported by this server");
  }
  if (const auto seed = integer_in(document, "seed", std::numeric_limits<std::int64_t>::min(),
                                   std::numeric_limits<std::int64_t>::max())) {
    request.seed = static_cast<std::uint64_t>(*seed);
  }

  if (const json* stop = field(document, "stop")) {
    if (stop->is_string()) {
      options.stop = {stop->get<std::string>()};
    } else if (stop->is_array()) {
      if (stop->size() > 4) throw invalid_field("stop", "'stop' takes at most 4 sequences");
      for (const json& sequence : *stop) {
        if (!sequence.is_string())
          throw wrong_type("stop", "a string or an array of strings", *stop);
        options.stop.push_back(sequence.get<std::string>());
      }
    } else {
      throw wrong_type("stop", "a string or an array of strings", *stop);
    }
    for (const std::string& sequence : options.stop) {
      if (sequence.empty()) throw invalid_field("stop", "'stop' sequences must not be empty");
    }
  }

  if (const json* bias = field(document, "logit_bias"); bias != nullptr && !bias->is_null()) {
    request.logit_bias = read_logit_bias(*bias);
  }

  request.stream = boolean(document, "stream");
  if (const json* stream_options = field(document, "stream_options")) {
    if (!stream_options->is_object())
      throw wrong_type("stream_options", "an object", *stream_options);
    if (!request.stream)
      throw invalid_field("stream_options", "'stream_options' is only allowed with stream = true");
    request.include_usage = boolean(*stream_options, "include_usage");
  }
}

std::string message_content(const json& message, std::size_t index) {
  const std::string where = "messages[" + std::to_string(index) + "].content";
  // Missing or null content is refused, not read as "": only an assistant message with tool
  // calls may lack it, and tool calls are not served.
  const json* content = field(message, "content");
  if (content == nullptr) {
    throw invalid_field(where, "'" + where + "' is required: a string or an array of text parts");
  }
  if (content->is_string()) return content->get<std::string>();
  if (!content->is_array()) throw wrong_type(where, "a string or an array of text parts", *content);
  std::string text;
  for (const json& part : *content) {
    if (!part.is_object() || part.value("type", "") != "text" || !part.contains("text") ||
        !part["text"].is_string()) {
      throw invalid_field(where, "'" + where +
                                     "' parts must be {\"type\": \"text\", \"text\": ...}; "
                                     "images and audio are not supported");
    }
    text += part["text"].get<std::string>();
  }
  return text;
}

}  // namespace

ApiRequest parse_completion_request(const std::string& body, const RequestLimits& limits) {
  const json document = parse_body(body);
  ApiRequest request;
  request.endpoint = Endpoint::completions;
  read_common(document, limits, request,
              /*default_max_tokens=*/std::min<std::int64_t>(16, limits.max_tokens));

  const json* prompt = field(document, "prompt");
  if (prompt == nullptr) throw invalid_field("prompt", "'prompt' is required");
  if (prompt->is_string()) {
    request.prompts = {prompt->get<std::string>()};
  } else if (prompt->is_array()) {
    if (prompt->empty()) throw invalid_field("prompt", "'prompt' must not be an empty array");
    if (static_cast<std::int64_t>(prompt->size()) > limits.max_prompts) {
      throw invalid_field("prompt", "'prompt' holds " + std::to_string(prompt->size()) +
                                        " prompts; this server takes at most " +
                                        std::to_string(limits.max_prompts) + " per request");
    }
    for (const json& item : *prompt) {
      if (!item.is_string()) {
        throw invalid_field("prompt",
                            "'prompt' must be a string or an array of strings; "
                            "token-id prompts are not supported by this server");
      }
      request.prompts.push_back(item.get<std::string>());
    }
  } else {
    throw wrong_type("prompt", "a string or an array of strings", *prompt);
  }
  if (boolean(document, "echo"))
    throw invalid_field("echo", "'echo' is not supported by this server");
  if (const json* suffix = field(document, "suffix"); suffix != nullptr)
    throw invalid_field("suffix", "'suffix' (insertion) is not supported by this server");
  // logprobs: an integer, how many of the likeliest tokens to list at each position (the
  // sampled token's log-probability is always given); at most 5, as OpenAI's limit.
  if (const auto logprobs = integer_in(document, "logprobs", 0, 5)) {
    request.logprobs = true;
    request.top_logprobs = *logprobs;
  }
  return request;
}

ApiRequest parse_chat_request(const std::string& body, const RequestLimits& limits) {
  const json document = parse_body(body);
  ApiRequest request;
  request.endpoint = Endpoint::chat;
  read_common(document, limits, request, limits.default_chat_max_tokens);

  const json* messages = field(document, "messages");
  if (messages == nullptr) throw invalid_field("messages", "'messages' is required");
  if (!messages->is_array()) throw wrong_type("messages", "an array", *messages);
  if (messages->empty()) throw invalid_field("messages", "'messages' must not be empty");
  for (std::size_t index = 0; index < messages->size(); ++index) {
    const json& message = (*messages)[index];
    const std::string where = "messages[" + std::to_string(index) + "]";
    if (!message.is_object()) throw wrong_type(where, "an object", message);
    const json* role = field(message, "role");
    if (role == nullptr || !role->is_string())
      throw invalid_field(where + ".role", "'" + where + ".role' must be a string");
    std::string name = role->get<std::string>();
    if (name == "developer") name = "system";
    if (name != "system" && name != "user" && name != "assistant") {
      throw invalid_field(where + ".role", "'" + where +
                                               ".role' must be 'system', 'developer', "
                                               "'user' or 'assistant', got '" +
                                               name + "'");
    }
    request.messages.push_back({name, message_content(message, index)});
  }
  if (boolean(document, "logprobs")) request.logprobs = true;
  if (const auto top = integer_in(document, "top_logprobs", 0, 20)) {
    if (!request.logprobs) {
      throw invalid_field("top_logprobs",
                          "'top_logprobs' needs 'logprobs': true (the alternatives come with "
                          "the sampled tokens' log-probabilities)");
    }
    request.top_logprobs = *top;
  }
  request.max_tokens_defaulted = field(document, "max_tokens") == nullptr &&
                                 field(document, "max_completion_tokens") == nullptr;
  return request;
}

}  // namespace paddock::serve
