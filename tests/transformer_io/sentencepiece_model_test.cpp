// The hand-written SentencePiece reader and tokenizer without libsentencepiece: malformed
// protobuf and model files are refused with the field and byte named; tiny models built byte
// by byte check BPE and unigram choices; the committed tiny LLaMA-style tokenizer.model
// (tests/transformer_io/data) loads, round-trips text and loads as a checkpoint's tokenizer;
// the text of special and added tokens is matched as Hugging Face's LlamaTokenizer does.
//
// data/tiny_llama_tokenizer.model was trained with libsentencepiece 0.1.97 on four English
// sentences repeated 30 times: --model_type=bpe --vocab_size=320 --character_coverage=1.0
// --normalization_rule_name=identity --remove_extra_whitespaces=false --add_dummy_prefix=true
// --split_digits=true --byte_fallback=true --unk_id=0 --bos_id=1 --eos_id=2 --pad_id=-1
// (LLaMA's settings). Its ids are compared with libsentencepiece's in tests/sentencepiece.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "paddock/transformer/protobuf_reader.hpp"
#include "paddock/transformer/sentencepiece_model_proto.hpp"
#include "paddock/transformer/sentencepiece_tokenizer.hpp"
#include "paddock/transformer/tokenizer.hpp"
#include "paddock/transformer/tokenizer_directory.hpp"
#include "protobuf_writer.hpp"
#include "test_support.hpp"

