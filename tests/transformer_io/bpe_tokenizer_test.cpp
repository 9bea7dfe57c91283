// Byte-level BPE encoding and decoding: ids computed by hand for a tiny tokenizer.json,
// added and special tokens, and round trips of arbitrary UTF-8 and raw bytes.
#include "paddock/transformer/bpe_tokenizer.hpp"

#include <gtest/gtest.h>

#include <random>

#include "paddock/transformer/bpe_trainer.hpp"
#include "paddock/transformer/tokenizer_json.hpp"
#include "paddock/transformer/utf8.hpp"
#include "test_support.hpp"

namespace paddock::transformer {
namespace {

using testing::error_message;
using ::testing::HasSubstr;
using testing::test_data;
using Ids = std::vector<std::int32_t>;

BpeTokenizer tiny() {
  return load_tokenizer_json(test_data("tiny_tokenizer.json"));
}

// A tokenizer with every byte, trained on a little mixed-script text.
BpeTokenizer trained(PreTokenizerPattern pattern) {
  BpeTrainerOptions options;
  options.vocab_size = 400;
  options.special_tokens = {"<|endoftext|>", "<pad>"};
  options.pattern = pattern;
  const std::vector<std::string> corpus = {
      "The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs!",
      "Ελληνικά κείμενα και русский текст, 東京都と大阪府, 12345 67890 numbers.",
      "It's what they'll say: we're here, you've seen, I'm sure, he'd go.\n\n\tIndented\r\n"};
  return train_bpe_tokenizer(corpus, options);
}

// Random text mixing ASCII, Latin, Greek, Cyrillic, CJK, emoji, digits and whitespace.
std::string random_utf8(std::mt19937& random, std::size_t length) {
  const std::pair<char32_t, char32_t> ranges[] = {
      {0x20, 0x7E},   {0x20, 0x7E},     {0x20, 0x7E},       {0x09, 0x0D},       {0xA0, 0x24F},
      {0x370, 0x3FF}, {0x400, 0x4FF},   {0x4E00, 0x9FFF},   {0x1F300, 0x1F64F}, {0x2000, 0x206F},
      {0x660, 0x669}, {0x3000, 0x303F}, {0x10000, 0x10FFFF}};
  std::string text;
  for (std::size_t i = 0; i < length; ++i) {
    const auto& [first, last] = ranges[random() % std::size(ranges)];
    char32_t code_point = first + static_cast<char32_t>(random() % (last - first + 1));
    if (code_point >= 0xD800 && code_point <= 0xDFFF) code_point = 'x';
    append_utf8(code_point, text);
  }
  return text;
}

TEST(BpeTokenizer, KnownIdsForAHandWrittenTokenizer) {
  const BpeTokenizer tokenizer = tiny();
  EXPECT_EQ(tokenizer.vocab_size(), 23u);
  // "hello" -> h e l l o -> he l l o -> he ll o -> hell o -> hello
  EXPECT_EQ(tokenizer.encode("hello"), (Ids{12}));
  // " world" -> Ġ w o r l d -> Ġw o r l d -> Ġw or l d -> Ġwor l d -> Ġworl d -> Ġworld
  EXPECT_EQ(tokenizer.encode("hello world!"), (Ids{12, 17, 8}));
  EXPECT_EQ(tokenizer.encode("hell"), (Ids{11}));
  EXPECT_EQ(tokenizer.encode("lol"), (Ids{2, 3, 2}));        // no merge applies
  EXPECT_EQ(tokenizer.encode("hello's"), (Ids{12, 20}));     // contraction split
  EXPECT_EQ(tokenizer.encode("world"), (Ids{5, 14, 2, 7}));  // "Ġw or" needs the Ġ
  EXPECT_EQ(tokenizer.encode("hello<|endoftext|>world"), (Ids{12, 21, 5, 14, 2, 7}));
  EXPECT_EQ(tokenizer.encode("<reward_good>hello"), (Ids{22, 12}));
  EXPECT_EQ(tokenizer.encode_ignoring_added_tokens("hello"), (Ids{12}));
  EXPECT_EQ(tokenizer.encode(""), Ids{});
}

TEST(BpeTokenizer, DecodesAndSkipsSpecialTokens) {
  const BpeTokenizer tokenizer = tiny();
  EXPECT_EQ(tokenizer.decode({12, 17, 8}), "hello world!");
  EXPECT_EQ(tokenizer.decode({12, 21, 22, 17}), "hello<|endoftext|><reward_good> world");
  EXPECT_EQ(tokenizer.decode({12, 21, 22, 17}, /*skip_special_tokens=*/true),
            "hello<reward_good> world");
  EXPECT_THAT(error_message([&] { tokenizer.decode({23}); }), HasSubstr("cannot decode id 23"));
  EXPECT_THAT(error_message([&] { tokenizer.decode({-1}); }), HasSubstr("cannot decode id -1"));
}

TEST(BpeTokenizer, LooksTokensUpBothWays) {
  const BpeTokenizer tokenizer = tiny();
  EXPECT_EQ(tokenizer.token_to_id("Ġworld"), 17);
  EXPECT_EQ(tokenizer.token_to_id("<|endoftext|>"), 21);
  EXPECT_EQ(tokenizer.token_to_id("nope"), std::nullopt);
  EXPECT_EQ(tokenizer.id_to_token(17), "Ġworld");
  EXPECT_EQ(tokenizer.id_to_token(22), "<reward_good>");
  EXPECT_EQ(tokenizer.id_to_token(99), std::nullopt);
}

TEST(BpeTokenizer, ByteWithoutATokenIsAnError) {
  EXPECT_THAT(error_message([&] { tiny().encode("x"); }), HasSubstr("cannot encode byte 0x78"));
}

TEST(BpeTokenizer, AddsSpecialTokensAndRoles) {
  BpeTokenizer tokenizer = tiny();
  const Ids ids = tokenizer.add_special_tokens({"<|endoftext|>", "<pad>", "<reward_0>", "hello"});
  EXPECT_EQ(ids, (Ids{21, 23, 24, 12}));  // existing ids kept, new ones appended
  EXPECT_EQ(tokenizer.vocab_size(), 25u);
  EXPECT_EQ(tokenizer.add_tokens({"<pad>"}), (Ids{23}));  // already there
  EXPECT_EQ(tokenizer.encode("hello<pad><reward_0>"), (Ids{12, 23, 24}));
  EXPECT_EQ(tokenizer.decode({12, 23, 24}, /*skip_special_tokens=*/true), "");
  EXPECT_EQ(tokenizer.decode({17, 24}), " world<reward_0>");

  tokenizer.set_special_token_roles({"<|endoftext|>", "<|endoftext|>", "<pad>", ""});
  EXPECT_EQ(tokenizer.bos_id(), 21);
  EXPECT_EQ(tokenizer.eos_id(), 21);
  EXPECT_EQ(tokenizer.pad_id(), 23);
  EXPECT_EQ(tokenizer.unk_id(), std::nullopt);
  EXPECT_THAT(error_message([&] {
                tokenizer.set_special_token_roles({"<s>", "", "", ""});
              }),
              HasSubstr("the bos token '<s>' is not in the tokenizer"));
}

TEST(BpeTokenizer, LongestAddedTokenWins) {
  BpeTokenizer tokenizer = tiny();
  tokenizer.add_tokens({"<r>", "<r><r>"});
  EXPECT_EQ(tokenizer.encode("<r><r><r>"), (Ids{24, 23}));
}

TEST(BpeTokenizer, RoundTripsArbitraryUtf8) {
  for (PreTokenizerPattern pattern : {PreTokenizerPattern::gpt2, PreTokenizerPattern::llama3}) {
    const BpeTokenizer tokenizer = trained(pattern);
    std::mt19937 random(7);
    for (int trial = 0; trial < 300; ++trial) {
      const std::string text = random_utf8(random, random() % 60);
      ASSERT_EQ(tokenizer.decode(tokenizer.encode(text)), text);
    }
    const std::string sample = "The quick brown fox, 東京都! It's 12345.\n\n";
    EXPECT_LT(tokenizer.encode(sample).size(), sample.size());  // merges did something
  }
}

TEST(BpeTokenizer, RoundTripsRawBytesIncludingInvalidUtf8) {
  const BpeTokenizer tokenizer = trained(PreTokenizerPattern::gpt2);
  std::mt19937 random(11);
  for (int trial = 0; trial < 300; ++trial) {
    std::string bytes(random() % 80, '\0');
    for (char& byte : bytes) byte = static_cast<char>(random() % 256);
    ASSERT_EQ(tokenizer.decode(tokenizer.encode(bytes)), bytes);
  }
  const char raw[] = "\xff\xfe a\xc3 \xe6\x9d\xb1\x00\x80<|endoftext|>\xf0\x9f";
  const char raw_without_special[] = "\xff\xfe a\xc3 \xe6\x9d\xb1\x00\x80\xf0\x9f";
  const std::string tricky(raw, sizeof(raw) - 1);
  EXPECT_EQ(tokenizer.decode(tokenizer.encode(tricky)), tricky);
  EXPECT_EQ(tokenizer.decode(tokenizer.encode(tricky), /*skip_special_tokens=*/true),
            std::string(raw_without_special, sizeof(raw_without_special) - 1));
}

TEST(BpeTokenizer, AddPrefixSpaceAndIgnoreMerges) {
  std::string json = testing::read_text(test_data("tiny_tokenizer.json"));
  json.replace(json.find("\"add_prefix_space\": false"), 25, "\"add_prefix_space\": true");
  EXPECT_EQ(parse_tokenizer_json(json, "prefix").encode("world"), (Ids{17}));

  // ignore_merges: a piece that is a vocab entry is taken whole, even without a merge path.
  std::string whole = testing::read_text(test_data("tiny_tokenizer.json"));
  whole.replace(whole.find("\"'s\": 20"), 8, "\"'s\": 20, \"lol\": 23");
  whole.replace(whole.find("\"fuse_unk\""), 10, "\"ignore_merges\": true, \"fuse_unk\"");
  const BpeTokenizer tokenizer = parse_tokenizer_json(whole, "ignore_merges");
  EXPECT_EQ(tokenizer.encode("lol"), (Ids{23}));
  EXPECT_EQ(tokenizer.encode("hello"), (Ids{12}));
}

}  // namespace
}  // namespace paddock::transformer
