// The instruction prompt template: one variant for instructions with an input, one without,
// each ending where the response begins. `{instruction}` and `{input}` are replaced.
#pragma once

#include <filesystem>
#include <string>

#include "paddock/capabilities.hpp"

namespace paddock::transformer {

struct PromptTemplate {
  std::string with_input =
      "Below is a task, followed by the material it refers to. Write a reply that carries out "
      "the task.\n\n### Task:\n{instruction}\n\n### Material:\n{input}\n\n### Response:\n";
  std::string without_input =
      "Below is a task. Write a reply that carries out the task.\n\n### Task:\n{instruction}\n\n"
      "### Response:\n";

  std::string format(const InstructionPrompt& prompt) const;
};

// Stored beside a checkpoint as paddock_prompt.json; a checkpoint without one gets the
// default template.
PromptTemplate read_prompt_template(const std::filesystem::path& directory);
void write_prompt_template(const PromptTemplate& prompt_template,
                           const std::filesystem::path& directory);

}  // namespace paddock::transformer
