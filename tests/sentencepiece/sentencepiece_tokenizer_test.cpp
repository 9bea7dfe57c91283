// SentencePieceTokenizer over tiny models trained here with libsentencepiece's own trainer:
// roles, piece lookups, encode/decode round trips, control tokens, and errors that name the
// file for corrupt, truncated or missing tokenizer.model files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sentencepiece_trainer.h>

#include <memory>
#include <string>
#include <vector>

#include "paddock/transformer/sentencepiece_adapter.hpp"
#include "paddock/transformer/sentencepiece_tokenizer.hpp"
#include "test_support.hpp"

namespace paddock::transformer {
namespace {

using testing::error_message;
using ::testing::HasSubstr;
using testing::TemporaryDirectory;
using Ids = std::vector<std::int32_t>;

constexpr const char* kCorpus[] = {
    "The quick brown fox jumps over the lazy dog.",
    "A reward model scores the answers that the policy writes.",
    "Hello world, hello there, and hello again to the whole world.",
    "Tokenizers split text into pieces; models learn from the pieces.",
    "In 2023 the team trained 7 models on 1024 prompts each.",
    "She sells sea shells by the sea shore, and the shells she sells are sea shells.",
    "Paddock learns from simulated human feedback, one pipeline at a time.",
    "Write a short poem about the river, then explain the poem in plain words.",
    "Questions, answers, preferences: the data every learner reads.",
    "Numbers like 3, 14, 159 and 2653 are split into single digits.",
};

// Trains a SentencePiece BPE model the way LLaMA's was configured (no normalization, a
// dummy prefix space, digits split, unk/bos/eos at 0/1/2) plus a pad piece at 3.
std::filesystem::path train_model(const std::filesystem::path& directory, const std::string& name,
                                  int vocab_size, bool byte_fallback) {
  const std::filesystem::path corpus = directory / (name + ".txt");
  std::string text;
  for (int repeat = 0; repeat < 20; ++repeat) {
    for (const char* line : kCorpus) text += std::string(line) + "\n";
  }
  testing::write_text(corpus, text);
  const std::string arguments =
      "--input=" + corpus.string() + " --model_prefix=" + (directory / name).string() +
      " --model_type=bpe --vocab_size=" + std::to_string(vocab_size) +
      " --character_coverage=1.0 --normalization_rule_name=identity"
      " --remove_extra_whitespaces=false --add_dummy_prefix=true --split_digits=true"
      " --unk_id=0 --bos_id=1 --eos_id=2 --pad_id=3 --num_threads=1 --minloglevel=2" +
      (byte_fallback ? " --byte_fallback=true" : "");
  const sentencepiece::util::Status status = sentencepiece::SentencePieceTrainer::Train(arguments);
  if (!status.ok()) throw std::runtime_error("training failed: " + status.ToString());
  return directory / (name + ".model");
}

class SentencePieceTokenizerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    directory_ = std::make_unique<TemporaryDirectory>();
    small_model_ = train_model(directory_->path(), "small", /*vocab_size=*/100,
                               /*byte_fallback=*/false);
    byte_fallback_model_ = train_model(directory_->path(), "bytes", /*vocab_size=*/400,
                                       /*byte_fallback=*/true);
  }
  static void TearDownTestSuite() { directory_.reset(); }

  static std::unique_ptr<TemporaryDirectory> directory_;
  static std::filesystem::path small_model_;
  static std::filesystem::path byte_fallback_model_;
};

std::unique_ptr<TemporaryDirectory> SentencePieceTokenizerTest::directory_;
std::filesystem::path SentencePieceTokenizerTest::small_model_;
std::filesystem::path SentencePieceTokenizerTest::byte_fallback_model_;

TEST_F(SentencePieceTokenizerTest, LoadsTheModelWithItsRoles) {
  const auto tokenizer = SentencePieceTokenizer::load(small_model_);
  EXPECT_EQ(tokenizer.vocab_size(), 100u);
  EXPECT_EQ(tokenizer.unk_id(), 0);
  EXPECT_EQ(tokenizer.bos_id(), 1);
  EXPECT_EQ(tokenizer.eos_id(), 2);
  EXPECT_EQ(tokenizer.pad_id(), 3);
  EXPECT_EQ(tokenizer.id_to_token(0), "<unk>");
  EXPECT_EQ(tokenizer.id_to_token(1), "<s>");
  EXPECT_EQ(tokenizer.id_to_token(2), "</s>");
  EXPECT_EQ(tokenizer.token_to_id("</s>"), 2);
  EXPECT_EQ(tokenizer.token_to_id("<unk>"), 0);
  EXPECT_EQ(tokenizer.source(), small_model_.string());
}

TEST_F(SentencePieceTokenizerTest, PieceLookupsAreInverse) {
  const auto tokenizer = SentencePieceTokenizer::load(small_model_);
  for (std::int32_t id = 0; id < static_cast<std::int32_t>(tokenizer.vocab_size()); ++id) {
    const auto piece = tokenizer.id_to_token(id);
    ASSERT_TRUE(piece) << id;
    EXPECT_EQ(tokenizer.token_to_id(*piece), id) << *piece;
  }
  EXPECT_EQ(tokenizer.token_to_id("no such piece"), std::nullopt);
  EXPECT_EQ(tokenizer.id_to_token(-1), std::nullopt);
  EXPECT_EQ(tokenizer.id_to_token(100), std::nullopt);
}

