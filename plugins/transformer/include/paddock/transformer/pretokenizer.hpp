// Pre-tokenization: the regular expressions byte-level BPE tokenizers split text with before
// merging, implemented by hand over UTF-8 code points (no regex engine).
//
// gpt2:   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// llama3: (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//         ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//
// Both are matched leftmost-first, as a backtracking engine (Oniguruma in Hugging Face
// tokenizers) does. Limits: \p{L}/\p{N} follow Unicode 14; \s is the White_Space property;
// the llama3 contractions fold ASCII case only. Bytes that are not valid UTF-8 count as
// "other" characters ([^\s\p{L}\p{N}]) so that any byte string can be split.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace paddock::transformer {

enum class PreTokenizerPattern {
  gpt2,        // GPT-2's pattern (also the ByteLevel pre-tokenizer's use_regex=true)
  llama3,      // LLaMA-3's Split pattern
  whole_text,  // no splitting (ByteLevel with use_regex=false alone)
};

// Hugging Face's Digits pre-tokenizer, which runs before the pattern when a tokenizer.json
// lists it first: numeric characters (\p{N}) are split off, each one on its own
// (`individual`, so arithmetic sees one token per digit) or each run of them (`runs`).
enum class DigitSplitting { none, runs, individual };

// The pieces of `text`, in order; concatenated they give `text` back.
std::vector<std::string_view> split_pretokens(std::string_view text, PreTokenizerPattern pattern);
// The same after splitting off numeric characters as `digits` says; the pattern then runs on
// each stretch of text between them.
std::vector<std::string_view> split_pretokens(std::string_view text, PreTokenizerPattern pattern,
                                              DigitSplitting digits);

// The regex source Hugging Face's tokenizer.json spells for a pattern (empty for whole_text),
// and the reverse lookup (nullopt for a regex we do not implement).
std::string_view pretokenizer_regex(PreTokenizerPattern pattern);
std::optional<PreTokenizerPattern> pretokenizer_pattern_for_regex(std::string_view regex);

}  // namespace paddock::transformer
