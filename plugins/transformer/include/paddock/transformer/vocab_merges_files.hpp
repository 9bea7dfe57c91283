// The older GPT-2 tokenizer files: `vocab.json` (token -> id, byte-level spellings) and
// `merges.txt` (an optional "#version" line, then one "left right" merge per line).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "paddock/transformer/bpe_tokenizer.hpp"

namespace paddock::transformer {

// Builds a GPT-2-pattern byte-level tokenizer. Each of `special_tokens` becomes a special
// added token: with its vocab.json id when it is there (as GPT-2's <|endoftext|> is), else
// with the next free id. Errors name the file and the line or token.
BpeTokenizer load_vocab_and_merges(const std::filesystem::path& vocab_json,
                                   const std::filesystem::path& merges_txt,
                                   const std::vector<std::string>& special_tokens = {});

}  // namespace paddock::transformer
