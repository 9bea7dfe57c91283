// BPE training: merges worked out by hand, determinism, round trips, save -> load, and speed.
#include "paddock/transformer/bpe_trainer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <random>

#include "paddock/transformer/tokenizer_directory.hpp"
#include "paddock/transformer/tokenizer_json.hpp"
#include "test_support.hpp"

namespace paddock::transformer {
namespace {

using testing::error_message;
using ::testing::HasSubstr;
using testing::TempDir;
using Merges = std::vector<std::pair<std::string, std::string>>;

// Text of made-up words built from syllables, with a Zipf-like word frequency.
std::vector<std::string> synthetic_corpus(std::size_t total_bytes, unsigned seed) {
  const char* syllables[] = {"ka", "lo", "mi", "ne",  "ru",  "sa",  "to", "vi",  "ze", "an",
                             "el", "or", "us", "qua", "tri", "sto", "ph", "ing", "ed", "er"};
  std::mt19937 random(seed);
  std::vector<std::string> lexicon;
  for (int w = 0; w < 3000; ++w) {
    std::string word;
    const int length = 1 + static_cast<int>(random() % 4);
    for (int s = 0; s < length; ++s) word += syllables[random() % std::size(syllables)];
    lexicon.push_back(word);
  }
  std::vector<std::string> corpus;
  std::size_t bytes = 0;
  while (bytes < total_bytes) {
    std::string line;
    for (int w = 0; w < 12; ++w) {
      const double u = std::uniform_real_distribution<double>(0.0, 1.0)(random);
      const auto index = static_cast<std::size_t>(std::pow(u, 3.0) * lexicon.size());
      line += (w == 0 ? "" : " ") + lexicon[std::min(index, lexicon.size() - 1)];
    }
    line += random() % 3 == 0 ? ", 1234.\n" : ".\n";
    bytes += line.size();
    corpus.push_back(std::move(line));
  }
  return corpus;
}

TEST(BpeTrainer, LearnsMergesByCountThenLexicographicOrder) {
  BpeTrainerOptions options;
  options.vocab_size = 1000;
  options.special_tokens = {"<eos>"};
  options.roles.eos = "<eos>";
  // Pieces: "ab", " ab" x2, " cd" x2. Pair counts: (a,b) 3; (Ġ,a), (Ġ,c), (c,d) 2.
  // 1. a+b (3). Then (Ġ,ab), (Ġ,c), (c,d) tie at 2: "c" < "Ġ" in UTF-8, so c+d first,
  // 2. c+d; 3. Ġ+ab ("ab" < "cd"); 4. Ġ+cd. Nothing occurs twice after that.
  const BpeTokenizer tokenizer = train_bpe_tokenizer({"ab ab ab cd cd"}, options);
  EXPECT_EQ(tokenizer.parts().merges, (Merges{{"a", "b"}, {"c", "d"}, {"Ġ", "ab"}, {"Ġ", "cd"}}));
  EXPECT_EQ(tokenizer.vocab_size(), 1u + 256 + 4);
  EXPECT_EQ(tokenizer.token_to_id("<eos>"), 0);
  EXPECT_EQ(tokenizer.token_to_id("Ā"), 1);  // byte 0
  EXPECT_EQ(tokenizer.token_to_id("ab"), 257);
  EXPECT_EQ(tokenizer.token_to_id("Ġcd"), 260);
  EXPECT_EQ(tokenizer.eos_id(), 0);
  EXPECT_EQ(tokenizer.encode("ab cd<eos>"), (std::vector<std::int32_t>{257, 260, 0}));
}

TEST(BpeTrainer, StopsAtTheVocabSize) {
  BpeTrainerOptions options;
  options.vocab_size = 258;
  const BpeTokenizer tokenizer = train_bpe_tokenizer({"ab ab ab cd cd"}, options);
  EXPECT_EQ(tokenizer.parts().merges, (Merges{{"a", "b"}, {"c", "d"}}));
  options.vocab_size = 10;
  EXPECT_THAT(error_message([&] { train_bpe_tokenizer({"x"}, options); }),
              HasSubstr("vocab_size 10 is smaller than"));
}

TEST(BpeTrainer, IsDeterministicAndIgnoresCorpusOrder) {
  BpeTrainerOptions options;
  options.vocab_size = 700;
  options.special_tokens = {"<|endoftext|>"};
  std::vector<std::string> corpus = synthetic_corpus(200'000, 1);
  const std::string first = tokenizer_json_text(train_bpe_tokenizer(corpus, options));
  const std::string second = tokenizer_json_text(train_bpe_tokenizer(corpus, options));
  EXPECT_EQ(first, second);
  std::shuffle(corpus.begin(), corpus.end(), std::mt19937(5));
  EXPECT_EQ(tokenizer_json_text(train_bpe_tokenizer(corpus, options)), first);
}

TEST(BpeTrainer, TrainedTokenizerRoundTripsAndSurvivesSaveLoad) {
  TempDir directory;
  BpeTrainerOptions options;
  options.vocab_size = 600;
  options.special_tokens = {"<|endoftext|>", "<pad>"};
  options.roles = {"<|endoftext|>", "<|endoftext|>", "<pad>", ""};
  const std::vector<std::string> corpus = synthetic_corpus(100'000, 2);
  const BpeTokenizer tokenizer = train_bpe_tokenizer(corpus, options);
  EXPECT_EQ(tokenizer.vocab_size(), 600u);
  save_tokenizer(tokenizer, directory.path());
  const BpeTokenizer loaded = load_tokenizer(directory.path());
  EXPECT_EQ(loaded.pad_id(), 1);
  for (std::size_t i = 0; i < 50; ++i) {
    const std::string text = corpus[i] + "<|endoftext|> Ünïcode 東京 \xff";
    const auto ids = tokenizer.encode(text);
    EXPECT_EQ(tokenizer.decode(ids), text);
    EXPECT_EQ(loaded.encode(text), ids);
  }
}

// With individual digits no learnt token spans two digits, however often a number repeats.
TEST(BpeTrainer, IndividualDigitsAreNeverMerged) {
  BpeTrainerOptions options;
  options.vocab_size = 400;
  options.digits = DigitSplitting::individual;
  const std::vector<std::string> corpus = synthetic_corpus(50'000, 4);  // ", 1234." in a third
  const BpeTokenizer tokenizer = train_bpe_tokenizer(corpus, options);
  EXPECT_EQ(tokenizer.encode("1234").size(), 4u);
  for (std::int32_t id : tokenizer.encode(" 99 + 12 = 111, 2024.")) {
    const std::string token = tokenizer.decode({id});
    EXPECT_LE(std::count_if(token.begin(), token.end(), ::isdigit), 1) << token;
  }
  BpeTrainerOptions grouped = options;
  grouped.digits = DigitSplitting::none;
  EXPECT_LT(train_bpe_tokenizer(corpus, grouped).encode("1234").size(), 4u);
  EXPECT_EQ(parse_tokenizer_json(tokenizer_json_text(tokenizer), "saved").encode("1234").size(),
            4u);
}

TEST(BpeTrainer, SpecialTokensMustBeDistinct) {
  BpeTrainerOptions options;
  options.special_tokens = {"<a>", "<a>"};
  EXPECT_THAT(error_message([&] { train_bpe_tokenizer({"x"}, options); }),
              HasSubstr("listed twice"));
  options.special_tokens = {"a"};
  EXPECT_THAT(error_message([&] { train_bpe_tokenizer({"x"}, options); }),
              HasSubstr("spelled like a byte token"));
}

// Trains a 2000-token vocabulary on about 5 MB of text and reports the time.
TEST(BpeTrainer, TrainsTwoThousandTokensOnFiveMegabytesQuickly) {
  const std::vector<std::string> corpus = synthetic_corpus(5'000'000, 3);
  BpeTrainerOptions options;
  options.vocab_size = 2000;
  options.special_tokens = {"<|endoftext|>"};
  const auto start = std::chrono::steady_clock::now();
  const BpeTokenizer tokenizer = train_bpe_tokenizer(corpus, options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("[ timing   ] BPE training, 2000 tokens on 5 MB: %.2f s\n", seconds);
  EXPECT_EQ(tokenizer.vocab_size(), 2000u);
  EXPECT_LT(seconds, 60.0);
}

}  // namespace
}  // namespace paddock::transformer
