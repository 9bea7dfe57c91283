// The Tokenizer interface's key function and its two tokenizer.json implementations
// (byte-level BPE and SentencePiece-style BPE).
#include "paddock/transformer/tokenizer.hpp"

#include <algorithm>

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

class ByteFallbackBpeAdapter : public ForwardingTokenizer<ByteFallbackBpeTokenizer> {
 public:
  using ForwardingTokenizer::ForwardingTokenizer;
  std::string token_text(std::int32_t id) const override {
    const auto token = tokenizer_.id_to_token(id);
    if (!token) return decode({id}, false);  // its error names the id
    return sentencepiece_piece_text(*token);
  }
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

std::string sentencepiece_piece_text(std::string_view piece) {
  if (piece.size() == 6 && piece.substr(0, 3) == "<0x" && piece.back() == '>') {
    unsigned value = 0;
    bool hex = true;
    for (char c : piece.substr(3, 2)) {
      const int digit = c >= '0' && c <= '9'   ? c - '0'
                        : c >= 'A' && c <= 'F' ? c - 'A' + 10
                        : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                               : -1;
      hex = hex && digit >= 0;
      value = value * 16 + static_cast<unsigned>(std::max(digit, 0));
    }
    if (hex) return std::string(1, static_cast<char>(value));
  }
  constexpr std::string_view kMark = "\xe2\x96\x81";  // U+2581
  std::string text;
  for (std::size_t at = 0; at < piece.size();) {
    if (piece.compare(at, kMark.size(), kMark) == 0) {
      text += ' ';
      at += kMark.size();
    } else {
      text += piece[at++];
    }
  }
  return text;
}

std::unique_ptr<Tokenizer> make_byte_fallback_bpe_tokenizer(ByteFallbackBpeTokenizer tokenizer) {
  return std::make_unique<ByteFallbackBpeAdapter>(std::move(tokenizer));
}

std::unique_ptr<Tokenizer> make_bpe_tokenizer(BpeTokenizer tokenizer) {
  return std::make_unique<BpeTokenizerAdapter>(std::move(tokenizer));
}

}  // namespace paddock::transformer
