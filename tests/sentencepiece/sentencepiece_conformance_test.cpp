// Paddock's SentencePieceTokenizer against libsentencepiece, the reference. Small models are
// trained here by libsentencepiece's own trainer (BPE and unigram, with and without byte
// fallback, the identity and the nmt_nfkc / nmt_nfkc_cf character maps, user-defined and
// control symbols, whitespace as suffix); then both libraries encode the same texts (fixed
// edge cases and seeded random mixes of words, whitespace, CJK, emoji, combining marks and
// bytes that are not UTF-8) and decode the same ids, and every result must be identical.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "paddock/transformer/sentencepiece_tokenizer.hpp"
#include "protobuf_writer.hpp"
#include "test_support.hpp"

namespace paddock::transformer {
namespace {

using testing::TempDir;
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
    "東京と大阪は日本の都市です。 Ｆｕｌｌｗｉｄｔｈ ｌｅｔｔｅｒｓ and ﬁne ligatures ①②.",
    // Runs of one character make equal-score merges compete, which BPE settles leftmost.
    "Hmmmm, sooo goood... zzzzzz! so    much    space  here  and    there",
};

struct ModelCase {
  const char* name;
  const char* options;
  // The trainers refuse escape_whitespaces=false for BPE and unigram, so it is switched off
  // after training by appending a normalizer_spec to the file (protobuf merges the two).
  bool escape_whitespaces_off = false;
  // Decoding then applies a denormalizer: the model's own character map, appended as a
  // denormalizer_spec that keeps spaces as they are.
  bool denormalize_with_charsmap = false;
};

void PrintTo(const ModelCase& model, std::ostream* out) {
  *out << model.name;
}

// Each is trained on the corpus above; LLaMA's own settings come first.
constexpr ModelCase kModels[] = {
    {"llama_bpe",
     "--model_type=bpe --vocab_size=400 --normalization_rule_name=identity "
     "--remove_extra_whitespaces=false --add_dummy_prefix=true --split_digits=true "
     "--byte_fallback=true --unk_id=0 --bos_id=1 --eos_id=2 --pad_id=-1"},
    {"bpe_nfkc_symbols",
     "--model_type=bpe --vocab_size=150 --user_defined_symbols=<reward_0>,@@ "
     "--control_symbols=<ctrl> --pad_id=3"},
    {"unigram_nfkc_denormalized",
     "--model_type=unigram --vocab_size=200 --user_defined_symbols=<reward_0>,sea "
     "--control_symbols=<ctrl>",
     false, true},
    {"unigram_bytes",
     "--model_type=unigram --vocab_size=420 --normalization_rule_name=identity "
     "--remove_extra_whitespaces=false --byte_fallback=true"},
    {"unigram_casefold_suffix",
     "--model_type=unigram --vocab_size=180 --normalization_rule_name=nmt_nfkc_cf "
     "--treat_whitespace_as_suffix=true --unk_surface=<?>"},
    {"bpe_bytes_trimmed_no_prefix",
     "--model_type=bpe --vocab_size=380 --normalization_rule_name=identity "
     "--remove_extra_whitespaces=true --add_dummy_prefix=false --byte_fallback=true"},
    {"bpe_nfkc_unescaped_spaces", "--model_type=bpe --vocab_size=150", true},
};

// Texts where the libraries could part ways.
const std::vector<std::string> kEdgeCases = {
    "",
    " ",
    "   ",
    "hello",
    "Hello world",
    "  leading spaces",
    "trailing spaces   ",
    "  both  sides  ",
    "many     spaces     inside",
    "line one\nline two\n\nline four\n",
    "\ttabbed\ttext\t",
    "\r\nwindows\r\nlines",
    "東京 大阪 京都 北海道 沖縄",
    "emoji 🙂🚀 and 🇩🇪 flags",
    "Zürich, Ångström, naïve café",
    "A\xcc\x8a decomposed and \xc3\x85 composed",
    "ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３ and ﬁ ﬂ ligatures ① ㌀",
    "zero\xe2\x80\x8bwidth and\xc2\xa0nbsp and ideographic\xe3\x80\x80space",
    "Straße GROSS ǅ",
    "<s> control </s> text <pad> <unk> <ctrl>",
    "<reward_0>Answer<reward_0> @@ @@@ sea shells",
    "digits 0123456789 3.14159",
    "bad \xff bytes \xc3 here \xed\xa0\x80 surrogate \xf4\x90\x80\x80 too big",
    std::string("nul\0byte", 8),
    "\xe2\x96\x81 literal lower block \xe2\x96\x81\xe2\x96\x81",
    "\xef\xbf\xbd replacement character",
    "ends with a newline\n",
};

// Fragments random texts are made of.
const std::vector<std::string> kFragments = {
    "the",
    "The",
    "sea",
    "shells",
    "hello",
    "world",
    "model",
    "reward",
    "pieces",
    "2023",
    "7",
    "0",
    " ",
    "  ",
    "\n",
    "\t",
    ".",
    ",",
    "!?",
    "東京",
    "都市",
    "🙂",
    "é",
    "e\xcc\x81",
    "ｆ",
    "ﬁ",
    "①",
    "\xff",
    "\xc3",
    "<s>",
    "</s>",
    "<reward_0>",
    "@@",
    "<ctrl>",
    "\xe2\x96\x81",
    "Ω",
    "ß",
    "\xe3\x80\x80",
    "\xc2\xa0",
    "mmm",
    "ooooo",
    "zzzz",
    "    ",
};

std::vector<std::string> random_texts(std::uint64_t seed, int count) {
  std::mt19937_64 random(seed);
  std::vector<std::string> texts;
  for (int index = 0; index < count; ++index) {
    std::string text;
    const int length = static_cast<int>(random() % 24);
    for (int part = 0; part < length; ++part) text += kFragments[random() % kFragments.size()];
    texts.push_back(text);
  }
  return texts;
}

class SentencePieceConformance : public ::testing::TestWithParam<ModelCase> {
 protected:
  static void SetUpTestSuite() {
    directory_ = std::make_unique<TempDir>();
    std::string text;
    for (int repeat = 0; repeat < 20; ++repeat) {
      for (const char* line : kCorpus) text += std::string(line) + "\n";
    }
    testing::write_text(*directory_ / "corpus.txt", text);
  }
  static void TearDownTestSuite() { directory_.reset(); }

