// A tokenizer as it sits in a Hugging Face model directory: tokenizer.json (or vocab.json +
// merges.txt) or a SentencePiece tokenizer.model, with the bos/eos/pad/unk roles from
// tokenizer_config.json or special_tokens_map.json (and, for SentencePiece, the added tokens
// that tokenizer.json would otherwise carry).
#pragma once

#include <filesystem>

#include "paddock/transformer/bpe_tokenizer.hpp"
#include "paddock/transformer/byte_fallback_bpe.hpp"
#include "paddock/transformer/sentencepiece_tokenizer.hpp"

namespace paddock::transformer {

// `path` is a tokenizer.json file or a directory holding tokenizer.json or vocab.json +
// merges.txt. Roles come from tokenizer_config.json beside it ("bos_token", "eos_token",
// "pad_token", "unk_token": a string, {"content": ...} or null), else from
// special_tokens_map.json; a role token the tokenizer lacks is an error naming the field.
BpeTokenizer load_tokenizer(const std::filesystem::path& path);

// Writes tokenizer.json and tokenizer_config.json (the roles) into `directory`.
void save_tokenizer(const BpeTokenizer& tokenizer, const std::filesystem::path& directory);

// `directory`'s tokenizer.json as SentencePiece-style BPE (model.byte_fallback true), roles
// as for load_tokenizer.
ByteFallbackBpeTokenizer load_byte_fallback_tokenizer(const std::filesystem::path& directory);

// Writes tokenizer.json (the file read, with the added tokens as now) and
// tokenizer_config.json (the roles) into `directory`.
void save_byte_fallback_tokenizer(const ByteFallbackBpeTokenizer& tokenizer,
                                  const std::filesystem::path& directory);

// `directory`'s tokenizer.model, its roles first as the model names them, then overridden
// field by field from tokenizer_config.json (else special_tokens_map.json) as above; a role
// token the model lacks is an error naming the file. Added tokens (matched in text by
// encode) come from tokenizer_config.json's "added_tokens_decoder" ({"id": {"content": ...,
// "special": ...}}), then added_tokens.json ({"content": id}) for contents not named there;
// the "additional_special_tokens" of the roles file are marked special (a model piece named
// there becomes an added token). tokenizer_config.json's "legacy" and "add_prefix_space"
// (true when absent or null) set the tokenizer's AddedTokenSpacing.
SentencePieceTokenizer load_sentencepiece_tokenizer(const std::filesystem::path& directory);

// Writes tokenizer.model (the bytes it was loaded from) and tokenizer_config.json (the roles,
// "legacy", "add_prefix_space" when false, and the added tokens as "added_tokens_decoder").
void save_sentencepiece_tokenizer(const SentencePieceTokenizer& tokenizer,
                                  const std::filesystem::path& directory);

}  // namespace paddock::transformer
