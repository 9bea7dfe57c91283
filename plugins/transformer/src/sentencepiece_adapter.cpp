// SentencePieceTokenizer behind the Tokenizer interface.
#include "paddock/transformer/sentencepiece_adapter.hpp"

#include "paddock/error.hpp"

namespace paddock::transformer {
namespace {

class SentencePieceAdapter : public Tokenizer {
 public:
  explicit SentencePieceAdapter(SentencePieceTokenizer tokenizer)
      : tokenizer_(std::move(tokenizer)) {}
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
  std::vector<std::int32_t> add_special_tokens(const std::vector<std::string>&) override {
    throw Error(tokenizer_.source() +
                ": adding tokens to a SentencePiece tokenizer is not supported yet (Quark's reward "
                "tokens need a byte-level BPE tokenizer)");
  }
  void save(const std::filesystem::path& directory) const override {
    tokenizer_.save(directory / "tokenizer.model");
  }
  std::unique_ptr<Tokenizer> clone() const override {
    return std::make_unique<SentencePieceAdapter>(tokenizer_);
  }

 private:
  SentencePieceTokenizer tokenizer_;
};

}  // namespace

std::unique_ptr<Tokenizer> make_sentencepiece_tokenizer(SentencePieceTokenizer tokenizer) {
  return std::make_unique<SentencePieceAdapter>(std::move(tokenizer));
}

}  // namespace paddock::transformer