  void SetUp() override {
    const ModelCase& model = GetParam();
    const std::filesystem::path prefix = *directory_ / model.name;
    const std::string arguments = "--input=" + (*directory_ / "corpus.txt").string() +
                                  " --model_prefix=" + prefix.string() + " " + model.options +
                                  " --character_coverage=1.0 --hard_vocab_limit=false"
                                  " --num_threads=1 --minloglevel=2";
    const auto status = sentencepiece::SentencePieceTrainer::Train(arguments);
    ASSERT_TRUE(status.ok()) << status.ToString();
    model_file_ = prefix.string() + ".model";
    if (model.denormalize_with_charsmap) {
      const std::string bytes = testing::read_text(model_file_);
      const std::string charsmap =
          parse_sentencepiece_model(bytes, model_file_).normalizer_spec.precompiled_charsmap;
      testing::write_text(
          model_file_,
          bytes + testing::bytes_field(
                      5, testing::bytes_field(2, charsmap) + testing::varint_field(3, 0) +
                             testing::varint_field(4, 0) + testing::varint_field(5, 0)));
    }
    if (model.escape_whitespaces_off) {
      testing::write_text(model_file_, testing::read_text(model_file_) +
                                           testing::bytes_field(3, testing::varint_field(5, 0)));
    }
    ASSERT_TRUE(reference_.Load(model_file_).ok());
    tokenizer_ =
        std::make_unique<SentencePieceTokenizer>(SentencePieceTokenizer::load(model_file_));
  }

  Ids reference_encode(const std::string& text) const {
    std::vector<int> ids;
    EXPECT_TRUE(reference_.Encode(text, &ids).ok());
    return {ids.begin(), ids.end()};
  }
  std::string reference_decode(const Ids& ids) const {
    std::string text;
    EXPECT_TRUE(reference_.Decode(std::vector<int>(ids.begin(), ids.end()), &text).ok());
    return text;
  }

  bool mentions_a_role_token(const std::string& text) const {
    for (const auto& role :
         {tokenizer_->bos_id(), tokenizer_->eos_id(), tokenizer_->unk_id(), tokenizer_->pad_id()}) {
      if (role && text.find(*tokenizer_->id_to_token(*role)) != std::string::npos) return true;
    }
    return false;
  }

