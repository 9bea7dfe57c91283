// SentencePiece-style BPE from tokenizer.json: the LLaMA-2 layout (Prepend and Replace
// normalizers, a decoder of Replace, ByteFallback, Fuse and Strip), the Metaspace layout,
// byte fallback and unknown characters, the tokenizers library's merge order, loading from a
// checkpoint directory, added tokens surviving a save, and errors naming file and field.
#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "llama2_style_tokenizer.hpp"
#include "paddock/error.hpp"
#include "paddock/transformer/byte_fallback_bpe.hpp"
#include "paddock/transformer/tokenizer.hpp"
#include "test_support.hpp"

namespace paddock::transformer {
namespace {

using nlohmann::json;
using testing::error_message;
using ::testing::HasSubstr;
using testing::TempDir;
using Ids = std::vector<std::int32_t>;
using paddock::testing::kFirstPiece;
using paddock::testing::kHelloMerges;
using paddock::testing::kHelloPieces;
using paddock::testing::llama2_style;

std::int32_t piece(const std::string& text) {
  const auto found = std::find(kHelloPieces.begin(), kHelloPieces.end(), text);
  return kFirstPiece + static_cast<std::int32_t>(found - kHelloPieces.begin());
}

ByteFallbackBpeTokenizer hello_tokenizer() {
  return ByteFallbackBpeTokenizer::parse(llama2_style(kHelloPieces, kHelloMerges).dump(),
                                         "hello/tokenizer.json");
}

TEST(ByteFallbackBpe, SpacesBecomeTheMarkAndTheTextGetsOneInFront) {
  const auto tokenizer = hello_tokenizer();
  EXPECT_EQ(tokenizer.encode("hello world"), (Ids{piece("▁hello"), piece("▁world")}));
  // Three spaces: two marks merge, as no pre-tokenizer splits the text.
  EXPECT_EQ(tokenizer.encode("hello   world"),
            (Ids{piece("▁hello"), piece("▁▁"), piece("▁world")}));
  EXPECT_EQ(tokenizer.decode(tokenizer.encode("hello world"), false), "hello world");
  // Strip removes one leading space only: a text that began with spaces keeps the rest.
  EXPECT_EQ(tokenizer.decode(tokenizer.encode("  hello"), false), "  hello");
  EXPECT_TRUE(tokenizer.encode("").empty());
}

TEST(ByteFallbackBpe, CharactersOutsideTheVocabularyBecomeTheirBytes) {
  const auto tokenizer = hello_tokenizer();
  // é is C3 A9; byte tokens are 3 + the byte.
  EXPECT_EQ(tokenizer.encode("hé"), (Ids{piece("▁h"), 3 + 0xC3, 3 + 0xA9}));
  EXPECT_EQ(tokenizer.decode(tokenizer.encode("hé\nlo"), false), "hé\nlo");
  // A broken run of bytes decodes to one U+FFFD per byte, as the tokenizers library's.
  EXPECT_EQ(tokenizer.decode({piece("h"), 3 + 0xC3, piece("o")}, false), "h\xEF\xBF\xBDo");
  EXPECT_THROW(tokenizer.decode({99999}, false), Error);
}

TEST(ByteFallbackBpe, WithoutByteTokensUnknownCharactersFuseIntoOneUnk) {
  const auto tokenizer = ByteFallbackBpeTokenizer::parse(
      llama2_style(kHelloPieces, kHelloMerges, /*byte_tokens=*/false).dump(), "t.json");
  EXPECT_EQ(tokenizer.encode("h€€o"), (Ids{piece("▁h"), 0, piece("o")}));
  json unfused = llama2_style(kHelloPieces, kHelloMerges, /*byte_tokens=*/false);
  unfused["model"]["fuse_unk"] = false;
  EXPECT_EQ(ByteFallbackBpeTokenizer::parse(unfused.dump(), "t.json").encode("h€€o"),
            (Ids{piece("▁h"), 0, 0, piece("o")}));
}

TEST(ByteFallbackBpe, SpecialTokensAreMatchedInTheRawTextAndCanBeSkipped) {
  const auto tokenizer = hello_tokenizer();
  // After a special token the text is a new segment and gets its own mark, as LLaMA-2's
  // tokenizer.json does.
  EXPECT_EQ(tokenizer.encode("<s>hello</s>world"), (Ids{1, piece("▁hello"), 2, piece("▁world")}));
  EXPECT_EQ(tokenizer.decode(tokenizer.encode("<s>hello</s>"), true), "hello");
  EXPECT_EQ(tokenizer.decode({1, piece("▁hello")}, false), "<s> hello");
}

TEST(ByteFallbackBpe, AMergesNewPairGoesBeforeTheRestOfItsRankAsInTheTokenizersLibrary) {
  // Ranks not in learning order, as in files converted from SentencePiece scores: "cdc"
  // (rank 0) is preferred to "cd" (rank 1). In "cdcd" the first "cd" forms, then its pair with
  // the next "c" outranks the second "cd": ▁ cdc d, not ▁ cd cd.
  const std::vector<std::string> pieces = {"▁", "c", "d", "cd", "cdc"};
  const auto tokenizer = ByteFallbackBpeTokenizer::parse(
      llama2_style(pieces, {{"cd", "c"}, {"c", "d"}}).dump(), "t.json");
  EXPECT_EQ(tokenizer.encode("cdcd"), (Ids{kFirstPiece, kFirstPiece + 4, kFirstPiece + 2}));
}

json metaspace_style(const std::string& scheme, bool split) {
  json file = llama2_style(kHelloPieces, kHelloMerges);
  file["normalizer"] = nullptr;
  const json metaspace = {
      {"type", "Metaspace"}, {"replacement", "▁"}, {"prepend_scheme", scheme}, {"split", split}};
  file["pre_tokenizer"] = metaspace;
  file["decoder"] = metaspace;
  return file;
}

TEST(ByteFallbackBpe, MetaspacePrependsWhereItsSchemeSaysAndSplitsBeforeEachMark) {
  const auto first = ByteFallbackBpeTokenizer::parse(metaspace_style("first", false).dump(), "t");
  EXPECT_EQ(first.encode("hello</s>hello"),
            (Ids{piece("▁hello"), 2, piece("h"), piece("e"), piece("ll"), piece("o")}));
  EXPECT_EQ(first.encode("hello   world"), (Ids{piece("▁hello"), piece("▁▁"), piece("▁world")}));
  const auto always = ByteFallbackBpeTokenizer::parse(metaspace_style("always", true).dump(), "t");
  EXPECT_EQ(always.encode("hello</s>hello"), (Ids{piece("▁hello"), 2, piece("▁hello")}));
  // Split: "▁hello", "▁", "▁", "▁world" are words of their own, so the marks cannot merge
  // (the tokenizers library's own example: "Hey   friend!" -> ▁Hey ▁ ▁ ▁friend!).
  EXPECT_EQ(always.encode("hello   world"),
            (Ids{piece("▁hello"), piece("▁"), piece("▁"), piece("▁world")}));
  // A text that starts with a space gets no second mark.
  EXPECT_EQ(always.encode(" hello"), (Ids{piece("▁hello")}));
  // The decoder drops the first token's marks and writes the others as spaces ...
  EXPECT_EQ(always.decode({piece("▁hello"), piece("▁world")}, false), "hello world");
  // ... unless nothing was prepended.
  const auto never = ByteFallbackBpeTokenizer::parse(metaspace_style("never", true).dump(), "t");
  EXPECT_EQ(never.encode("hello"), (Ids{piece("h"), piece("e"), piece("ll"), piece("o")}));
  EXPECT_EQ(never.decode({piece("▁hello")}, false), " hello");
}

TEST(ByteFallbackBpe, OtherSettingsAsTheTokenizersLibraryReadsThem) {
  // No decoder: the tokens are joined with spaces.
  json file = llama2_style(kHelloPieces, kHelloMerges);
  file["decoder"] = nullptr;
  EXPECT_EQ(ByteFallbackBpeTokenizer::parse(file.dump(), "t").decode({piece("▁hello"), 2}, false),
            "▁hello </s>");
  // Strip from both ends.
  file = llama2_style(kHelloPieces, kHelloMerges);
  file["decoder"]["decoders"][3] = {{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 1}};
  EXPECT_EQ(ByteFallbackBpeTokenizer::parse(file.dump(), "t")
                .decode({piece("▁hello"), piece("▁")}, false),
            "hello");
  // ignore_merges: a word that is a vocabulary entry is that entry, whatever the merges say.
  std::vector<std::string> pieces = kHelloPieces;
  pieces.push_back("▁lo");
  file = llama2_style(pieces, kHelloMerges);
  EXPECT_EQ(ByteFallbackBpeTokenizer::parse(file.dump(), "t").encode("lo"),
            (Ids{piece("▁"), piece("l"), piece("o")}));
  file["model"]["ignore_merges"] = true;
  EXPECT_EQ(ByteFallbackBpeTokenizer::parse(file.dump(), "t").encode("lo"),
            (Ids{kFirstPiece + static_cast<std::int32_t>(kHelloPieces.size())}));
  // Bytes that are not UTF-8 take their byte tokens and decode to U+FFFD.
  const auto tokenizer = hello_tokenizer();
  EXPECT_EQ(tokenizer.encode("h\xff"), (Ids{piece("▁h"), 3 + 0xFF}));
  EXPECT_EQ(tokenizer.decode(tokenizer.encode("h\xff"), false), "h\xEF\xBF\xBD");
  // With neither byte tokens nor an unk_token a character is dropped.
  file = llama2_style(kHelloPieces, kHelloMerges, /*byte_tokens=*/false);
  file["model"]["unk_token"] = nullptr;
  EXPECT_EQ(ByteFallbackBpeTokenizer::parse(file.dump(), "t").encode("h€o"),
            (Ids{piece("▁h"), piece("o")}));
}

TEST(ByteFallbackBpe, NormalizedAddedTokensAreMatchedAfterTheNormalizer) {
  json file = llama2_style(kHelloPieces, kHelloMerges);
  const std::int32_t added = 400;
  file["added_tokens"].push_back({{"id", added},
                                  {"content", "<x>"},
                                  {"single_word", false},
                                  {"lstrip", false},
                                  {"rstrip", false},
                                  {"normalized", true},
                                  {"special", false}});
  const auto tokenizer = ByteFallbackBpeTokenizer::parse(file.dump(), "t");
  // The token's normalized form is "▁<x>": found after a space or at the start ...
  EXPECT_EQ(tokenizer.encode("hello <x>"), (Ids{piece("▁hello"), added}));
  EXPECT_EQ(tokenizer.encode("<x>hello"),
            (Ids{added, piece("h"), piece("e"), piece("ll"), piece("o")}));
  // ... but not after a newline, where the text has no "▁".
  const Ids after_newline = tokenizer.encode("hello\n<x>");
  EXPECT_EQ(std::count(after_newline.begin(), after_newline.end(), added), 0);
}

TEST(ByteFallbackBpe, AddingTokensChecksThemAllFirst) {
  auto tokenizer = hello_tokenizer();
  const std::size_t size = tokenizer.vocab_size();
  EXPECT_THROW(tokenizer.add_special_tokens({"<r>", ""}), Error);
  EXPECT_THROW(tokenizer.add_special_tokens({"<r>", "\xff"}), Error);
  EXPECT_EQ(tokenizer.vocab_size(), size);
  EXPECT_FALSE(tokenizer.token_to_id("<r>").has_value());
  EXPECT_EQ(tokenizer.encode("<r>").size(), 4u);  // ▁ and its three characters
  // A content spelled like a vocabulary entry takes that entry's id.
  EXPECT_EQ(tokenizer.add_special_tokens({"▁hello", "<r>"}),
            (Ids{piece("▁hello"), static_cast<std::int32_t>(size)}));
  EXPECT_EQ(tokenizer.encode("<r>"), (Ids{static_cast<std::int32_t>(size)}));
}

TEST(ByteFallbackBpe, UnsupportedPartsAreErrorsNamingFileAndField) {
  const std::pair<std::function<void(json&)>, std::string> cases[] = {
      {[](json& j) {
         j["normalizer"] = {{"type", "NFKC"}};
       },
       "llama/tokenizer.json: normalizer: {\"type\":\"NFKC\"} is not supported"},
      {[](json& j) {
         j["normalizer"]["normalizers"][1]["pattern"] = {{"Regex", "\\s"}};
       },
       "normalizer.normalizers[1].pattern: must be {\"String\": \"...\"}"},
      {[](json& j) {
         j["pre_tokenizer"] = {{"type", "ByteLevel"}};
       },
       "pre_tokenizer: {\"type\":\"ByteLevel\"} is not supported"},
      {[](json& j) {
         j["pre_tokenizer"] = {
             {"type", "Metaspace"}, {"replacement", "▁"}, {"prepend_scheme", "sometimes"}};
       },
       "pre_tokenizer.prepend_scheme: must be \"always\", \"first\" or \"never\""},
      {[](json& j) {
         j["pre_tokenizer"] = {{"type", "Metaspace"}, {"replacement", "ab"}};
       },
       "pre_tokenizer.replacement: must be one character"},
      {[](json& j) { j["decoder"]["decoders"][3]["content"] = ""; },
       "decoder.decoders[3].content: must be one character"},
      {[](json& j) { j["decoder"]["decoders"][3]["start"] = -1; },
       "decoder.decoders[3].start: must be a count"},
      {[](json& j) {
         j["decoder"] = {{"type", "WordPiece"}};
       },
       "decoder: {\"type\":\"WordPiece\"} is not supported"},
      {[](json& j) { j["model"]["fuse_unk"] = "yes"; }, "model.fuse_unk: must be true or false"},
      {[](json& j) { j["model"]["merges"][0] = "▁ nothere"; },
       "model.merges[0]: 'nothere' is not in model.vocab"},
      {[](json& j) { j["model"]["byte_fallback"] = false; }, "model.byte_fallback: must be true"},
      {[](json& j) { j["model"]["dropout"] = 0.1; }, "model.dropout: must be null or 0"},
      {[](json& j) {
         j["pre_tokenizer"] = {{"type", "Metaspace"},
                               {"replacement", "▁"},
                               {"prepend_scheme", "always"},
                               {"add_prefix_space", false}};
       },
       "pre_tokenizer.add_prefix_space: false contradicts prepend_scheme \"always\""},
  };
  for (const auto& [edit, expected] : cases) {
    json file = llama2_style(kHelloPieces, kHelloMerges);
    edit(file);
    EXPECT_THAT(error_message(
                    [&] { ByteFallbackBpeTokenizer::parse(file.dump(), "llama/tokenizer.json"); }),
                HasSubstr(expected))
        << file.dump().substr(0, 200);
  }
  EXPECT_THAT(error_message([] { ByteFallbackBpeTokenizer::parse("{\"model\": [", "x.json"); }),
              HasSubstr("x.json: not valid JSON"));
}

TEST(ByteFallbackBpe, ACheckpointWithOnlyThisTokenizerJsonLoadsItAndKeepsAddedTokens) {
  TempDir directory;
  testing::write_text(directory / "tokenizer.json",
                      llama2_style(kHelloPieces, kHelloMerges).dump());
  testing::write_text(directory / "tokenizer_config.json",
                      R"({"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>",
                          "pad_token": null})");
  const auto tokenizer = load_checkpoint_tokenizer(directory.path());
  EXPECT_EQ(tokenizer->bos_id(), 1);
  EXPECT_EQ(tokenizer->eos_id(), 2);
  EXPECT_FALSE(tokenizer->pad_id().has_value());
  EXPECT_EQ(tokenizer->encode("hello world"), (Ids{piece("▁hello"), piece("▁world")}));
  // Per-token text keeps each piece's space and bytes: the tokens add up to the encoded text.
  std::string pieces_text;
  for (std::int32_t id : tokenizer->encode("hello wé")) pieces_text += tokenizer->token_text(id);
  EXPECT_EQ(pieces_text, " hello wé");
  EXPECT_EQ(tokenizer->token_text(3 + 0xC3), "\xC3");
  EXPECT_EQ(tokenizer->token_text(1), "<s>");
  // Quark's reward tokens: new ids after the vocabulary, matched whole.
  const std::int32_t vocabulary = static_cast<std::int32_t>(tokenizer->vocab_size());
  EXPECT_EQ(tokenizer->add_special_tokens({"<reward_0>", "</s>"}), (Ids{vocabulary, 2}));
  EXPECT_EQ(tokenizer->encode("<reward_0>hello"), (Ids{vocabulary, piece("▁hello")}));

  TempDir saved;
  tokenizer->save(saved.path());
  const auto reloaded = load_checkpoint_tokenizer(saved.path());
  EXPECT_EQ(reloaded->vocab_size(), tokenizer->vocab_size());
  EXPECT_EQ(reloaded->encode("<reward_0>hello world</s>"),
            tokenizer->encode("<reward_0>hello world</s>"));
  EXPECT_EQ(reloaded->bos_id(), 1);
  EXPECT_EQ(reloaded->decode(reloaded->encode("<reward_0>hé</s>"), true), "hé");

  testing::write_text(directory / "tokenizer_config.json", R"({"bos_token": "<start>"})");
  EXPECT_THAT(error_message([&] { load_checkpoint_tokenizer(directory.path()); }),
              HasSubstr("tokenizer_config.json: the bos token '<start>'"));
}

}  // namespace
}  // namespace paddock::transformer
