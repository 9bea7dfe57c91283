// A SentencePiece tokenizer read from a `tokenizer.model` file (LLaMA-1/2 and their kin),
// through Debian's libsentencepiece. Its methods mirror BpeTokenizer's (encode, decode,
// token_to_id, id_to_token, vocab_size, the role ids), so code can use either. Built as the
// static library paddock_transformer_sentencepiece only when libsentencepiece-dev is
// installed; see docs/models.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sentencepiece {
class SentencePieceProcessor;
}

namespace paddock::transformer {

class SentencePieceTokenizer {
 public:
  // Reads a serialized SentencePiece model (`tokenizer.model`). Throws paddock::Error naming
  // the file when it cannot be read or is not a valid SentencePiece model.
  static SentencePieceTokenizer load(const std::filesystem::path& model_file);
  // The same from the file's bytes; `label` names the source in errors.
  static SentencePieceTokenizer from_serialized(std::string_view model_bytes,
                                                std::string_view label);

  // Copies re-read the model from its bytes (a few milliseconds for LLaMA's 32,000 pieces).
  SentencePieceTokenizer(const SentencePieceTokenizer& other);
  SentencePieceTokenizer& operator=(const SentencePieceTokenizer& other);
  SentencePieceTokenizer(SentencePieceTokenizer&&) noexcept;
  SentencePieceTokenizer& operator=(SentencePieceTokenizer&&) noexcept;
  ~SentencePieceTokenizer();

  // The model file's bytes, and writing them (atomically) as a tokenizer.model.
  std::string serialized_model() const;
  void save(const std::filesystem::path& model_file) const;

  // Token ids for `text`, normalized the way the model says (LLaMA's: none, plus a dummy
  // prefix space). As BpeTokenizer, no BOS/EOS is added: add bos_id() / eos_id() yourself.
  // Throws paddock::Error if the library refuses the text.
  std::vector<std::int32_t> encode(std::string_view text) const;
  // The text of `ids`. Control tokens (bos, eos, pad) are written as their piece text, e.g.
  // "<s>", unless skip_special_tokens. Throws paddock::Error for an id outside the vocabulary.
  std::string decode(const std::vector<std::int32_t>& ids, bool skip_special_tokens = false) const;

  // A piece as the model spells it ("▁the", "<0x0A>", "<s>"), or nullopt when the model has
  // no such piece (SentencePiece itself would answer unk's id).
  std::optional<std::int32_t> token_to_id(std::string_view piece) const;
  std::optional<std::string> id_to_token(std::int32_t id) const;
  // Ids are 0 .. vocab_size() - 1.
  std::size_t vocab_size() const;

  // The ids the model reserves for each role; nullopt when it has none (SentencePiece's -1).
  std::optional<std::int32_t> bos_id() const;
  std::optional<std::int32_t> eos_id() const;
  std::optional<std::int32_t> pad_id() const;
  std::optional<std::int32_t> unk_id() const;

  // The file (or label) it was loaded from, for error messages.
  const std::string& source() const { return source_; }

 private:
  SentencePieceTokenizer(std::unique_ptr<sentencepiece::SentencePieceProcessor> processor,
                         std::string source);
  bool is_control(std::int32_t id) const;
  std::string decode_pieces(const std::vector<int>& ids) const;

  std::unique_ptr<sentencepiece::SentencePieceProcessor> processor_;
  std::string source_;
};

}  // namespace paddock::transformer