namespace paddock::transformer {
namespace {

using testing::bytes_field;
using testing::error_message;
using testing::float_field;
using ::testing::HasSubstr;
using testing::identity_normalizer;
using testing::key;
using testing::piece_message;
using testing::trainer_spec;
using testing::varint;
using testing::varint_field;
using Ids = std::vector<std::int32_t>;

constexpr int kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kUnused = 5, kByte = 6;
constexpr int kUnigram = 1, kBpe = 2;

// <unk> <s> </s> then `pieces`, with the given model type and an identity normalizer.
std::string tiny_model(int model_type, const std::string& pieces, bool add_dummy_prefix = false) {
  return piece_message("<unk>", 0, kUnknown) + piece_message("<s>", 0, kControl) +
         piece_message("</s>", 0, kControl) + pieces + trainer_spec(model_type, false) +
         identity_normalizer(add_dummy_prefix, /*remove_extra_whitespaces=*/false);
}

std::vector<std::string> pieces_of(const SentencePieceTokenizer& tokenizer, const Ids& ids) {
  std::vector<std::string> pieces;
  for (std::int32_t id : ids) pieces.push_back(*tokenizer.id_to_token(id));
  return pieces;
}

std::string load_error(const std::string& bytes) {
  return error_message([&] { SentencePieceTokenizer::from_serialized(bytes, "m.model"); });
}

using Pieces = std::vector<std::string>;

TEST(SentencePieceReader, ReadsFieldsAndSkipsUnknownOnesByWireType) {
  const std::string unknown_fields = varint_field(90, 7) + key(91, 1) + std::string(8, 'x') +
                                     bytes_field(92, "skip me") + float_field(93, 1.5f) +
                                     key(94, 3) + varint_field(1, 5) + key(94, 4);
  const std::string bytes =
      unknown_fields + piece_message("<unk>", 0, kUnknown) +
      bytes_field(1, bytes_field(1, "a") + float_field(2, -2.5f) + varint_field(77, 1)) +
      bytes_field(2, varint_field(3, kBpe) + varint_field(41, 5)) +
      // A repeated sub-message is merged into the first, a repeated scalar keeps the last.
      bytes_field(2, varint_field(42, std::uint64_t(-7)) + varint_field(43, 4) +
                         varint_field(43, 9) + bytes_field(44, "?")) +
      bytes_field(3, bytes_field(1, "nmt_nfkc") + varint_field(3, 0)) +
      bytes_field(4, "self test data, skipped");
  const SentencePieceModelProto model = parse_sentencepiece_model(bytes, "m.model");
  ASSERT_EQ(model.pieces.size(), 2u);
  EXPECT_EQ(model.pieces[0].type, SentencePieceType::unknown);
  EXPECT_EQ(model.pieces[1].piece, "a");
  EXPECT_EQ(model.pieces[1].score, -2.5f);
  EXPECT_EQ(model.pieces[1].type, SentencePieceType::normal);  // the default
  EXPECT_EQ(model.trainer_spec.model_type, SentencePieceModelType::bpe);
  EXPECT_EQ(model.trainer_spec.bos_id, 5);
  EXPECT_EQ(model.trainer_spec.eos_id, -7);
  EXPECT_EQ(model.trainer_spec.pad_id, 9);
  EXPECT_EQ(model.trainer_spec.unk_surface, "?");
  EXPECT_EQ(model.normalizer_spec.name, "nmt_nfkc");
  EXPECT_FALSE(model.normalizer_spec.add_dummy_prefix);
  EXPECT_TRUE(model.normalizer_spec.remove_extra_whitespaces);  // the default
  EXPECT_FALSE(model.denormalizer_spec);
}

TEST(SentencePieceReader, MalformedWireFormatIsRefusedWithTheByteNamed) {
  const std::string good_piece = piece_message("a", 0, kNormal);
  const std::pair<std::string, std::string> cases[] = {
      {key(60, 0), "byte 2: truncated varint"},
      {varint_field(50, 1) + key(60, 0) + "\xff\xff", "byte 5: truncated varint"},
      {key(60, 0) + std::string(10, '\xff') + "\x01", "byte 2: varint longer than 64 bits"},
      {key(60, 0) + std::string(9, '\xff') + "\x02", "byte 2: varint longer than 64 bits"},
      {key(1, 2) + varint(100) + "abc", "length 100 runs past the end of the input (3 bytes left"},
      {key(1, 2) + std::string(9, '\xff') + "\x01", "runs past the end of the input"},
      {"\x0e", "invalid wire type 6"},
      {"\x0f", "invalid wire type 7"},
      {std::string("\x00\x01", 2), "field number 0 is not allowed"},
      {key(60, 5) + "ab", "truncated fixed32 value"},
      {key(60, 1) + "abcd", "truncated fixed64 value"},
      {key(60, 3) + varint_field(1, 1), "group of field 60 is never closed"},
      {key(60, 3) + key(61, 4), "end-group key for field 61 closes the group of field 60"},
      {key(60, 4), "end-group key for field 60 outside a group"},
      {key(1, 0) + varint(5),
       "byte 0: pieces (field 1) has wire type varint, expected "
       "length-delimited"},
      {bytes_field(2, key(3, 2) + varint(0)), "model_type (field 3) has wire type length-"},
      {bytes_field(1, bytes_field(1, "a") + key(2, 0) + varint(1)),
       "m.model: pieces[0]: byte 5: score (field 2) has wire type varint, expected fixed32"},
  };
  for (const auto& [bytes, expected] : cases) {
    const std::string message = load_error(bytes);
    EXPECT_THAT(message, HasSubstr("m.model")) << expected;
    EXPECT_THAT(message, HasSubstr(expected));
    EXPECT_THAT(message, HasSubstr("not a valid SentencePiece model")) << expected;
  }
  std::string deep;
  for (int depth = 0; depth < 40; ++depth) deep += key(60, 3);
  EXPECT_THAT(load_error(deep), HasSubstr("groups nested more than 32 deep"));
}

TEST(SentencePieceReader, BadPiecesAndSpecsAreRefused) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::pair<std::string, std::string> cases[] = {
      {"", "no pieces"},
      {"this is not a protocol buffer \x01\x02\xff\xfe", "m.model: byte"},
      {R"({"model": {"type": "BPE"}})", "m.model: byte"},
      {piece_message("\xff\xfe", 0, kNormal), "pieces[0]: byte 2: piece is not valid UTF-8"},
      {piece_message(std::string("a\0b", 3), 0, kNormal), "piece contains a NUL byte"},
      {piece_message("", 0, kNormal), "pieces[0]: byte 11: the piece is empty"},
      {bytes_field(1, float_field(2, 1)), "the piece is empty"},
      {piece_message("a", nan, kNormal), "score is not a finite number"},
      {piece_message("a", INFINITY, kNormal), "score is not a finite number"},
      {piece_message("a", 0, 9), "type 9 is not a piece type"},
      {piece_message("a", 0, 0), "type 0 is not a piece type"},
      {piece_message("a", 0, kNormal) + bytes_field(2, varint_field(3, 7)),
       "trainer_spec: byte 14: model_type 7 is not a model type"},
      {piece_message("a", 0, kNormal) + bytes_field(2, bytes_field(45, "\xc3")),
       "unk_piece is not valid UTF-8"},
  };
  for (const auto& [bytes, expected] : cases) {
    EXPECT_THAT(load_error(bytes), HasSubstr(expected)) << expected;
  }
}

TEST(SentencePieceReader, InconsistentVocabulariesAreRefused) {
  const std::string unk = piece_message("<unk>", 0, kUnknown);
  const std::string a = piece_message("a", 0, kNormal);
  std::string all_bytes;
  for (int byte = 0; byte < 255; ++byte) {  // one short: <0xFF> is missing
    static const char* hex = "0123456789ABCDEF";
    all_bytes +=
        piece_message(std::string("<0x") + hex[byte / 16] + hex[byte % 16] + ">", 0, kByte);
  }
  const std::pair<std::string, std::string> cases[] = {
      {a + trainer_spec(kBpe, false), "m.model: the model has no unknown piece"},
      {unk + a + a + trainer_spec(kBpe, false), "m.model: pieces[2] 'a' is already pieces[1]"},
      {unk + piece_message("<unk>", 0, kUnknown), "pieces[1] '<unk>' is already pieces[0]"},
      {unk + piece_message("<u2>", 0, kUnknown), "is a second unknown piece"},
      {unk + piece_message("<0x41>", 0, kByte) + trainer_spec(kBpe, false),
       "pieces[1] '<0x41>' is a byte piece, but trainer_spec.byte_fallback is false"},
      {unk + piece_message("<0xz1>", 0, kByte) + trainer_spec(kBpe, true),
       "is a byte piece not spelled <0xXX>"},
      {unk + all_bytes + trainer_spec(kBpe, true), "the byte piece <0xFF> is missing"},
      {unk + a + trainer_spec(3, false), "model_type is 'word'; only 'BPE' and 'unigram'"},
      {unk + a + trainer_spec(4, false), "model_type is 'char'"},
      {unk + a + bytes_field(3, bytes_field(2, "abc")),
       "m.model: normalizer '': precompiled_charsmap is corrupt: it holds 3 bytes"},
      {unk + a +
           bytes_field(
               3, bytes_field(1, "nfkc") + bytes_field(2, std::string("\x40\x00\x00\x00xyz", 7))),
       "normalizer 'nfkc': precompiled_charsmap is corrupt: trie length 64 does not fit"},
      {unk + a +
           bytes_field(3, bytes_field(2, std::string("\x04\x00\x00\x00\x00\x00\x00\x00z", 9))),
       "the replacement strings do not end with a NUL byte"},
  };
  for (const auto& [bytes, expected] : cases) {
    EXPECT_THAT(load_error(bytes), HasSubstr(expected)) << expected;
  }
  // A piece may be spelled like a control piece: libsentencepiece keeps two maps.
  EXPECT_NO_THROW(SentencePieceTokenizer::from_serialized(
      unk + piece_message("<s>", 0, kControl) + piece_message("<s>", 0, kNormal), "m.model"));
}

TEST(SentencePieceBpe, BestScoreMergesFirstAndTiesGoLeft) {
  const auto tokenizer = SentencePieceTokenizer::from_serialized(
      tiny_model(kBpe, piece_message("a", -5, kNormal) + piece_message("b", -5, kNormal) +
                           piece_message("c", -5, kNormal) + piece_message("ab", -1, kNormal) +
                           piece_message("bc", -0.5f, kNormal)),
      "bpe.model");
  EXPECT_EQ(pieces_of(tokenizer, tokenizer.encode("abc")), (Pieces{"a", "bc"}));
  const auto tied = SentencePieceTokenizer::from_serialized(
      tiny_model(kBpe, piece_message("a", -5, kNormal) + piece_message("b", -5, kNormal) +
                           piece_message("c", -5, kNormal) + piece_message("ab", -1, kNormal) +
                           piece_message("bc", -1, kNormal)),
      "tied.model");
  EXPECT_EQ(pieces_of(tied, tied.encode("abc")), (Pieces{"ab", "c"}));
  // Characters without a piece become one unknown piece per run (no byte fallback here).
  EXPECT_EQ(pieces_of(tied, tied.encode("xyzab\xe6\x9d\xb1")), (Pieces{"<unk>", "ab", "<unk>"}));
  EXPECT_EQ(tied.decode(tied.encode("xyab")), " \xE2\x81\x87 ab");
}

TEST(SentencePieceBpe, UnusedPiecesAreSplitBackAndUserDefinedOnesStayWhole) {
  const auto tokenizer = SentencePieceTokenizer::from_serialized(
      tiny_model(kBpe, piece_message("a", -5, kNormal) + piece_message("b", -5, kNormal) +
                           piece_message("c", -5, kNormal) + piece_message("bc", 0, kUnused) +
                           piece_message("abc", -1, kNormal) + piece_message("ca", -0.1f, kNormal) +
                           piece_message("<x>", 0, kUserDefined)),
      "unused.model");
  EXPECT_EQ(pieces_of(tokenizer, tokenizer.encode("bc")), (Pieces{"b", "c"}));
  EXPECT_EQ(pieces_of(tokenizer, tokenizer.encode("abc")), (Pieces{"abc"}));
  EXPECT_EQ(pieces_of(tokenizer, tokenizer.encode("c<x>a")), (Pieces{"c", "<x>", "a"}));
  EXPECT_EQ(tokenizer.decode(tokenizer.encode("c<x>a")), "c<x>a");
}

TEST(SentencePieceUnigram, ViterbiPicksTheBestTotalScore) {
  const std::string letters = piece_message("a", -1, kNormal) + piece_message("b", -1, kNormal);
  const auto joined = SentencePieceTokenizer::from_serialized(
      tiny_model(kUnigram, letters + piece_message("ab", -1.5f, kNormal)), "u1.model");
  EXPECT_EQ(pieces_of(joined, joined.encode("abab")), (Pieces{"ab", "ab"}));
  const auto split = SentencePieceTokenizer::from_serialized(
      tiny_model(kUnigram, letters + piece_message("ab", -2.5f, kNormal)), "u2.model");
  EXPECT_EQ(pieces_of(split, split.encode("abab")), (Pieces{"a", "b", "a", "b"}));
  const auto unused = SentencePieceTokenizer::from_serialized(
      tiny_model(kUnigram, letters + piece_message("ab", 0, kUnused)), "u3.model");
  EXPECT_EQ(pieces_of(unused, unused.encode("ab")), (Pieces{"a", "b"}));
  // An unknown character costs the lowest score minus 10, so "ab" is still preferred.
  EXPECT_EQ(pieces_of(joined, joined.encode("abzab")), (Pieces{"ab", "<unk>", "ab"}));
}

TEST(SentencePieceTokenizerRoles, ComeFromTheRolePiecesAndCanBeOverridden) {
  auto tokenizer = SentencePieceTokenizer::from_serialized(
      tiny_model(kBpe, piece_message("<pad>", 0, kControl) + piece_message("a", 0, kNormal)),
      "roles.model");
  EXPECT_EQ(tokenizer.unk_id(), 0);
  EXPECT_EQ(tokenizer.bos_id(), 1);
  EXPECT_EQ(tokenizer.eos_id(), 2);
  EXPECT_EQ(tokenizer.pad_id(), 3);
  EXPECT_EQ(tokenizer.decode({1, 4, 2, 3}), "<s>a</s><pad>");
  EXPECT_EQ(tokenizer.decode({1, 4, 2, 3}, /*skip_special_tokens=*/true), "a");
  tokenizer.set_special_token_roles({"<s>", "a", "", "<unk>"});
  EXPECT_EQ(tokenizer.eos_id(), 4);
  EXPECT_EQ(tokenizer.pad_id(), std::nullopt);
  EXPECT_THAT(error_message([&] {
                tokenizer.set_special_token_roles({"", "<eot>", "", ""});
              }),
              HasSubstr("the eos token '<eot>' is not a piece of the SentencePiece model "
                        "roles.model"));
  EXPECT_THAT(error_message([&] {
                tokenizer.set_special_token_roles({"", "", "", "a"});
              }),
              HasSubstr("the unk token 'a' is not the unknown piece"));
}

// data/tiny_rules_tokenizer.model: a unigram model trained by libsentencepiece with its own
// rules (--normalization_rule_tsv: A->a, B->b, "C D"->c, U+FF21->A, U+3000->space), so its
// normalizer is a small precompiled character map.
TEST(SentencePieceCharsMap, TheModelsRulesAreAppliedLongestFirst) {
  const auto tokenizer =
      SentencePieceTokenizer::load(testing::test_data("tiny_rules_tokenizer.model"));
  EXPECT_EQ(tokenizer.decode(tokenizer.encode("\xef\xbc\xa1"
                                              "B CD\xe3\x80\x80x  C")),
            "Ab c x C");
}

class TinyLlamaTokenizer : public ::testing::Test {
 protected:
  std::filesystem::path model_file_ = testing::test_data("tiny_llama_tokenizer.model");
};

TEST_F(TinyLlamaTokenizer, LoadsLikeLlama) {
  const auto tokenizer = SentencePieceTokenizer::load(model_file_);
  EXPECT_EQ(tokenizer.model_type(), SentencePieceModelType::bpe);
  EXPECT_EQ(tokenizer.vocab_size(), 320u);
  EXPECT_EQ(tokenizer.id_to_token(0), "<unk>");
  EXPECT_EQ(tokenizer.bos_id(), 1);
  EXPECT_EQ(tokenizer.eos_id(), 2);
  EXPECT_EQ(tokenizer.pad_id(), std::nullopt);
  EXPECT_EQ(tokenizer.token_to_id("<0x0A>"), 13);  // LLaMA's newline byte id, too
  EXPECT_EQ(tokenizer.token_to_id("no such piece"), std::nullopt);
  EXPECT_EQ(tokenizer.source(), model_file_.string());
}

TEST_F(TinyLlamaTokenizer, RoundTripsAnyUtf8AndAddsTheDummyPrefix) {
  const auto tokenizer = SentencePieceTokenizer::load(model_file_);
  const Ids hello = tokenizer.encode("hello");
  ASSERT_FALSE(hello.empty());
  EXPECT_EQ(tokenizer.id_to_token(hello.front())->substr(0, 3), "\xE2\x96\x81");  // "▁"
  for (const std::string text : {"Hello world", "  two  spaces ", "line\nbreak\ttab",
                                 "Z\xc3\xbcrich \xe6\x9d\xb1 \xf0\x9f\x99\x82", "", " "}) {
    EXPECT_EQ(tokenizer.decode(tokenizer.encode(text)), text);
  }
  EXPECT_EQ(tokenizer.encode(""), Ids{});
  // Bytes that are not UTF-8 are read as U+FFFD, as libsentencepiece does.
  EXPECT_EQ(tokenizer.decode(tokenizer.encode("a\xff")), "a\xEF\xBF\xBD");
  // Decoding byte pieces that are not UTF-8 gives U+FFFD per byte.
  EXPECT_EQ(tokenizer.decode({*tokenizer.token_to_id("<0xE6>"), *tokenizer.token_to_id("<0x41>")}),
            "\xEF\xBF\xBD"
            "A");
  EXPECT_THAT(error_message([&] {
                tokenizer.decode({5, 320});
              }),
              HasSubstr(": cannot decode id 320: it is not in the vocabulary (320 ids)"));
}

TEST_F(TinyLlamaTokenizer, CopiesAndSavedFilesEncodeTheSame) {
  const auto original = SentencePieceTokenizer::load(model_file_);
  const SentencePieceTokenizer copy = original;
  EXPECT_EQ(copy.encode("Reverse the word cat."), original.encode("Reverse the word cat."));
  testing::TempDir directory;
  original.save(directory / "saved.model");
  EXPECT_EQ(testing::read_text(directory / "saved.model"), testing::read_text(model_file_));
}

// The tiny model's pieces include "▁a", "▁", "b" and "." but not "▁b" or "▁.".
TEST_F(TinyLlamaTokenizer, SpecialTokenTextBecomesTheirIds) {
  const auto tokenizer = SentencePieceTokenizer::load(model_file_);
  const std::int32_t bos = *tokenizer.bos_id(), eos = *tokenizer.eos_id();
  const auto plain = [&](std::string_view text) {
    return tokenizer.encode_ignoring_added_tokens(text);
  };
  const auto joined = [](std::initializer_list<Ids> parts) {
    Ids ids;
    for (const Ids& part : parts) ids.insert(ids.end(), part.begin(), part.end());
    return ids;
  };
  // Each stretch between special tokens is encoded on its own, dummy prefix included
  // (Hugging Face's legacy behaviour, its default).
  EXPECT_EQ(tokenizer.encode("a</s><s>b"), joined({plain("a"), {eos, bos}, plain("b")}));
  EXPECT_EQ(pieces_of(tokenizer, tokenizer.encode("a</s><s>b")),
            (Pieces{"\xE2\x96\x81"
                    "a",
                    "</s>", "<s>", "\xE2\x96\x81", "b"}));
  EXPECT_EQ(pieces_of(tokenizer, tokenizer.encode("a <s>.")),
            (Pieces{"\xE2\x96\x81"
                    "a",
                    "\xE2\x96\x81", "<s>", "\xE2\x96\x81", "."}));
  EXPECT_EQ(tokenizer.encode("<unk>"), Ids{0});
  // Leading, trailing and adjacent ones.
  EXPECT_EQ(tokenizer.encode("<s></s><s>"), (Ids{bos, eos, bos}));
  EXPECT_EQ(tokenizer.encode("<s>hello"), joined({{bos}, plain("hello")}));
  EXPECT_EQ(tokenizer.encode("hello</s>"), joined({plain("hello"), {eos}}));
  EXPECT_EQ(tokenizer.encode("</s>\n</s>"), joined({{eos}, plain("\n"), {eos}}));
  // Text that only resembles a special token is ordinary text.
  for (const std::string text : {"</s", "<s >", "< s>", "<S>", "s>", "</ s>", "<<s", "<\\s>"}) {
    EXPECT_EQ(tokenizer.encode(text), plain(text)) << text;
  }
  EXPECT_EQ(tokenizer.encode("<s</s>"), joined({plain("<s"), {eos}}));
  EXPECT_EQ(tokenizer.encode("<</s>>"), joined({plain("<"), {eos}, plain(">")}));
  // Without special tokens nothing changes (tests/sentencepiece checks this against
  // libsentencepiece as well).
  for (const std::string text : {"Hello world", "  two  spaces ", "line\nbreak", "", " ",
                                 "Reverse the word cat.", "Z\xc3\xbcrich"}) {
    EXPECT_EQ(tokenizer.encode(text), plain(text)) << text;
  }
  // libsentencepiece's own encoding reads them as characters.
  EXPECT_THAT(plain("a</s><s>b"), ::testing::Not(::testing::Contains(eos)));
  // Decoding skips them (the stretches around are then decoded as one, as libsentencepiece
  // and Hugging Face do, so the "▁" before b is a space), or writes them back.
  EXPECT_EQ(tokenizer.decode(tokenizer.encode("a</s><s>b"), /*skip_special_tokens=*/true), "a b");
  EXPECT_EQ(tokenizer.decode(tokenizer.encode("a</s><s>b")), "a</s><s>b");
}

TEST_F(TinyLlamaTokenizer, TheRoleTokensFromTheConfigAreTheOnesMatched) {
  auto tokenizer = SentencePieceTokenizer::load(model_file_);
  tokenizer.set_special_token_roles({"<s>", "", "", "<unk>"});
  EXPECT_EQ(tokenizer.encode("</s>"), tokenizer.encode_ignoring_added_tokens("</s>"));
  EXPECT_EQ(tokenizer.encode("<s>"), Ids{1});
}

TEST_F(TinyLlamaTokenizer, WithoutLegacyOnlyTheTextGetsADummyPrefix) {
  auto tokenizer = SentencePieceTokenizer::load(model_file_);
  tokenizer.set_added_token_spacing({/*legacy=*/false, /*add_prefix_space=*/true});
  // Hugging Face's documented example, "Hello <s>." (our model has no "▁Hello").
  EXPECT_EQ(pieces_of(tokenizer, tokenizer.encode("a <s>.")), (Pieces{"\xE2\x96\x81"
                                                                      "a",
                                                                      "\xE2\x96\x81", "<s>", "."}));
  EXPECT_EQ(pieces_of(tokenizer, tokenizer.encode("a</s><s>b")), (Pieces{"\xE2\x96\x81"
                                                                         "a",
                                                                         "</s>", "<s>", "b"}));
  // A text that starts with a special token gets no "▁" before it; one without any is
  // encoded as libsentencepiece encodes it.
  EXPECT_EQ(pieces_of(tokenizer, tokenizer.encode("<s>b")), (Pieces{"<s>", "b"}));
  EXPECT_EQ(tokenizer.encode("Reverse the word cat."),
            tokenizer.encode_ignoring_added_tokens("Reverse the word cat."));
  EXPECT_EQ(tokenizer.encode(""), Ids{});

  tokenizer.set_added_token_spacing({/*legacy=*/false, /*add_prefix_space=*/false});
  EXPECT_EQ(pieces_of(tokenizer, tokenizer.encode("b<s>b")), (Pieces{"b", "<s>", "b"}));
}

TEST_F(TinyLlamaTokenizer, AddedTokensMatchLongestFirstAndMayLiePastTheModel) {
  auto tokenizer = SentencePieceTokenizer::load(model_file_);
  const std::string space_a =
      "\xE2\x96\x81"
      "a";  // "▁a", a piece of the model
  const std::int32_t space_a_id = *tokenizer.token_to_id(space_a);
  tokenizer.set_added_tokens({{.content = "<x>", .id = 320},
                              {.content = "<x>y", .id = 322, .special = true},
                              {.content = space_a, .id = space_a_id}});
  EXPECT_EQ(tokenizer.vocab_size(), 323u);
  // A piece made an added token is matched in text too, as Hugging Face does.
  EXPECT_EQ(tokenizer.encode("b" + space_a),
            (Ids{*tokenizer.token_to_id("\xE2\x96\x81"), *tokenizer.token_to_id("b"), space_a_id}));
  EXPECT_EQ(tokenizer.encode("<x>y<x>"), (Ids{322, 320}));
  EXPECT_EQ(tokenizer.encode("<x></s>"), (Ids{320, 2}));
  EXPECT_EQ(tokenizer.token_to_id("<x>"), 320);
  EXPECT_EQ(tokenizer.id_to_token(322), "<x>y");
  EXPECT_EQ(tokenizer.id_to_token(321), std::nullopt);
  EXPECT_EQ(tokenizer.decode({320, 322, 2}), "<x><x>y</s>");
  EXPECT_EQ(tokenizer.decode({320, 322, 2}, /*skip_special_tokens=*/true), "<x>");
  EXPECT_THAT(error_message([&] { tokenizer.decode({321}); }),
              HasSubstr("cannot decode id 321: it is not in the vocabulary (323 ids)"));

  const auto refused = [&](std::vector<AddedToken> tokens) {
    return error_message([&] { tokenizer.set_added_tokens(std::move(tokens)); });
  };
  EXPECT_THAT(refused({{.content = "<y>", .id = 5}}),
              HasSubstr("added token '<y>' (id 5): id 5 is the piece"));
  EXPECT_THAT(refused({{.content = "<y>", .id = 400}, {.content = "<y>", .id = 401}}),
              HasSubstr("'<y>' is added twice"));
  EXPECT_THAT(refused({{.content = "<y>", .id = 400}, {.content = "<z>", .id = 400}}),
              HasSubstr("id 400 is also added token '<y>'"));
  EXPECT_THAT(refused({{.content = "", .id = 400}}), HasSubstr("its content is empty"));
  EXPECT_THAT(refused({{.content = "<y>", .id = 2147483647}}), HasSubstr("the id is too large"));
  EXPECT_EQ(tokenizer.vocab_size(), 323u);  // unchanged by a refused list
}

TEST_F(TinyLlamaTokenizer, AddedTokensAndSpacingComeFromTheDirectoryAndAreSaved) {
  testing::TempDir directory;
  std::filesystem::copy_file(model_file_, directory / "tokenizer.model");
  testing::write_text(directory / "tokenizer_config.json", R"({
    "added_tokens_decoder": {
      "1": {"content": "<s>", "lstrip": false, "normalized": false, "rstrip": false,
            "single_word": false, "special": true},
      "320": {"content": "<tool>", "special": false},
      "321": {"content": "<pad>", "special": true}},
    "pad_token": "<pad>",
    "legacy": false})");
  const auto tokenizer = load_checkpoint_tokenizer(directory.path());
  EXPECT_EQ(tokenizer->vocab_size(), 322u);
  EXPECT_EQ(tokenizer->pad_id(), 321);
  const Ids ids = tokenizer->encode("a<tool>b</s><pad>");
  ASSERT_EQ(ids.size(), 5u);
  EXPECT_EQ(ids[1], 320);
  EXPECT_EQ(ids[3], 2);
  EXPECT_EQ(ids[4], 321);
  EXPECT_EQ(tokenizer->decode(ids, /*skip_special_tokens=*/true), "a<tool>b");

