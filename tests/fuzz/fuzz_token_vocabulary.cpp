// libFuzzer target for the token vocabularies behind logit_bias_tokens: the first byte picks
// the reader, the rest is the file: a tiktoken rank file (parsed in memory, and loaded as a
// *.tiktoken file), a vocab.json alone, or a vocab.json and a merges.txt (split at the first
// record separator, 0x1E). A vocabulary that loads must answer id_of and split. Every input must
// load or throw paddock::Error.
#include <filesystem>
#include <memory>
#include <string>

#include "fuzz_support.hpp"
#include "paddock/error.hpp"
#include "tiktoken_ranks.hpp"
#include "token_vocabulary.hpp"

namespace {

// Merging is quadratic in a piece's length; a long one only slows the fuzzer down.
constexpr std::size_t kMaxMergedBytes = 128;

void use(const paddock::annotators::TokenVocabulary& vocabulary) {
  (void)vocabulary.id_of(" Both");
  (void)vocabulary.id_of("Output");
  (void)paddock::annotators::describe_pieces(vocabulary.split("Output (a) caf\xc3\xa9 \xff"));
  (void)vocabulary.description();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace fuzzing = paddock::fuzzing;
  using paddock::annotators::load_token_vocabulary;
  if (size == 0) return 0;
  const std::string_view text = fuzzing::as_text(data + 1, size - 1);
  std::filesystem::remove(fuzzing::scratch_directory() / "merges.txt");
  try {
    switch (data[0] % 4) {
      case 0: {
        const auto ranks = paddock::annotators::TiktokenRanks::parse(text, "fuzz/ranks.tiktoken");
        (void)ranks.merge_pieces(text.substr(0, kMaxMergedBytes));
        (void)ranks.merge_pieces("Output (a)");
        break;
      }
      case 1:
        use(*load_token_vocabulary(fuzzing::write_scratch_file("ranks.tiktoken", text)));
        break;
      case 2:
        use(*load_token_vocabulary(fuzzing::write_scratch_file("vocab.json", text)));
        break;
      default: {
        const auto [vocab, merges] = fuzzing::split_parts(text);
        fuzzing::write_scratch_file("merges.txt", merges);
        use(*load_token_vocabulary(fuzzing::write_scratch_file("vocab.json", vocab)));
        break;
      }
    }
  } catch (const paddock::Error&) {
  }
  return 0;
}
