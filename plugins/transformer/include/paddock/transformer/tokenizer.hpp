// The tokenizer a TransformerModel holds: byte-level BPE (tokenizer.json, vocab.json +
// merges.txt) or SentencePiece (tokenizer.model), behind one interface.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "paddock/transformer/bpe_tokenizer.hpp"
#include "paddock/transformer/byte_fallback_bpe.hpp"
#include "paddock/transformer/sentencepiece_vocabulary.hpp"

namespace paddock::transformer {

class Tokenizer {
 public:
  virtual ~Tokenizer();
  // Ids of `text`; no BOS or EOS is added. The text of special and added tokens ("<s>",
  // "</s>", "<|im_end|>") becomes their ids, as in Hugging Face's tokenizers.
  virtual std::vector<std::int32_t> encode(std::string_view text) const = 0;
  virtual std::string decode(const std::vector<std::int32_t>& ids,
                             bool skip_special_tokens) const = 0;
  // The bytes one token stands for where it sits in a text (possibly part of a UTF-8
  // character), for per-token reports: decode's answer for one id, except where decoding a
  // lone token drops what it holds (SentencePiece's word-initial space, a byte piece).
  virtual std::string token_text(std::int32_t id) const { return decode({id}, false); }
  // One past the largest id.
  virtual std::size_t vocab_size() const = 0;
  virtual std::optional<std::int32_t> bos_id() const = 0;
  virtual std::optional<std::int32_t> eos_id() const = 0;
  virtual std::optional<std::int32_t> pad_id() const = 0;
  // Tokens matched before the model's own splitting (e.g. Quark's reward tokens).
  virtual std::vector<std::int32_t> add_special_tokens(
      const std::vector<std::string>& contents) = 0;
  // Writes the tokenizer's files into a checkpoint directory.
  virtual void save(const std::filesystem::path& directory) const = 0;
  virtual std::unique_ptr<Tokenizer> clone() const = 0;
};

// The methods every concrete tokenizer class spells the same way, forwarded; adapters add
// the ones that differ (adding tokens, saving, cloning).
template <class Concrete>
class ForwardingTokenizer : public Tokenizer {
 public:
  explicit ForwardingTokenizer(Concrete tokenizer) : tokenizer_(std::move(tokenizer)) {}
  std::vector<std::int32_t> encode(std::string_view text) const override {
    return tokenizer_.encode(text);
  }
  std::string decode(const std::vector<std::int32_t>& ids,
                     bool skip_special_tokens) const override {
    return tokenizer_.decode(ids, skip_special_tokens);
  }
  std::size_t vocab_size() const override { return tokenizer_.vocab_size(); }
  std::optional<std::int32_t> bos_id() const override { return tokenizer_.bos_id(); }
  std::optional<std::int32_t> eos_id() const override { return tokenizer_.eos_id(); }
  std::optional<std::int32_t> pad_id() const override { return tokenizer_.pad_id(); }

 protected:
  Concrete tokenizer_;
};

// For SentencePiece vocabularies (tokenizer.model, or a tokenizer.json with byte_fallback):
// a token's text is its piece read as text, not decoded alone.
template <class Concrete>
class ForwardingPieceTokenizer : public ForwardingTokenizer<Concrete> {
 public:
  using ForwardingTokenizer<Concrete>::ForwardingTokenizer;
  std::string token_text(std::int32_t id) const override {
    const auto piece = this->tokenizer_.id_to_token(id);
    if (!piece) return this->decode({id}, false);  // its error names the id
    return sentencepiece_piece_text(*piece);
  }
};

std::unique_ptr<Tokenizer> make_bpe_tokenizer(BpeTokenizer tokenizer);
std::unique_ptr<Tokenizer> make_byte_fallback_bpe_tokenizer(ByteFallbackBpeTokenizer tokenizer);

// The tokenizer of a checkpoint directory: tokenizer.json (or vocab.json + merges.txt) as
// byte-level BPE when it is one, otherwise tokenizer.model through SentencePiece (LLaMA-2
// repositories ship both), otherwise a SentencePiece-style tokenizer.json (byte_fallback)
// through ByteFallbackBpeTokenizer.
// Errors name the directory and say what is missing.
std::unique_ptr<Tokenizer> load_checkpoint_tokenizer(const std::filesystem::path& directory);

}  // namespace paddock::transformer
