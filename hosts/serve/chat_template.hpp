// Turning a chat conversation into the prompt text a model continues.
//
// Without a template, a single-turn conversation becomes the model's own instruction prompt
// (TextGenerator::format_prompt): the system messages and the user message, joined by blank
// lines, are the instruction. That is how Paddock's policies were trained, and it is what
// the api_llm judge's completions mode sends too. Conversations with assistant turns need a
// template: a TOML file of per-role formats, a built-in one ("chatml"), or a Jinja template
// as Hugging Face checkpoints carry in tokenizer_config.json (or a .jinja file).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_request.hpp"
#include "paddock/capabilities.hpp"

namespace paddock::serve {

namespace jinja {
class Template;
}

// Each format holds {content} where the message text goes:
//   prefix = "..."             once, before the first message (e.g. a BOS token's text)
//   system = "<|im_start|>system\n{content}<|im_end|>\n"
//   user = "..."  assistant = "..."
//   generation_prompt = "<|im_start|>assistant\n"   what the model continues from
//   stop = ["<|im_end|>"]      added to every request's stop strings
// A Jinja template replaces the per-role formats: it is rendered with `messages`,
// `add_generation_prompt` (true), the special tokens of tokenizer_config.json (`bos_token`,
// `eos_token`, ...), `tools` and `documents` (none), as Hugging Face's apply_chat_template
// renders it. Its stop strings are the eos token's text and the text the template puts
// after an assistant turn (found by rendering a probe conversation).
struct ChatTemplate {
  std::string name;
  std::string prefix;
  std::string system;
  std::string user;
  std::string assistant;
  std::string generation_prompt;
  std::vector<std::string> stop;

  std::shared_ptr<const jinja::Template> jinja_template;
  nlohmann::ordered_json special_tokens = nlohmann::ordered_json::object();  // name -> text
  // Set when the backend starts every sequence with BOS itself: a rendered prompt that
  // begins with bos_token's text loses it, so the model sees one BOS, as with Hugging Face.
  bool drop_leading_bos = false;

  // A TOML file with the keys above, a file ending in ".jinja", or a built-in name
  // ("chatml"). A .jinja template takes its special tokens from
  // MODEL_DIRECTORY/tokenizer_config.json when there is one.
  static ChatTemplate load(const std::string& file_or_name,
                           const std::filesystem::path& model_directory = {});
  // The chat_template of MODEL_DIRECTORY/tokenizer_config.json (a string, or the entry named
  // "default" of a list of {name, template}); nullopt when it has none. Throws
  // paddock::Error naming the file, and the line and column for a template that does not
  // parse.
  static std::optional<ChatTemplate> from_tokenizer_config(
      const std::filesystem::path& model_directory);
  // `option` (--chat-template) when given, else the tokenizer's template, else nullopt
  // (the model's instruction template).
  static std::optional<ChatTemplate> select(const std::string& option,
                                            const std::filesystem::path& model_directory);
  // A Jinja template from its text; `origin` names it in errors.
  static ChatTemplate from_jinja(const std::string& source, const std::string& origin,
                                 nlohmann::ordered_json special_tokens);

  // ApiError (400) when a Jinja template rejects the conversation or fails.
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
