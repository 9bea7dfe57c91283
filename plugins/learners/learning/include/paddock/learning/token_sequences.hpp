// Token sequences for training: an Alpaca record becomes sequence_prefix + prompt + response
// (+ EOS), with the prompt tokens marked so they are left out of the loss; raw text becomes
// a plain language-modelling sequence. Sequences over the length limit are cut or dropped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "paddock/learning/model_access.hpp"

namespace paddock::learning {

struct TokenSequence {
  std::vector<std::int64_t> ids;
  // ids[0, prompt_length) are context only; the loss (and a continuation's log-probability)
  // covers ids[prompt_length, size).
  std::int64_t prompt_length = 0;
};

enum class Truncation {
  cut,   // keep the first max_length tokens (the EOS may be lost)
  drop,  // leave the sequence out
};

// Applies the length limit: nullopt when the sequence is dropped, because of `drop` or
// because nothing of the response would remain. `was_cut` is set when tokens were removed.
std::optional<TokenSequence> limit_length(TokenSequence sequence, std::int64_t max_length,
                                          Truncation truncation, bool& was_cut);

// sequence_prefix + tokenize(format_prompt(prompt)) + tokenize(response) [+ EOS].
TokenSequence instruction_sequence(const LanguageModel& model, const InstructionPrompt& prompt,
                                   const std::string& response, bool append_eos);
// sequence_prefix + tokenize(text) + EOS, every token after the prefix a target.
TokenSequence text_sequence(const LanguageModel& model, const std::string& text);

// Concatenates `sequences` in order into rows of exactly `row_length` tokens (the last row
// may be shorter), every token a target: standard packing for language-model training, so
// no compute goes to padding. Documents are separated by the EOS each one ends with, and
// attention crosses those boundaries, as in GPT-style pretraining. row_length must be >= 2.
std::vector<TokenSequence> pack_sequences(const std::vector<TokenSequence>& sequences,
                                          std::int64_t row_length);

// What tokenising a dataset did, for the log and the report.
struct TruncationCounts {
  std::size_t kept = 0;
  std::size_t cut = 0;
  std::size_t dropped = 0;
};

}  // namespace paddock::learning
