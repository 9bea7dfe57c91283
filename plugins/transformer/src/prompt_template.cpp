// Filling and persisting the instruction prompt template.
#include "paddock/transformer/prompt_template.hpp"

#include <nlohmann/json.hpp>

#include "paddock/core/files.hpp"
#include "paddock/error.hpp"
#include "paddock/transformer/text_replace.hpp"

namespace paddock::transformer {
namespace {

constexpr const char* kFileName = "paddock_prompt.json";

}  // namespace

std::string PromptTemplate::format(const InstructionPrompt& prompt) const {
  // Fill {input} first so an instruction that happens to contain "{input}" stays as written.
  std::string text = prompt.input.empty() ? without_input : with_input;
  replace_all(text, "{input}", prompt.input);
  replace_all(text, "{instruction}", prompt.instruction);
  return text;
}

PromptTemplate read_prompt_template(const std::filesystem::path& directory) {
  PromptTemplate prompt_template;
  const auto file = directory / kFileName;
  if (!std::filesystem::exists(file)) return prompt_template;
  try {
    const auto json = nlohmann::json::parse(core::read_file(file));
    prompt_template.with_input = json.at("with_input").get<std::string>();
    prompt_template.without_input = json.at("without_input").get<std::string>();
  } catch (const nlohmann::json::exception& error) {
    throw Error(file.string() +
                ": expected {\"with_input\": str, \"without_input\": str}: " + error.what());
  }
  return prompt_template;
}

void write_prompt_template(const PromptTemplate& prompt_template,
                           const std::filesystem::path& directory) {
  const nlohmann::json json = {{"with_input", prompt_template.with_input},
                               {"without_input", prompt_template.without_input}};
  core::write_file_atomically(directory / kFileName, json.dump(2) + "\n");
}

}  // namespace paddock::transformer
