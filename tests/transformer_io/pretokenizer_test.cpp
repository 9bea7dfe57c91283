// The hand-written GPT-2 and LLaMA-3 pre-tokenization patterns, on splits worked out by hand
// from the regexes, plus the Unicode classes and the byte-level alphabet they rely on.
#include "paddock/transformer/pretokenizer.hpp"

#include <gtest/gtest.h>

#include <random>

#include "paddock/transformer/byte_level_alphabet.hpp"
#include "paddock/transformer/unicode_classes.hpp"
#include "paddock/transformer/utf8.hpp"

namespace paddock::transformer {
namespace {

using Pieces = std::vector<std::string>;

Pieces split(std::string_view text, PreTokenizerPattern pattern) {
  Pieces pieces;
  for (std::string_view piece : split_pretokens(text, pattern)) pieces.emplace_back(piece);
  return pieces;
}
Pieces gpt2(std::string_view text) {
  return split(text, PreTokenizerPattern::gpt2);
}
Pieces llama3(std::string_view text) {
  return split(text, PreTokenizerPattern::llama3);
}

TEST(PreTokenizer, Gpt2Pattern) {
  EXPECT_EQ(gpt2("Hello world"), (Pieces{"Hello", " world"}));
  EXPECT_EQ(gpt2("I'm here, it's 2024!"),
            (Pieces{"I", "'m", " here", ",", " it", "'s", " 2024", "!"}));
  EXPECT_EQ(gpt2("we'll they've you're he'd"),
            (Pieces{"we", "'ll", " they", "'ve", " you", "'re", " he", "'d"}));
  EXPECT_EQ(gpt2("I'M"), (Pieces{"I", "'", "M"}));  // case-sensitive contractions
  EXPECT_EQ(gpt2("a   b"), (Pieces{"a", "  ", " b"}));
  EXPECT_EQ(gpt2("a\n\nb"), (Pieces{"a", "\n", "\n", "b"}));
  EXPECT_EQ(gpt2("x  "), (Pieces{"x", "  "}));
  EXPECT_EQ(gpt2("123abc"), (Pieces{"123", "abc"}));
  EXPECT_EQ(gpt2("hi!! ?"), (Pieces{"hi", "!!", " ?"}));
  EXPECT_EQ(gpt2("$5.00"), (Pieces{"$", "5", ".", "00"}));
  EXPECT_EQ(gpt2("Ünïcödé wörld"), (Pieces{"Ünïcödé", " wörld"}));
  EXPECT_EQ(gpt2("東京 2024"), (Pieces{"東京", " 2024"}));
  EXPECT_EQ(gpt2("Привет, мир"), (Pieces{"Привет", ",", " мир"}));
  EXPECT_EQ(gpt2("\tx"), (Pieces{"\t", "x"}));
  EXPECT_EQ(gpt2("a\xff\xfe b"), (Pieces{"a", "\xff\xfe", " b"}));  // invalid bytes are "other"
  EXPECT_TRUE(gpt2("").empty());
}

TEST(PreTokenizer, Llama3Pattern) {
  EXPECT_EQ(llama3("Hello world"), (Pieces{"Hello", " world"}));
  EXPECT_EQ(llama3("12345"), (Pieces{"123", "45"}));
  EXPECT_EQ(llama3("I'M here"), (Pieces{"I", "'M", " here"}));  // case-insensitive
  EXPECT_EQ(llama3("(hello"), (Pieces{"(hello"}));
  EXPECT_EQ(llama3("hello\n\nworld"), (Pieces{"hello", "\n\n", "world"}));
  EXPECT_EQ(llama3("a  b"), (Pieces{"a", " ", " b"}));
  EXPECT_EQ(llama3("!!!\n"), (Pieces{"!!!\n"}));
  EXPECT_EQ(llama3("x \n y"), (Pieces{"x", " \n", " y"}));
  EXPECT_EQ(llama3("end  "), (Pieces{"end", "  "}));
  EXPECT_EQ(llama3("v2.0"), (Pieces{"v", "2", ".", "0"}));
}

// Hugging Face's Digits pre-tokenizer, then the pattern on the text between the digits.
TEST(PreTokenizer, DigitsAreSplitOffBeforeThePattern) {
  auto pieces = [](std::string_view text, DigitSplitting digits) {
    Pieces out;
    for (auto piece : split_pretokens(text, PreTokenizerPattern::gpt2, digits))
      out.emplace_back(piece);
    return out;
  };
  using enum DigitSplitting;
  EXPECT_EQ(pieces("add 23 and 405.", individual),
            (Pieces{"add", " ", "2", "3", " and", " ", "4", "0", "5", "."}));
  EXPECT_EQ(pieces("add 23 and 405.", runs), (Pieces{"add", " ", "23", " and", " ", "405", "."}));
  EXPECT_EQ(pieces("x12y", individual), (Pieces{"x", "1", "2", "y"}));
  EXPECT_EQ(pieces("\u0663\u00bd7", individual),
            (Pieces{"\u0663", "\u00bd", "7"}));  // Arabic-Indic three, one half
  EXPECT_EQ(pieces("no digits here", individual), pieces("no digits here", none));
  EXPECT_TRUE(pieces("", individual).empty());
}

TEST(PreTokenizer, PiecesAlwaysConcatenateToTheInput) {
  std::mt19937 random(3);
  for (int trial = 0; trial < 500; ++trial) {
    std::string bytes(random() % 40, '\0');
    for (char& byte : bytes) byte = static_cast<char>("a \n'1!\xc3\xa9\xff"[random() % 10]);
    for (auto pattern : {PreTokenizerPattern::gpt2, PreTokenizerPattern::llama3}) {
      for (auto digits : {DigitSplitting::none, DigitSplitting::runs, DigitSplitting::individual}) {
        std::string joined;
        for (std::string_view piece : split_pretokens(bytes, pattern, digits)) {
          ASSERT_FALSE(piece.empty());
          joined += piece;
        }
        ASSERT_EQ(joined, bytes);
      }
    }
  }
}

TEST(PreTokenizer, RegexLookupRoundTrips) {
  for (auto pattern : {PreTokenizerPattern::gpt2, PreTokenizerPattern::llama3}) {
    EXPECT_EQ(pretokenizer_pattern_for_regex(pretokenizer_regex(pattern)), pattern);
  }
  EXPECT_EQ(pretokenizer_pattern_for_regex("\\w+"), std::nullopt);
}

TEST(UnicodeClasses, CoversCommonScripts) {
  for (char32_t letter : {U'a', U'Z', U'é', U'ß', U'Ω', U'ж', U'東', U'ひ', U'한', U'ا', U'अ'}) {
    EXPECT_TRUE(is_unicode_letter(letter)) << static_cast<unsigned>(letter);
  }
  for (char32_t number : {U'0', U'9', U'٣', U'²', U'½', U'Ⅻ'}) {
    EXPECT_TRUE(is_unicode_number(number)) << static_cast<unsigned>(number);
  }
  for (char32_t other : {U'!', U' ', U'_', U'€', U'😀', U'\u0301', U'\u093E'}) {
    EXPECT_FALSE(is_unicode_letter(other)) << static_cast<unsigned>(other);
    EXPECT_FALSE(is_unicode_number(other)) << static_cast<unsigned>(other);
  }
  for (char32_t space : {U' ', U'\t', U'\n', U'\r', U'\u00A0', U'\u3000', U'\u2009'}) {
    EXPECT_TRUE(is_unicode_whitespace(space)) << static_cast<unsigned>(space);
  }
  EXPECT_FALSE(is_unicode_whitespace(U'\u200B'));  // zero width space is not White_Space
}

TEST(ByteLevelAlphabet, MapsEveryByteToOneCharacterAndBack) {
  const auto& characters = byte_level_characters();
  EXPECT_EQ(characters[' '], "Ġ");
  EXPECT_EQ(characters['\n'], "Ċ");
  EXPECT_EQ(characters['a'], "a");
  EXPECT_EQ(characters[0], "Ā");
  EXPECT_EQ(characters[0xAD], "Ń");
  std::string all;
  for (int byte = 0; byte < 256; ++byte) all.push_back(static_cast<char>(byte));
  EXPECT_EQ(byte_level_to_bytes(bytes_to_byte_level(all)), all);
  EXPECT_EQ(byte_level_to_bytes("東"), std::nullopt);
}

TEST(Utf8, DecodesStrictly) {
  EXPECT_TRUE(is_valid_utf8("héllo 東京 😀"));
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xe6\x9d"));          // truncated
  const DecodedCodePoint decoded = decode_utf8("\xe6\x9d\xb1", 0);
  EXPECT_TRUE(decoded.valid);
  EXPECT_EQ(decoded.value, U'東');
  EXPECT_EQ(decoded.length, 3u);
}

TEST(Utf8, RepairReplacesInvalidBytesWithReplacementCharacters) {
  EXPECT_EQ(repair_utf8("caf\xC3\xA9 \xE2\x82\xAC"), "caf\xC3\xA9 \xE2\x82\xAC");
  EXPECT_EQ(repair_utf8("ab\xE2\x82"), "ab\xEF\xBF\xBD\xEF\xBF\xBD");  // cut mid-character
  EXPECT_EQ(repair_utf8("\x8F!"), "\xEF\xBF\xBD!");                    // stray continuation
  EXPECT_EQ(repair_utf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");      // overlong
  EXPECT_EQ(repair_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
}

}  // namespace
}  // namespace paddock::transformer