  testing::TempDir saved;
  tokenizer->save(saved.path());
  const auto reloaded = load_checkpoint_tokenizer(saved.path());
  EXPECT_EQ(reloaded->vocab_size(), 322u);
  EXPECT_EQ(reloaded->pad_id(), 321);
  EXPECT_EQ(reloaded->encode("a<tool>b</s><pad>"), ids);
  EXPECT_EQ(reloaded->encode("<s>b"), tokenizer->encode("<s>b"));  // legacy: false kept

  // Older directories: added_tokens.json, and special_tokens_map.json's
  // additional_special_tokens marking them special.
  testing::TempDir older;
  std::filesystem::copy_file(model_file_, older / "tokenizer.model");
  testing::write_text(older / "added_tokens.json", R"({"<tool>": 320})");
  testing::write_text(older / "special_tokens_map.json",
                      R"({"additional_special_tokens": [{"content": "<tool>"}]})");
  const auto from_older = load_checkpoint_tokenizer(older.path());
  EXPECT_EQ(from_older->encode("<tool>"), Ids{320});
  EXPECT_EQ(from_older->decode({320}, /*skip_special_tokens=*/true), "");

  const auto load_error_with = [&](const std::string& config) {
    testing::write_text(directory / "tokenizer_config.json", config);
    return error_message([&] { load_checkpoint_tokenizer(directory.path()); });
  };
  EXPECT_THAT(load_error_with(R"({"added_tokens_decoder": {"5": {"content": "<y>"}}})"),
              HasSubstr(": added tokens: added token '<y>' (id 5): id 5 is the piece"));
  EXPECT_THAT(load_error_with(R"({"added_tokens_decoder": {"x": {"content": "<y>"}}})"),
              HasSubstr("tokenizer_config.json: added_tokens_decoder: 'x' is not a token id"));
  EXPECT_THAT(load_error_with(R"({"additional_special_tokens": ["<nope>"]})"),
              HasSubstr("additional_special_tokens[0]: '<nope>' is neither a piece"));
  EXPECT_THAT(load_error_with(R"({"legacy": "yes"})"),
              HasSubstr("tokenizer_config.json: legacy: must be true, false or null"));
}

