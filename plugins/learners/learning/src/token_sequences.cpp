// Building and length-limiting training sequences.
#include "paddock/learning/token_sequences.hpp"

#include "paddock/error.hpp"

namespace paddock::learning {
namespace {

void append(std::vector<std::int64_t>& ids, const std::vector<std::int64_t>& more) {
  ids.insert(ids.end(), more.begin(), more.end());
}

}  // namespace

Truncation parse_truncation(const std::string& name) {
  if (name == "cut") return Truncation::cut;
  if (name == "drop") return Truncation::drop;
  throw Error("truncation must be \"cut\" or \"drop\", not \"" + name + "\"");
}

std::optional<TokenSequence> limit_length(TokenSequence sequence, std::int64_t max_length,
                                          Truncation truncation, bool& was_cut) {
  was_cut = false;
  const auto length = static_cast<std::int64_t>(sequence.ids.size());
  if (length <= max_length) return sequence;
  // A sequence whose prompt fills the limit has nothing left to learn from.
  if (truncation == Truncation::drop || sequence.prompt_length >= max_length) return std::nullopt;
  sequence.ids.resize(static_cast<std::size_t>(max_length));
  was_cut = true;
  return sequence;
}

TokenSequence instruction_sequence(const LanguageModel& model, const InstructionPrompt& prompt,
                                   const std::string& response, bool append_eos) {
  TokenSequence sequence;
  sequence.ids = model.tensors->sequence_prefix();
  append(sequence.ids, model.tensors->tokenize(model.generator->format_prompt(prompt)));
  sequence.prompt_length = static_cast<std::int64_t>(sequence.ids.size());
  append(sequence.ids, model.tensors->tokenize(response));
  if (append_eos) sequence.ids.push_back(model.tensors->eos_token_id());
  return sequence;
}

TokenSequence text_sequence(const LanguageModel& model, const std::string& text) {
  TokenSequence sequence;
  sequence.ids = model.tensors->sequence_prefix();
  sequence.prompt_length = static_cast<std::int64_t>(sequence.ids.size());
  append(sequence.ids, model.tensors->tokenize(text));
  sequence.ids.push_back(model.tensors->eos_token_id());
  return sequence;
}

}  // namespace paddock::learning
