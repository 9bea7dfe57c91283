// The Tokenizer interface's key function and its two tokenizer.json implementations
// (byte-level BPE and SentencePiece-style BPE).
#include "paddock/transformer/tokenizer.hpp"

#include "paddock/transformer/tokenizer_directory.hpp"

namespace paddock::transformer {
namespace {

class BpeTokenizerAdapter : public ForwardingTokenizer<BpeTokenizer> {
 public:
  using ForwardingTokenizer::ForwardingTokenizer;
  std::vector<std::int32_t> add_special_tokens(const std::vector<std::string>& contents) override {
    return tokenizer_.add_special_tokens(contents);
  }
  void save(const std::filesystem::path& directory) const override {
    save_tokenizer(tokenizer_, directory);
  }
  std::unique_ptr<Tokenizer> clone() const override {
    return std::make_unique<BpeTokenizerAdapter>(tokenizer_);
  }
};

class ByteFallbackBpeAdapter : public ForwardingPieceTokenizer<ByteFallbackBpeTokenizer> {
 public:
  using ForwardingPieceTokenizer::ForwardingPieceTokenizer;
  std::vector<std::int32_t> add_special_tokens(const std::vector<std::string>& contents) override {
    return tokenizer_.add_special_tokens(contents);
  }
  void save(const std::filesystem::path& directory) const override {
    save_byte_fallback_tokenizer(tokenizer_, directory);
  }
  std::unique_ptr<Tokenizer> clone() const override {
    return std::make_unique<ByteFallbackBpeAdapter>(tokenizer_);
  }
};

}  // namespace

Tokenizer::~Tokenizer() = default;

std::unique_ptr<Tokenizer> make_byte_fallback_bpe_tokenizer(ByteFallbackBpeTokenizer tokenizer) {
  return std::make_unique<ByteFallbackBpeAdapter>(std::move(tokenizer));
}

std::unique_ptr<Tokenizer> make_bpe_tokenizer(BpeTokenizer tokenizer) {
  return std::make_unique<BpeTokenizerAdapter>(std::move(tokenizer));
}

}  // namespace paddock::transformer