// A LLaMA-2 chat prompt as its Jinja template renders it: the backend puts BOS before every
// prompt, so the serve host drops the rendered text's leading "<s>"; the "</s><s>" between
// turns becomes eos and bos.
TEST_F(TinyLlamaTokenizer, ChatPromptsGetOneBosAndTheirTurnSeparators) {
  const auto tokenizer = SentencePieceTokenizer::load(model_file_);
  const std::int32_t bos = *tokenizer.bos_id(), eos = *tokenizer.eos_id();
  const std::string rendered = "<s>[INST] hello [/INST] world </s><s>[INST] cat [/INST]";
  Ids with_backend_bos = {bos};
  const Ids rest = tokenizer.encode(rendered.substr(3));
  with_backend_bos.insert(with_backend_bos.end(), rest.begin(), rest.end());
  EXPECT_EQ(with_backend_bos, tokenizer.encode(rendered));
  EXPECT_EQ(std::count(with_backend_bos.begin(), with_backend_bos.end(), bos), 2);
  const Ids turn_separator = {eos, bos};
  const auto separator = std::search(with_backend_bos.begin(), with_backend_bos.end(),
                                     turn_separator.begin(), turn_separator.end());
  EXPECT_NE(separator, with_backend_bos.end());
}

TEST_F(TinyLlamaTokenizer, LoadsAsACheckpointTokenizerWithRolesFromTheConfig) {
  testing::TempDir directory;
  std::filesystem::copy_file(model_file_, directory / "tokenizer.model");
  // LLaMA-2 repositories also ship a byte-fallback tokenizer.json, which is not read.
  testing::write_text(
      directory / "tokenizer.json",
      R"({"model": {"type": "BPE", "byte_fallback": true, "vocab": {}, "merges": []}})");
  testing::write_text(
      directory / "tokenizer_config.json",
      R"({"bos_token": {"content": "<s>"}, "eos_token": "</s>", "pad_token": "<unk>"})");
  const auto tokenizer = load_checkpoint_tokenizer(directory.path());
  EXPECT_EQ(tokenizer->vocab_size(), 320u);
  EXPECT_EQ(tokenizer->bos_id(), 1);
  EXPECT_EQ(tokenizer->eos_id(), 2);
  EXPECT_EQ(tokenizer->pad_id(), 0);
  const std::string text = "Reverse the word cat.";
  EXPECT_EQ(tokenizer->decode(tokenizer->encode(text), true), text);
  // Per-token text keeps each piece's space and bytes: the tokens add up to the encoded text.
  std::string pieces_text;
  for (std::int32_t id : tokenizer->encode("the cat 東")) pieces_text += tokenizer->token_text(id);
  EXPECT_EQ(pieces_text, " the cat 東");
  // Contents are all checked before any is added.
  EXPECT_THROW(tokenizer->add_special_tokens({"<ok>", "\xff"}), Error);
  EXPECT_THROW(tokenizer->add_special_tokens({"<ok>", ""}), Error);
  EXPECT_EQ(tokenizer->vocab_size(), 320u);
  // Quark's reward tokens: new ids past the pieces, matched whole; a role piece keeps its id.
  EXPECT_EQ(tokenizer->add_special_tokens({"<reward_0>", "<reward_1>", "</s>", "<reward_0>"}),
            (std::vector<std::int32_t>{320, 321, 2, 320}));
  EXPECT_EQ(tokenizer->vocab_size(), 322u);
  const std::string rewarded = "<reward_1>" + text + "</s>";
  const auto rewarded_ids = tokenizer->encode(rewarded);
  EXPECT_EQ(rewarded_ids.front(), 321);
  EXPECT_EQ(rewarded_ids.back(), 2);
  EXPECT_EQ(tokenizer->decode(rewarded_ids, true), text);
  EXPECT_EQ(tokenizer->decode(rewarded_ids, false), rewarded);

  testing::TempDir saved;
  tokenizer->save(saved.path());
  const auto reloaded = load_checkpoint_tokenizer(saved.path());
  EXPECT_EQ(reloaded->pad_id(), 0);
  EXPECT_EQ(reloaded->encode(text), tokenizer->encode(text));
  EXPECT_EQ(reloaded->vocab_size(), 322u);
  EXPECT_EQ(reloaded->encode(rewarded), rewarded_ids);

  testing::write_text(directory / "tokenizer_config.json", R"({"eos_token": "<|eot|>"})");
  EXPECT_THAT(error_message([&] { load_checkpoint_tokenizer(directory.path()); }),
              HasSubstr("tokenizer_config.json: the eos token '<|eot|>' is not a piece"));
  testing::write_text(directory / "tokenizer.model", "not a model");
  EXPECT_THAT(error_message([&] { load_checkpoint_tokenizer(directory.path()); }),
              HasSubstr("tokenizer.model: byte"));
}

}  // namespace
}  // namespace paddock::transformer
