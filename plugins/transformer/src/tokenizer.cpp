// The Tokenizer interface's key function and its byte-level BPE implementation.
#include "paddock/transformer/tokenizer.hpp"

#include "paddock/transformer/tokenizer_directory.hpp"

namespace paddock::transformer {
namespace {

class BpeTokenizerAdapter : public Tokenizer {
 public:
  explicit BpeTokenizerAdapter(BpeTokenizer tokenizer) : tokenizer_(std::move(tokenizer)) {}
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
  std::vector<std::int32_t> add_special_tokens(const std::vector<std::string>& contents) override {
    return tokenizer_.add_special_tokens(contents);
  }
  void save(const std::filesystem::path& directory) const override {
    save_tokenizer(tokenizer_, directory);
  }
  std::unique_ptr<Tokenizer> clone() const override {
    return std::make_unique<BpeTokenizerAdapter>(tokenizer_);
  }

 private:
  BpeTokenizer tokenizer_;
};

}  // namespace

Tokenizer::~Tokenizer() = default;

std::unique_ptr<Tokenizer> make_bpe_tokenizer(BpeTokenizer tokenizer) {
  return std::make_unique<BpeTokenizerAdapter>(std::move(tokenizer));
}

}  // namespace paddock::transformer
