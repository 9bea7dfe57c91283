// The token vocabulary that turns logit-bias token strings into the ids an API expects.
// Formats: a tiktoken rank file (`*.tiktoken`, what OpenAI's models use), a Hugging Face
// `tokenizer.json` (byte-level BPE, or SentencePiece-style with byte_fallback: what vLLM and
// llama.cpp servers load with the model), a `vocab.json` (with `merges.txt` beside it when
// there is one), a SentencePiece `tokenizer.model`, or a model directory holding one of them.
// In SentencePiece vocabularies a space is the piece's "▁": " Both" is the piece "▁Both".
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace paddock::annotators {

struct TokenPiece {
  std::string text;      // the token's bytes
  std::int64_t id = -1;  // -1: the bytes are no token
};

class TokenVocabulary {
 public:
  virtual ~TokenVocabulary() = default;
  // The id of the token whose bytes are exactly `text` (spaces count: "Both" and " Both" are
  // different tokens), or of the added token with that content.
  virtual std::optional<std::int64_t> id_of(std::string_view text) const = 0;
  // How the tokenizer splits `text`, for error messages; empty when it cannot tell (a
  // vocab.json without merges.txt).
  virtual std::vector<TokenPiece> split(std::string_view text) const = 0;
  // "tiktoken rank file /path/cl100k_base.tiktoken", for messages.
  virtual std::string description() const = 0;
};

// Loads by name and content: `*.tiktoken` is a rank file; a `.json` with a "model" section is
// a tokenizer.json, any other JSON object a vocab.json; `*.model` is a SentencePiece model; a
// directory is a Hugging Face model directory, read in the transformer backend's order. Errors name
// the file (and line and column where the format has them).
std::unique_ptr<TokenVocabulary> load_token_vocabulary(const std::filesystem::path& path);

// Shows text with its spaces and control bytes visible: " Both" -> "' Both'",
// "\n" -> "'\n'".
std::string quote_token(std::string_view text);

// "'Output' (5207), ' (' (320), 'a' (64), ')' (8)".
std::string describe_pieces(const std::vector<TokenPiece>& pieces);

}  // namespace paddock::annotators
