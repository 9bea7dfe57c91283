// Chat templates: TOML files of per-role formats, the built-in ChatML, Jinja templates
// (tokenizer_config.json's chat_template or a .jinja file), and the default of the model's
// own instruction template.
#include "chat_template.hpp"

#include <algorithm>

#include <toml++/toml.h>

#include "api_error.hpp"
#include "jinja_template.hpp"
#include "jinja_text.hpp"
#include "paddock/core/files.hpp"
#include "paddock/error.hpp"

namespace paddock::serve {
namespace {

// The special tokens Hugging Face hands a chat template (its special_tokens_map).
constexpr const char* kSpecialTokenNames[] = {"bos_token", "eos_token", "unk_token", "sep_token",
                                              "pad_token", "cls_token", "mask_token"};

// A token field of tokenizer_config.json: a string or an AddedToken object {"content": ...}.
std::optional<std::string> token_text(const nlohmann::ordered_json& field,
                                      const std::string& where) {
  if (field.is_null()) return std::nullopt;
  if (field.is_string()) return field.get<std::string>();
  if (field.is_object() && field.contains("content") && field["content"].is_string())
    return field["content"].get<std::string>();
  throw Error(where + ": must be a string, {\"content\": ...} or null");
}

nlohmann::ordered_json read_tokenizer_config(const std::filesystem::path& file) {
  nlohmann::ordered_json config;
  try {
    config = nlohmann::ordered_json::parse(core::read_file(file));
  } catch (const nlohmann::json::exception& error) {
    throw Error(file.string() + ": not valid JSON: " + error.what());
  }
  if (!config.is_object()) throw Error(file.string() + ": must be a JSON object");
  return config;
}

nlohmann::ordered_json special_tokens_of(const nlohmann::ordered_json& config,
                                         const std::filesystem::path& file) {
  nlohmann::ordered_json tokens = nlohmann::ordered_json::object();
  for (const char* name : kSpecialTokenNames) {
    const auto found = config.find(name);
    if (found == config.end()) continue;
    if (auto text = token_text(*found, file.string() + ": " + name)) tokens[name] = *text;
  }
  const auto additional = config.find("additional_special_tokens");
  if (additional != config.end() && !additional->is_null()) {
    if (!additional->is_array())
      throw Error(file.string() + ": additional_special_tokens: must be a list");
    nlohmann::ordered_json texts = nlohmann::ordered_json::array();
    for (std::size_t index = 0; index < additional->size(); ++index) {
      const std::string where =
          file.string() + ": additional_special_tokens[" + std::to_string(index) + "]";
      if (auto text = token_text((*additional)[index], where)) texts.push_back(*text);
    }
    tokens["additional_special_tokens"] = texts;
  }
  return tokens;
}

jinja::Variables template_variables(const std::vector<ChatMessage>& messages,
                                    const nlohmann::ordered_json& special_tokens,
                                    bool add_generation_prompt) {
  jinja::Variables variables;
  for (const auto& [name, value] : special_tokens.items())
    variables.emplace_back(name, jinja::Value::from_json(value));
  jinja::ValueList list;
  for (const ChatMessage& message : messages) {
    jinja::ValueDict entry;
    entry.entries.emplace_back("role", message.role);
    entry.entries.emplace_back("content", message.content);
    list.emplace_back(std::move(entry));
  }
  variables.emplace_back("messages", std::move(list));
  variables.emplace_back("add_generation_prompt", add_generation_prompt);
  variables.emplace_back("tools", nullptr);
  variables.emplace_back("documents", nullptr);
  return variables;
}

// The text a template puts after an assistant turn (e.g. "<|im_end|>"), found by rendering
// a probe conversation; empty when the template puts none or rejects the probe.
std::string end_of_turn_text(const jinja::Template& program,
                             const nlohmann::ordered_json& special_tokens) {
  static const std::string marker = "PADDOCK-PROBE-5f1c";
  try {
    const std::string text = program.render(template_variables(
        {{"user", "Hi"}, {"assistant", marker}}, special_tokens, /*add_generation_prompt=*/false));
    const std::size_t at = text.rfind(marker);
    if (at == std::string::npos) return "";
    return jinja::python_strip(text.substr(at + marker.size()), std::nullopt, true, true);
  } catch (const std::exception&) {
    return "";
  }
}

std::string fill(const std::string& format, const std::string& content) {
  std::string text;
  std::size_t start = 0;
  for (std::size_t at; (at = format.find("{content}", start)) != std::string::npos;) {
    text.append(format, start, at - start).append(content);
    start = at + 9;
  }
  return text.append(format, start);
}

}  // namespace

ChatTemplate ChatTemplate::from_jinja(const std::string& source, const std::string& origin,
                                      nlohmann::ordered_json special_tokens) {
  ChatTemplate chat;
  chat.name = origin;
  try {
    chat.jinja_template = std::make_shared<const jinja::Template>(source);
  } catch (const jinja::JinjaError& error) {
    throw Error(origin + ": " + error.what());
  }
  chat.special_tokens = std::move(special_tokens);
  if (chat.special_tokens.contains("eos_token"))
    chat.stop.push_back(chat.special_tokens["eos_token"].get<std::string>());
  const std::string end_of_turn = end_of_turn_text(*chat.jinja_template, chat.special_tokens);
  if (!end_of_turn.empty() &&
      std::find(chat.stop.begin(), chat.stop.end(), end_of_turn) == chat.stop.end())
    chat.stop.push_back(end_of_turn);
  chat.stop.erase(std::remove(chat.stop.begin(), chat.stop.end(), std::string()), chat.stop.end());
  return chat;
}

std::optional<ChatTemplate> ChatTemplate::from_tokenizer_config(
    const std::filesystem::path& model_directory) {
  const std::filesystem::path file = model_directory / "tokenizer_config.json";
  if (!std::filesystem::exists(file)) return std::nullopt;
  const nlohmann::ordered_json config = read_tokenizer_config(file);
  const auto field = config.find("chat_template");
  if (field == config.end() || field->is_null()) return std::nullopt;
  const std::string where = file.string() + ": chat_template";
  std::string source;
  if (field->is_string()) {
    source = field->get<std::string>();
  } else if (field->is_array()) {
    std::string names;
    bool found = false;
    for (std::size_t index = 0; index < field->size() && !found; ++index) {
      const auto& entry = (*field)[index];
      if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string() ||
          !entry.contains("template") || !entry["template"].is_string()) {
        throw Error(where + "[" + std::to_string(index) +
                    "]: must be {\"name\": \"...\", \"template\": \"...\"}");
      }
      const std::string name = entry["name"].get<std::string>();
      if (name == "default") {
        source = entry["template"].get<std::string>();
        found = true;
      }
      names += (names.empty() ? "'" : ", '") + name + "'";
    }
    if (!found) {
      throw Error(where + ": a list of named templates without one named 'default' (it has " +
                  (names.empty() ? std::string("none") : names) +
                  "); pass one with --chat-template FILE.jinja");
    }
  } else {
    throw Error(where + ": must be a string or a list of {\"name\", \"template\"} objects");
  }
  ChatTemplate chat = from_jinja(source, where, special_tokens_of(config, file));
  chat.name = "the chat_template of " + file.string();
  return chat;
}

