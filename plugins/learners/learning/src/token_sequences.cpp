// Building and length-limiting training sequences.
#include "paddock/learning/token_sequences.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "paddock/error.hpp"

namespace paddock::learning {
namespace {

void append(std::vector<std::int64_t>& ids, const std::vector<std::int64_t>& more) {
  ids.insert(ids.end(), more.begin(), more.end());
}

std::size_t checked_row_length(std::int64_t row_length) {
  if (row_length < 2) {
    throw Error("pack_length must be at least 2 tokens, got " + std::to_string(row_length));
  }
  return static_cast<std::size_t>(row_length);
}

}  // namespace

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

std::vector<TokenSequence> pack_sequences(const std::vector<TokenSequence>& sequences,
                                          std::int64_t row_length) {
  const std::size_t length = checked_row_length(row_length);
  std::vector<TokenSequence> rows;
  TokenSequence row;
  for (const TokenSequence& sequence : sequences) {
    for (std::int64_t id : sequence.ids) {
      row.ids.push_back(id);
      if (row.ids.size() == length) rows.push_back(std::exchange(row, TokenSequence{}));
    }
  }
  // A last row of one token has no target to predict.
  if (row.ids.size() >= 2) rows.push_back(std::move(row));
  return rows;
}

std::vector<TokenSequence> pack_documents(const std::vector<TokenSequence>& sequences,
                                          std::int64_t row_length) {
  const std::size_t length = checked_row_length(row_length);
  std::vector<TokenSequence> rows;
  TokenSequence row;
  for (const TokenSequence& sequence : sequences) {
    if (!sequence.documents.empty()) throw Error("pack_documents: a row is packed already");
    if (!row.ids.empty() && row.ids.size() + sequence.ids.size() > length)
      rows.push_back(std::exchange(row, TokenSequence{}));
    row.documents.push_back({static_cast<std::int64_t>(row.ids.size()), sequence.prompt_length});
    row.ids.insert(row.ids.end(), sequence.ids.begin(), sequence.ids.end());
  }
  if (!row.ids.empty()) rows.push_back(std::move(row));
  return rows;
}

std::int64_t target_token_count(const TokenSequence& sequence) {
  const auto size = static_cast<std::int64_t>(sequence.ids.size());
  if (sequence.documents.empty())
    return std::max<std::int64_t>(0, size - std::max<std::int64_t>(1, sequence.prompt_length));
  std::int64_t count = 0;
  for (std::size_t d = 0; d < sequence.documents.size(); ++d) {
    const PackedDocument& document = sequence.documents[d];
    const std::int64_t end =
        d + 1 < sequence.documents.size() ? sequence.documents[d + 1].start : size;
    count += std::max<std::int64_t>(
        0, end - document.start - std::max<std::int64_t>(1, document.prompt_length));
  }
  return count;
}

}  // namespace paddock::learning
