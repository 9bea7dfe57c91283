// SentencePieceTokenizer behind the Tokenizer interface.
#include "paddock/transformer/sentencepiece_adapter.hpp"

#include "paddock/error.hpp"
#include "paddock/transformer/tokenizer_directory.hpp"

namespace paddock::transformer {
namespace {

class SentencePieceAdapter : public ForwardingTokenizer<SentencePieceTokenizer> {
 public:
  using ForwardingTokenizer::ForwardingTokenizer;
  std::vector<std::int32_t> add_special_tokens(const std::vector<std::string>&) override {
    throw Error(tokenizer_.source() +
                ": adding tokens to a SentencePiece tokenizer is not supported yet (Quark's reward "
                "tokens need a byte-level BPE tokenizer)");
  }
  void save(const std::filesystem::path& directory) const override {
    save_sentencepiece_tokenizer(tokenizer_, directory);
  }
  std::unique_ptr<Tokenizer> clone() const override {
    return std::make_unique<SentencePieceAdapter>(tokenizer_);
  }
};

}  // namespace

std::unique_ptr<Tokenizer> make_sentencepiece_tokenizer(SentencePieceTokenizer tokenizer) {
  return std::make_unique<SentencePieceAdapter>(std::move(tokenizer));
}

}  // namespace paddock::transformer