std::optional<ChatTemplate> ChatTemplate::select(const std::string& option,
                                                 const std::filesystem::path& model_directory) {
  if (!option.empty()) return load(option, model_directory);
  return from_tokenizer_config(model_directory);
}

ChatTemplate ChatTemplate::load(const std::string& file_or_name,
                                const std::filesystem::path& model_directory) {
  const std::filesystem::path path(file_or_name);
  if (path.extension() == ".jinja") {
    if (!std::filesystem::is_regular_file(path))
      throw Error(file_or_name +
                  ": no such file (a chat template ending in .jinja is read as Jinja)");
    nlohmann::ordered_json special_tokens = nlohmann::ordered_json::object();
    const std::filesystem::path config = model_directory / "tokenizer_config.json";
    if (!model_directory.empty() && std::filesystem::exists(config))
      special_tokens = special_tokens_of(read_tokenizer_config(config), config);
    ChatTemplate chat = from_jinja(core::read_file(path), file_or_name, std::move(special_tokens));
    chat.name = path.stem().string();
    return chat;
  }
  if (file_or_name == "chatml") {
    return {"chatml",
            "",
            "<|im_start|>system\n{content}<|im_end|>\n",
            "<|im_start|>user\n{content}<|im_end|>\n",
            "<|im_start|>assistant\n{content}<|im_end|>\n",
            "<|im_start|>assistant\n",
            {"<|im_end|>"}};
  }
  toml::table table;
  try {
    table = toml::parse_file(file_or_name);
  } catch (const toml::parse_error& error) {
    throw Error(file_or_name + ":" + std::to_string(error.source().begin.line) + ": " +
                std::string(error.description()) +
                " (a chat template is a TOML file, or the built-in name 'chatml')");
  }
  ChatTemplate chat;
  chat.name = std::filesystem::path(file_or_name).stem().string();
  for (const auto& [key, value] : table) {
    const std::string name(key.str());
    std::string* target = name == "prefix"              ? &chat.prefix
                          : name == "system"            ? &chat.system
                          : name == "user"              ? &chat.user
                          : name == "assistant"         ? &chat.assistant
                          : name == "generation_prompt" ? &chat.generation_prompt
                                                        : nullptr;
    if (target != nullptr) {
      if (!value.is_string()) throw Error(file_or_name + ": '" + name + "' must be a string");
      *target = value.as_string()->get();
    } else if (name == "stop") {
      const toml::array* stops = value.as_array();
      if (stops == nullptr) throw Error(file_or_name + ": 'stop' must be an array of strings");
      for (const auto& stop : *stops) {
        if (!stop.is_string() || stop.as_string()->get().empty())
          throw Error(file_or_name + ": 'stop' must hold non-empty strings");
        chat.stop.push_back(stop.as_string()->get());
      }
    } else {
      throw Error(file_or_name + ": unknown key '" + name +
                  "' (expected prefix, system, user, assistant, generation_prompt, stop)");
    }
  }
  for (const auto* format : {&chat.user, &chat.assistant}) {
    if (format->find("{content}") == std::string::npos)
      throw Error(file_or_name + ": 'user' and 'assistant' must contain {content}");
  }
  if (chat.system.empty()) chat.system = chat.user;  // a model without a system role
  return chat;
}