  static std::unique_ptr<TempDir> directory_;
  std::string model_file_;
  sentencepiece::SentencePieceProcessor reference_;
  std::unique_ptr<SentencePieceTokenizer> tokenizer_;
};

std::unique_ptr<TempDir> SentencePieceConformance::directory_;

TEST_P(SentencePieceConformance, PiecesAndRolesAgree) {
  ASSERT_EQ(tokenizer_->vocab_size(), static_cast<std::size_t>(reference_.GetPieceSize()));
  for (int id = 0; id < reference_.GetPieceSize(); ++id) {
    EXPECT_EQ(tokenizer_->id_to_token(id), reference_.IdToPiece(id)) << id;
    EXPECT_EQ(tokenizer_->token_to_id(reference_.IdToPiece(id)), id) << id;
  }
  const auto role = [](int id) { return id < 0 ? std::nullopt : std::optional<std::int32_t>(id); };
  EXPECT_EQ(tokenizer_->unk_id(), role(reference_.unk_id()));
  EXPECT_EQ(tokenizer_->bos_id(), role(reference_.bos_id()));
  EXPECT_EQ(tokenizer_->eos_id(), role(reference_.eos_id()));
  EXPECT_EQ(tokenizer_->pad_id(), role(reference_.pad_id()));
}

// Guards against a case silently testing less than its name says.
TEST_P(SentencePieceConformance, ModelsHaveTheFeaturesTheyAreMeantToTest) {
  const std::string name = GetParam().name;
  const SentencePieceModelProto model =
      parse_sentencepiece_model(testing::read_text(model_file_), model_file_);
  const bool expects_charsmap =
      name.find("nfkc") != std::string::npos || name.find("casefold") != std::string::npos;
  EXPECT_EQ(!model.normalizer_spec.precompiled_charsmap.empty(), expects_charsmap)
      << model.normalizer_spec.name;
  const bool expects_bytes =
      name.find("bytes") != std::string::npos || name.find("llama") != std::string::npos;
  EXPECT_EQ(model.trainer_spec.byte_fallback, expects_bytes);
  EXPECT_EQ(model.normalizer_spec.escape_whitespaces, name.find("unescaped") == std::string::npos);
  EXPECT_EQ(model.normalizer_spec.add_dummy_prefix, name.find("no_prefix") == std::string::npos);
  const auto has_type = [&](SentencePieceType type) {
    for (const auto& entry : model.pieces) {
      if (entry.type == type) return true;
    }
    return false;
  };
  EXPECT_EQ(has_type(SentencePieceType::byte), expects_bytes);
  EXPECT_EQ(model.denormalizer_spec.has_value(), GetParam().denormalize_with_charsmap);
  if (name.find("symbols") != std::string::npos || name == "unigram_nfkc_denormalized") {
    EXPECT_TRUE(has_type(SentencePieceType::user_defined));
    EXPECT_TRUE(tokenizer_->token_to_id("<ctrl>"));
  }
}

TEST_P(SentencePieceConformance, EncodingAndDecodingAgree) {
  std::vector<std::string> texts = kEdgeCases;
  for (const char* line : kCorpus) texts.push_back(line);
  const std::vector<std::string> random = random_texts(/*seed=*/20240611, /*count=*/600);
  texts.insert(texts.end(), random.begin(), random.end());
  int differences = 0;
  for (const std::string& text : texts) {
    const Ids expected = reference_encode(text);
    // libsentencepiece reads "<s>" in text as characters; encode() matches it as Hugging
    // Face does, and is otherwise the same.
    const Ids ids = tokenizer_->encode_ignoring_added_tokens(text);
    EXPECT_EQ(ids, expected) << "text: '" << text << "'";
    if (!mentions_a_role_token(text)) {
      EXPECT_EQ(tokenizer_->encode(text), expected) << "text: '" << text << "'";
    }
    EXPECT_EQ(tokenizer_->decode(expected, /*skip_special_tokens=*/true),
              reference_decode(expected))
        << "text: '" << text << "'";
    if (ids != expected && ++differences > 5) FAIL() << "stopping after 5 differences";
  }
}

TEST_P(SentencePieceConformance, DecodingAnyIdsAgrees) {
  std::mt19937_64 random(7);
  const auto size = static_cast<std::uint64_t>(reference_.GetPieceSize());
  for (int round = 0; round < 400; ++round) {
    Ids ids(random() % 12);
    for (std::int32_t& id : ids) id = static_cast<std::int32_t>(random() % size);
    EXPECT_EQ(tokenizer_->decode(ids, /*skip_special_tokens=*/true), reference_decode(ids));

    // Without skipping, special tokens are written as their pieces and the runs between
    // them decoded on their own.
    std::string expected;
    Ids run;
    for (std::int32_t id : ids) {
      const bool special = reference_.IsControl(id);
      if (!special) {
        run.push_back(id);
        continue;
      }
      expected += (run.empty() ? "" : reference_decode(run)) + reference_.IdToPiece(id);
      run.clear();
    }
    expected += run.empty() ? "" : reference_decode(run);
    EXPECT_EQ(tokenizer_->decode(ids), expected);
  }
}

INSTANTIATE_TEST_SUITE_P(TrainedModels, SentencePieceConformance, ::testing::ValuesIn(kModels),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace paddock::transformer