TEST_F(SentencePieceTokenizerTest, EncodeThenDecodeGivesTheTextBack) {
  const auto tokenizer = SentencePieceTokenizer::load(small_model_);
  std::vector<std::string> texts(std::begin(kCorpus), std::end(kCorpus));
  texts.push_back("the shells of the world, in 2024");  // new combinations of known pieces
  texts.push_back("  two  spaces, kept as they are ");
  // Characters the model never saw (a newline: the trainer reads lines) become unk, " ⁇ ";
  // the byte-fallback model below spells them in bytes instead.
  EXPECT_EQ(tokenizer.decode(tokenizer.encode("a\nb")), "a \xE2\x81\x87 b");
  for (const std::string& text : texts) {
    const Ids ids = tokenizer.encode(text);
    ASSERT_FALSE(ids.empty()) << text;
    EXPECT_EQ(tokenizer.decode(ids), text);
    // No BOS/EOS is added, as with BpeTokenizer.
    EXPECT_NE(ids.front(), *tokenizer.bos_id()) << text;
    EXPECT_NE(ids.back(), *tokenizer.eos_id()) << text;
  }
  // Digits are split one per piece.
  const Ids digits = tokenizer.encode("2653");
  EXPECT_EQ(tokenizer.id_to_token(digits.back()), "3");
}

TEST_F(SentencePieceTokenizerTest, ControlTokensAreWrittenUnlessSkipped) {
  const auto tokenizer = SentencePieceTokenizer::load(small_model_);
  Ids ids = {*tokenizer.bos_id()};
  for (std::int32_t id : tokenizer.encode("hello world")) ids.push_back(id);
  ids.push_back(*tokenizer.eos_id());
  ids.push_back(*tokenizer.pad_id());
  EXPECT_EQ(tokenizer.decode(ids), "<s>hello world</s><pad>");
  EXPECT_EQ(tokenizer.decode(ids, /*skip_special_tokens=*/true), "hello world");
}

TEST_F(SentencePieceTokenizerTest, ByteFallbackRoundTripsAnyUtf8) {
  const auto tokenizer = SentencePieceTokenizer::load(byte_fallback_model_);
  const std::string text = "Zürich 東京 🙂\ttab\r\nß Ω";  // mostly unseen in training
  const Ids ids = tokenizer.encode(text);
  EXPECT_EQ(tokenizer.decode(ids), text);
  EXPECT_THAT(ids, ::testing::Contains(*tokenizer.token_to_id("<0xF0>")));  // 🙂's first byte
  EXPECT_EQ(std::count(ids.begin(), ids.end(), *tokenizer.unk_id()), 0);
}

TEST_F(SentencePieceTokenizerTest, CopiesAndSavedFilesEncodeTheSame) {
  const auto original = SentencePieceTokenizer::load(byte_fallback_model_);
  const std::string text = "Hello world, 2024 🙂";
  const SentencePieceTokenizer copy = original;
  EXPECT_EQ(copy.encode(text), original.encode(text));
  EXPECT_EQ(copy.source(), original.source());

  const std::filesystem::path saved = *directory_ / "saved.model";
  original.save(saved);
  EXPECT_EQ(testing::read_bytes(saved), testing::read_bytes(byte_fallback_model_));
  EXPECT_EQ(SentencePieceTokenizer::load(saved).encode(text), original.encode(text));
}

TEST_F(SentencePieceTokenizerTest, DecodeRefusesIdsOutsideTheVocabulary) {
  const auto tokenizer = SentencePieceTokenizer::load(small_model_);
  for (std::int32_t id : {-1, 100, 5000}) {
    const std::string message = error_message([&] { tokenizer.decode({5, id}); });
    EXPECT_THAT(message, HasSubstr(small_model_.string() + ": cannot decode id " +
                                   std::to_string(id) + ": it is not in the vocabulary (100 ids)"));
  }
}

TEST_F(SentencePieceTokenizerTest, CorruptModelFilesAreRefusedNamingTheFile) {
  const std::string model = testing::read_bytes(small_model_);
  const std::pair<std::string, std::string> cases[] = {
      {"garbage.model", "this is not a protocol buffer \x01\x02\xff\xfe"},
      {"truncated.model", model.substr(0, model.size() / 2)},
      {"empty.model", ""},
      {"tokenizer.json", R"({"model": {"type": "BPE"}})"},
  };
  for (const auto& [name, content] : cases) {
    const std::filesystem::path file = *directory_ / name;
    testing::write_text(file, content);
    const std::string message = error_message([&] { SentencePieceTokenizer::load(file); });
    EXPECT_THAT(message, HasSubstr(file.string() + ": ")) << name;
    EXPECT_THAT(message, ::testing::AnyOf(HasSubstr("not a valid SentencePiece model"),
                                          HasSubstr("has no pieces")))
        << name;
  }
  const std::filesystem::path missing = *directory_ / "missing.model";
  EXPECT_THAT(error_message([&] { SentencePieceTokenizer::load(missing); }),
              HasSubstr(missing.string()));
}

TEST_F(SentencePieceTokenizerTest, WorksBehindTheTokenizerInterface) {
  const auto tokenizer = SentencePieceTokenizer::load(small_model_);
  const auto adapted = make_sentencepiece_tokenizer(tokenizer);
  const std::string text = "Write a short poem about the river.";
  EXPECT_EQ(adapted->encode(text), tokenizer.encode(text));
  EXPECT_EQ(adapted->decode(adapted->encode(text), true),
            tokenizer.decode(tokenizer.encode(text), true));
  EXPECT_EQ(adapted->eos_id(), tokenizer.eos_id());
  EXPECT_EQ(adapted->clone()->vocab_size(), tokenizer.vocab_size());
  TemporaryDirectory out;
  adapted->save(out.path());
  EXPECT_EQ(SentencePieceTokenizer::load(out.path() / "tokenizer.model").encode(text),
            tokenizer.encode(text));
  EXPECT_THROW(adapted->add_special_tokens({"<|reward_0|>"}), Error);
}

}  // namespace
}  // namespace paddock::transformer
