// Turning a chat conversation into the prompt text a model continues.
//
// Without a template, a single-turn conversation becomes the model's own instruction prompt
// (TextGenerator::format_prompt): the system messages and the user message, joined by blank
// lines, are the instruction. That is how Paddock's policies were trained, and it is what
// the api_llm judge's completions mode sends too. Conversations with assistant turns need a
// template: a TOML file of per-role formats, or a built-in one ("chatml").
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "api_request.hpp"
#include "paddock/capabilities.hpp"

namespace paddock::serve {

// Each format holds {content} where the message text goes:
//   prefix = "..."             once, before the first message (e.g. a BOS token's text)
//   system = "<|im_start|>system\n{content}<|im_end|>\n"
//   user = "..."  assistant = "..."
//   generation_prompt = "<|im_start|>assistant\n"   what the model continues from
//   stop = ["<|im_end|>"]      added to every request's stop strings
struct ChatTemplate {
  std::string name;
  std::string prefix;
  std::string system;
  std::string user;
  std::string assistant;
  std::string generation_prompt;
  std::vector<std::string> stop;

  // A TOML file with the keys above, or a built-in name ("chatml").
  static ChatTemplate load(const std::string& file_or_name);
  std::string render(const std::vector<ChatMessage>& messages) const;
};

class ChatFormatter {
 public:
  ChatFormatter(const TextGenerator& generator, std::optional<ChatTemplate> chat_template)
      : generator_(generator), template_(std::move(chat_template)) {}

  // The prompt for a conversation; ApiError (400) when it cannot be formatted.
  std::string format(const std::vector<ChatMessage>& messages) const;
  // Stop strings the template adds to every chat request.
  const std::vector<std::string>& extra_stop() const;
  std::string description() const;

 private:
  const TextGenerator& generator_;
  std::optional<ChatTemplate> template_;
};

}  // namespace paddock::serve
