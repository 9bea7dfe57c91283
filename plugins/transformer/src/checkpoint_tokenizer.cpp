// Choosing a checkpoint's tokenizer: byte-level BPE files first, then tokenizer.model, then a
// SentencePiece-style tokenizer.json.
#include "paddock/core/files.hpp"
#include "paddock/error.hpp"
#include "paddock/transformer/sentencepiece_adapter.hpp"
#include "paddock/transformer/tokenizer.hpp"
#include "paddock/transformer/tokenizer_directory.hpp"
#include "paddock/transformer/tokenizer_json.hpp"

namespace paddock::transformer {
namespace {

// Whether the directory's tokenizer.json is SentencePiece-style BPE (a file that does not
// parse is not, and is reported by the byte-level reader).
bool byte_fallback_json(const std::filesystem::path& directory) {
  const auto file = directory / "tokenizer.json";
  if (!std::filesystem::exists(file)) return false;
  try {
    return is_byte_fallback_bpe(
        parse_tokenizer_json_document(core::read_file(file), file.string()));
  } catch (const Error&) {
    return false;
  }
}

}  // namespace

std::unique_ptr<Tokenizer> load_checkpoint_tokenizer(const std::filesystem::path& directory) {
  namespace fs = std::filesystem;
  const bool has_bpe =
      fs::exists(directory / "tokenizer.json") || fs::exists(directory / "vocab.json");
  const bool has_sentencepiece = fs::exists(directory / "tokenizer.model");
  // tokenizer.model before a SentencePiece-style tokenizer.json: its reader also honours
  // tokenizer_config.json's "legacy" spacing, which a tokenizer.json has baked in one way or
  // the other.
  if (has_bpe) {
    try {
      return make_bpe_tokenizer(load_tokenizer(directory));
    } catch (const Error&) {
      if (has_sentencepiece)
        return make_sentencepiece_tokenizer(load_sentencepiece_tokenizer(directory));
      if (byte_fallback_json(directory))
        return make_byte_fallback_bpe_tokenizer(load_byte_fallback_tokenizer(directory));
      throw;  // the BPE files are the only tokenizer: report them
    }
  }
  if (has_sentencepiece)
    return make_sentencepiece_tokenizer(load_sentencepiece_tokenizer(directory));
  throw Error(directory.string() +
              ": no tokenizer (tokenizer.json, vocab.json + merges.txt or tokenizer.model)");
}

}  // namespace paddock::transformer
