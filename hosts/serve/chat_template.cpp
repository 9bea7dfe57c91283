// Chat templates: TOML files of per-role formats, the built-in ChatML, and the default of
// the model's own instruction template.
#include "chat_template.hpp"

#include <toml++/toml.h>

#include "api_error.hpp"
#include "paddock/error.hpp"

namespace paddock::serve {
namespace {

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

ChatTemplate ChatTemplate::load(const std::string& file_or_name) {
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
  return template_ ? "chat template '" + template_->name + "'" : "the model's instruction template";
}

}  // namespace paddock::serve
