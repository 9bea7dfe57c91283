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

// One document of a row that packs several (pack_documents).
struct PackedDocument {
  std::int64_t start = 0;          // its first index in the row
  std::int64_t prompt_length = 0;  // its own prompt_length
};

struct TokenSequence {
  std::vector<std::int64_t> ids;
  // ids[0, prompt_length) are context only; the loss (and a continuation's log-probability)
  // covers ids[prompt_length, size).
  std::int64_t prompt_length = 0;
  // Empty: the row is one document. Otherwise the documents packed in it, in order: each
  // attends only to itself, its positions start at 0, and its targets follow its own
  // prompt_length (the row's prompt_length is then unused).
  std::vector<PackedDocument> documents;
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

// Packs whole documents, in order, into rows of at most `row_length` tokens (a document
// longer than that gets a row of its own), each keeping its own attention, positions and
// prompt mask (TokenSequence::documents): the same loss as one padded row per document,
// without the padding. For instruction tuning. row_length must be >= 2.
std::vector<TokenSequence> pack_documents(const std::vector<TokenSequence>& sequences,
                                          std::int64_t row_length);

// The number of tokens make_token_batch marks as targets in `sequence`: in each document,
// those from its prompt_length on, never its first token.
std::int64_t target_token_count(const TokenSequence& sequence);

// What tokenising a dataset did, for the log and the report.
struct TruncationCounts {
  std::size_t kept = 0;
  std::size_t cut = 0;
  std::size_t dropped = 0;
};

}  // namespace paddock::learning
