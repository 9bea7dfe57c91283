// Choosing a checkpoint's tokenizer: byte-level BPE files first, then tokenizer.model.
#include "paddock/error.hpp"
#include "paddock/transformer/sentencepiece_adapter.hpp"
#include "paddock/transformer/tokenizer.hpp"
#include "paddock/transformer/tokenizer_directory.hpp"

namespace paddock::transformer {

std::unique_ptr<Tokenizer> load_checkpoint_tokenizer(const std::filesystem::path& directory) {
  namespace fs = std::filesystem;
  const bool has_bpe =
      fs::exists(directory / "tokenizer.json") || fs::exists(directory / "vocab.json");
  const bool has_sentencepiece = fs::exists(directory / "tokenizer.model");
  if (has_bpe) {
    try {
      return make_bpe_tokenizer(load_tokenizer(directory));
    } catch (const Error&) {
      if (!has_sentencepiece) throw;  // the BPE files are the only tokenizer: report them
    }
  }
  if (has_sentencepiece)
    return make_sentencepiece_tokenizer(load_sentencepiece_tokenizer(directory));
  throw Error(directory.string() +
              ": no tokenizer (tokenizer.json, vocab.json + merges.txt or tokenizer.model)");
}

}  // namespace paddock::transformer