std::string ChatTemplate::render(const std::vector<ChatMessage>& messages) const {
  if (jinja_template) {
    std::string text;
    try {
      text = jinja_template->render(
          template_variables(messages, special_tokens, /*add_generation_prompt=*/true));
    } catch (const jinja::JinjaError& error) {
      if (error.kind() == jinja::JinjaError::Kind::raised) {
        throw ApiError(400, "the chat template rejected the conversation: " + error.message(),
                       "invalid_request_error", "messages");
      }
      throw ApiError(400, "the chat template failed at " + std::string(error.what()),
                     "invalid_request_error", "messages");
    }
    if (drop_leading_bos && special_tokens.contains("bos_token")) {
      const std::string bos = special_tokens["bos_token"].get<std::string>();
      if (!bos.empty() && text.compare(0, bos.size(), bos) == 0) text.erase(0, bos.size());
    }
    return text;
  }
  std::string text = prefix;
  for (const ChatMessage& message : messages) {
    const std::string& format = message.role == "system"      ? system
                                : message.role == "assistant" ? assistant
                                                              : user;
    text += fill(format, message.content);
  }
  return text + generation_prompt;
}

std::string ChatFormatter::format(const std::vector<ChatMessage>& messages) const {
  if (template_) return template_->render(messages);
  std::string instruction;
  bool seen_user = false;
  for (std::size_t index = 0; index < messages.size(); ++index) {
    const ChatMessage& message = messages[index];
    if (message.role == "assistant" || (message.role == "user" && seen_user)) {
      throw ApiError(400,
                     "this server formats chats with the model's instruction template, which "
                     "holds one user turn; start it with --chat-template for conversations",
                     "invalid_request_error", "messages[" + std::to_string(index) + "]");
    }
    if (message.role == "user") {
      if (index + 1 != messages.size()) {
        throw ApiError(400, "the user message must be the last one under the instruction template",
                       "invalid_request_error", "messages[" + std::to_string(index) + "]");
      }
      seen_user = true;
    }
    if (!instruction.empty()) instruction += "\n\n";
    instruction += message.content;
  }
  if (!seen_user) {
    throw ApiError(400, "the conversation has no user message", "invalid_request_error",
                   "messages");
  }
  return generator_.format_prompt({instruction, ""});
}

const std::vector<std::string>& ChatFormatter::extra_stop() const {
  static const std::vector<std::string> none;
  return template_ ? template_->stop : none;
}

std::string ChatFormatter::description() const {
  if (!template_) return "the model's instruction template";
  if (template_->jinja_template) return "Jinja chat template " + template_->name;
  return "chat template '" + template_->name + "'";
}

}  // namespace paddock::serve
