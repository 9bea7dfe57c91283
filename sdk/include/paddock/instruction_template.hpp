// The InstructionTemplateEditor capability: reading and replacing a model's prompt template,
// which the model saves with itself. Found with model->as<paddock::InstructionTemplateEditor>().
#pragma once

#include <string>

#include "paddock/export.hpp"

namespace paddock {

// The two variants of an instruction prompt template; format_prompt fills the
// `{instruction}` and `{input}` placeholders.
struct InstructionTemplate {
  std::string with_input;
  std::string without_input;
};

// A learner that changes how its model must be prompted (Quark puts a reward token before
// every prompt) records that here, so every later user of the model, a `generate` node or an
// evaluation, prompts it the same way without knowing why.
class PADDOCK_API InstructionTemplateEditor {
 public:
  virtual ~InstructionTemplateEditor();
  virtual InstructionTemplate instruction_template() const = 0;
  virtual void set_instruction_template(const InstructionTemplate& replacement) = 0;
};

}  // namespace paddock
