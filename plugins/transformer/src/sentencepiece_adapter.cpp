// SentencePieceTokenizer behind the Tokenizer interface.
#include "paddock/transformer/sentencepiece_adapter.hpp"

#include <algorithm>

#include "paddock/error.hpp"
#include "paddock/transformer/tokenizer_directory.hpp"
#include "paddock/transformer/utf8.hpp"

namespace paddock::transformer {
namespace {

class SentencePieceAdapter : public ForwardingPieceTokenizer<SentencePieceTokenizer> {
 public:
  using ForwardingPieceTokenizer::ForwardingPieceTokenizer;
  // As Hugging Face's add_special_tokens: an added token or piece spelled the same keeps its
  // id (and becomes special), a new one gets the next id past the vocabulary.
  std::vector<std::int32_t> add_special_tokens(const std::vector<std::string>& contents) override {
    for (const std::string& content : contents) {
      if (content.empty() || !is_valid_utf8(content)) {
        throw Error(tokenizer_.source() + ": cannot add the token '" + repair_utf8(content) +
                    "': a token must be non-empty UTF-8 text");
      }
    }
    std::vector<AddedToken> tokens = tokenizer_.added_tokens();
    auto next_id = static_cast<std::int32_t>(tokenizer_.vocab_size());
    std::vector<std::int32_t> ids;
    for (const std::string& content : contents) {
      const auto same = std::find_if(tokens.begin(), tokens.end(), [&](const AddedToken& token) {
        return token.content == content;
      });
      if (same != tokens.end()) {
        same->special = true;
        ids.push_back(same->id);
        continue;
      }
      AddedToken token;
      token.content = content;
      token.special = true;
      token.id = tokenizer_.token_to_id(content).value_or(next_id);
      if (token.id == next_id) ++next_id;
      ids.push_back(token.id);
      tokens.push_back(std::move(token));
    }
    tokenizer_.set_added_tokens(std::move(tokens));  // checks them; unchanged if it throws
    return ids;
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
