// Logit bias given as token strings: tiktoken rank files, Hugging Face tokenizer.json and
// vocab.json, the errors for bad files and for strings that are not one token, pool files
// that name the place of a bad string, and the ids a request to the loopback server carries.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "annotators_test_support.hpp"
#include "api_judge_config.hpp"
#include "api_llm_annotator.hpp"
#include "api_llm_factory.hpp"
#include "llama2_style_tokenizer.hpp"
#include "logit_bias.hpp"
#include "loopback_server.hpp"
#include "paddock/error.hpp"
#include "paddock/transformer/sentencepiece_tokenizer.hpp"
#include "test_support.hpp"
#include "tiktoken_ranks.hpp"
#include "token_vocabulary.hpp"

namespace paddock::annotators {
namespace {

using namespace testing;
using paddock::testing::TempDir;
using paddock::testing::write_text;
using ::testing::HasSubstr;

std::string base64(const std::string& bytes) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned value = (static_cast<unsigned char>(bytes[i]) << 16) |
                           (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                           static_cast<unsigned char>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out += alphabet[(value >> shift) & 63];
  }
  if (i + 1 == bytes.size()) {
    const unsigned value = static_cast<unsigned char>(bytes[i]) << 16;
    out += alphabet[(value >> 18) & 63];
    out += alphabet[(value >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    const unsigned value = (static_cast<unsigned char>(bytes[i]) << 16) |
                           (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += alphabet[(value >> 18) & 63];
    out += alphabet[(value >> 12) & 63];
    out += alphabet[(value >> 6) & 63];
    out += '=';
  }
  return out;
}

// A small rank file in tiktoken's format: every byte (ranks 0..255), then merged tokens.
std::string rank_file_text() {
  std::string text;
  for (int byte = 0; byte < 256; ++byte) {
    text += base64(std::string(1, static_cast<char>(byte))) + " " + std::to_string(byte) + "\n";
  }
  const std::vector<std::string> merged = {"th",  "Bo",  "Both",   " B", " Both", "ut",
                                           "Out", "put", "Output", " (", "Ne",    "Neither"};
  for (std::size_t k = 0; k < merged.size(); ++k) {
    text += base64(merged[k]) + " " + std::to_string(256 + k) + "\n";
  }
  return text;
}

// A byte-level BPE tokenizer.json: "hello", " world" and an added token.
const char* kTokenizerJson = R"({
  "version": "1.0",
  "added_tokens": [
    {"id": 21, "content": "<|endoftext|>", "single_word": false, "lstrip": false,
     "rstrip": false, "normalized": false, "special": true}
  ],
  "normalizer": null,
  "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true,
                    "use_regex": true},
  "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true,
              "use_regex": true},
  "model": {
    "type": "BPE", "dropout": null, "unk_token": null, "fuse_unk": false, "byte_fallback": false,
    "vocab": {
      "h": 0, "e": 1, "l": 2, "o": 3, "\u0120": 4, "w": 5, "r": 6, "d": 7, "!": 8,
      "he": 9, "ll": 10, "hell": 11, "hello": 12, "\u0120w": 13, "or": 14, "\u0120wor": 15,
      "\u0120worl": 16, "\u0120world": 17, "'": 18, "s": 19, "'s": 20
    },
    "merges": ["h e", "l l", "he ll", "hell o", "\u0120 w", "o r", "\u0120w or", "\u0120wor l",
               "\u0120worl d", "' s"]
  }
})";

const char* kVocabJson =
    R"({"h": 0, "e": 1, "l": 2, "o": 3, "\u0120": 4, "w": 5, "hello": 6, "\u0120world": 7})";

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  return "(no error)";
}

class LogitBiasTest : public ::testing::Test {
 protected:
  std::filesystem::path write(const std::string& name, const std::string& text) {
    write_text(dir_ / name, text);
    return dir_ / name;
  }

  nlohmann::json resolve(const nlohmann::json& ids, const nlohmann::json& tokens,
                         const std::filesystem::path& tokenizer) {
    LogitBiasInput input;
    input.ids = ids;
    input.tokens = tokens;
    input.tokenizer = tokenizer;
    TokenVocabularyCache cache;
    return resolve_logit_bias(input, "judge 'j'", cache);
  }

  TempDir dir_;
};

TEST(Base64, DecodesPaddedTextAndPointsAtTheFirstBadCharacter) {
  std::size_t bad = 99;
  EXPECT_EQ(decode_base64("IEJvdGg=", bad), " Both");
  EXPECT_EQ(decode_base64("IQ==", bad), "!");
  EXPECT_EQ(decode_base64("YWJj", bad), "abc");
  EXPECT_FALSE(decode_base64("YW*j", bad));
  EXPECT_EQ(bad, 2u);
  EXPECT_FALSE(decode_base64("YWJ", bad));  // not a multiple of 4
  EXPECT_EQ(bad, 3u);
  EXPECT_FALSE(decode_base64("Y=Jj", bad));  // padding in the middle
  EXPECT_EQ(bad, 1u);
  EXPECT_FALSE(decode_base64("", bad));
}

TEST_F(LogitBiasTest, TiktokenRanksLookUpExactBytesAndMergeByRank) {
  const TiktokenRanks ranks = TiktokenRanks::parse(rank_file_text(), "test.tiktoken");
  EXPECT_EQ(ranks.size(), 268u);
  EXPECT_EQ(ranks.rank_of(" Both"), 260);
  EXPECT_EQ(ranks.rank_of("Both"), 258);
  EXPECT_EQ(ranks.rank_of("!"), 33);
  EXPECT_FALSE(ranks.rank_of("Output (a)"));
  const auto pieces = ranks.merge_pieces("Output (a)");
  ASSERT_EQ(pieces.size(), 4u);
  EXPECT_EQ(pieces[0].first, "Output");
  EXPECT_EQ(pieces[0].second, 264);
  EXPECT_EQ(pieces[1].first, " (");
  EXPECT_EQ(pieces[1].second, 265);
  EXPECT_EQ(pieces[2].first, "a");
  EXPECT_EQ(pieces[2].second, 97);
  EXPECT_EQ(pieces[3].first, ")");
  EXPECT_EQ(pieces[3].second, 41);
}

TEST_F(LogitBiasTest, BadRankFilesAreRefusedWithFileLineAndColumn) {
  const std::string good = base64("a") + " 0\n";
  const auto parse_error = [](const std::string& text) {
    return error_of([&] { TiktokenRanks::parse(text, "bad.tiktoken"); });
  };
  EXPECT_THAT(parse_error(good + "YWJj\n"),
              HasSubstr("bad.tiktoken:2:1: expected 'BASE64_TOKEN RANK'"));
  EXPECT_THAT(parse_error(good + "YWJj 1 2\n"), HasSubstr("bad.tiktoken:2:1: expected"));
  EXPECT_THAT(parse_error(good + "YW*j 1\n"),
              HasSubstr("bad.tiktoken:2:3: invalid base64 in the token 'YW*j'"));
  EXPECT_THAT(parse_error(good + "YWJj x1\n"),
              HasSubstr("bad.tiktoken:2:6: the rank 'x1' is not a non-negative integer"));
  EXPECT_THAT(parse_error(good + "YWJj -4\n"), HasSubstr("is not a non-negative integer"));
  EXPECT_THAT(parse_error(good + "YWJj 0\n"), HasSubstr("bad.tiktoken:2:6: rank 0 is given twice"));
  EXPECT_THAT(parse_error(good + "\n" + base64("a") + " 7\n"),
              HasSubstr("bad.tiktoken:3:1: the token 'YQ==' is given twice (ranks 0 and 7)"));
  EXPECT_THAT(parse_error("\n\n"),
              HasSubstr("bad.tiktoken: the tiktoken rank file holds no tokens"));
  // Windows line ends and blank lines are fine.
  EXPECT_EQ(TiktokenRanks::parse(good + "\r\n" + base64("b") + " 1\r\n", "ok").size(), 2u);
  EXPECT_THAT(error_of([&] { TiktokenRanks::load(dir_ / "missing.tiktoken"); }),
              HasSubstr("missing.tiktoken: cannot read the tiktoken rank file"));
}

TEST_F(LogitBiasTest, TokenStringsResolveThroughATiktokenFile) {
  const auto file = write("model.tiktoken", rank_file_text());
  const nlohmann::json resolved =
      resolve({{"7", 5}}, {{" Both", -100}, {"Neither", -100}, {"Output", 7}}, file);
  EXPECT_EQ(resolved, nlohmann::json({{"7", 5}, {"260", -100}, {"267", -100}, {"264", 7}}));
}

TEST_F(LogitBiasTest, AStringThatIsNotOneTokenSaysHowItSplits) {
  const auto file = write("model.tiktoken", rank_file_text());
  const std::string message = error_of([&] { resolve({}, {{"Output (a)", 7}}, file); });
  EXPECT_THAT(message, HasSubstr("judge 'j': logit_bias_tokens: 'Output (a)' is not one token of "
                                 "tiktoken rank file " +
                                 file.string()));
  EXPECT_THAT(message, HasSubstr("it splits into 4 tokens: 'Output' (264), ' (' (265), 'a' (97), "
                                 "')' (41)"));
}

TEST_F(LogitBiasTest, ConflictsRangesAndMissingTokenizersAreErrors) {
  const auto file = write("model.tiktoken", rank_file_text());
  EXPECT_THAT(error_of([&] {
                resolve({{"260", 1}}, {{" Both", -100}}, file);
              }),
              HasSubstr("logit_bias_tokens ' Both' is token 260, which logit_bias id 260 "
                        "already biases"));
  EXPECT_THAT(error_of([&] {
                resolve({}, {{" Both", -101}}, file);
              }),
              HasSubstr("the logit bias for token ' Both' must be a number in [-100, 100]"));
  EXPECT_THAT(error_of([&] {
                resolve({}, {{" Both", "high"}}, file);
              }),
              HasSubstr("must be a number in [-100, 100], not \"high\""));
  EXPECT_THAT(error_of([&] {
                resolve({}, {{" Both", -100}}, {});
              }),
              HasSubstr("logit_bias_tokens needs logit_bias_tokenizer"));
  EXPECT_THAT(error_of([&] {
                resolve({{"Both", -100}}, {}, {});
              }),
              HasSubstr("logit_bias key 'Both' is not a token id (digits only); give token "
                        "strings in logit_bias_tokens"));
  EXPECT_THAT(error_of([&] { resolve({}, {{"", 1}}, file); }), HasSubstr("empty token string"));
  // Ids alone need no tokenizer, and keep their values as written.
  EXPECT_EQ(resolve({{"11995", -100}}, {}, {}), nlohmann::json({{"11995", -100}}));
}

TEST_F(LogitBiasTest, TokenizerJsonMapsRawTextThroughTheByteLevelAlphabet) {
  const auto file = write("tokenizer.json", kTokenizerJson);
  const auto vocabulary = load_token_vocabulary(file);
  EXPECT_EQ(vocabulary->id_of(" world"), 17);
  EXPECT_EQ(vocabulary->id_of("hello"), 12);
  EXPECT_EQ(vocabulary->id_of("<|endoftext|>"), 21);
  EXPECT_FALSE(vocabulary->id_of("world"));
  EXPECT_EQ(resolve({}, {{" world", -100}, {"<|endoftext|>", -100}}, file),
            nlohmann::json({{"17", -100}, {"21", -100}}));
  EXPECT_THAT(error_of([&] {
                resolve({}, {{"hello world", 3}}, file);
              }),
              HasSubstr("'hello world' is not one token of tokenizer.json " + file.string() +
                        "; it splits into 2 tokens: 'hello' (12), ' world' (17)"));
}

TEST_F(LogitBiasTest, SentencePieceVocabulariesSpellASpaceAsTheirMark) {
  const auto file = write(
      "llama/tokenizer.json",
      paddock::testing::llama2_style(paddock::testing::kHelloPieces, paddock::testing::kHelloMerges)
          .dump());
  for (const auto& path : {file, file.parent_path()}) {
    const auto vocabulary = load_token_vocabulary(path);
    EXPECT_EQ(vocabulary->id_of(" world"), 276) << path;
    EXPECT_EQ(vocabulary->id_of(" hello"), 271);
    EXPECT_FALSE(vocabulary->id_of("hello"));
    EXPECT_EQ(vocabulary->id_of("\n"), 13);  // a byte piece, <0x0A>
    EXPECT_EQ(vocabulary->id_of("</s>"), 2);
  }
  EXPECT_EQ(resolve({}, {{" world", -100}, {"</s>", 5}}, file),
            nlohmann::json({{"276", -100}, {"2", 5}}));
  EXPECT_THAT(error_of([&] {
                resolve({}, {{"hello world", 3}}, file);
              }),
              HasSubstr("'hello world' is not one token of tokenizer.json " + file.string() +
                        "; it splits into 2 tokens: ' hello' (271), ' world' (276)"));

  // A SentencePiece tokenizer.model, alone or in a model directory: its pieces, as the
  // tokenizer itself names them.
  const auto model = transformer::SentencePieceTokenizer::load(PADDOCK_TINY_LLAMA_TOKENIZER);
  std::filesystem::create_directories(dir_ / "tiny_llama");
  std::filesystem::copy_file(PADDOCK_TINY_LLAMA_TOKENIZER, dir_ / "tiny_llama/tokenizer.model");
  for (const std::filesystem::path& path :
       {std::filesystem::path(PADDOCK_TINY_LLAMA_TOKENIZER), dir_ / "tiny_llama"}) {
    const auto vocabulary = load_token_vocabulary(path);
    const auto the = model.token_to_id("▁the");
    ASSERT_TRUE(the.has_value());
    EXPECT_EQ(vocabulary->id_of(" the"), *the) << path;
    EXPECT_EQ(vocabulary->id_of("\n"), model.token_to_id("<0x0A>"));
    EXPECT_EQ(vocabulary->id_of("</s>"), 2);
  }
}

TEST_F(LogitBiasTest, VocabJsonWorksAloneOrWithMergesBesideIt) {
  const auto alone = write("alone/vocab.json", kVocabJson);
  EXPECT_EQ(resolve({}, {{" world", 2}}, alone), nlohmann::json({{"7", 2}}));
  EXPECT_THAT(error_of([&] {
                resolve({}, {{"hello world", 3}}, alone);
              }),
              HasSubstr("'hello world' is not one token of vocab.json " + alone.string() +
                        " (no merges.txt beside it). Bias the tokens"));

  const auto with_merges = write("model/vocab.json",
                                 R"({"h": 0, "e": 1, "l": 2, "o": 3, "he": 4, "ll": 5,
                                     "hell": 6, "hello": 7, "\u0120": 8})");
  write("model/merges.txt", "#version: 0.2\nh e\nl l\nhe ll\nhell o\n");
  EXPECT_EQ(resolve({}, {{"hello", 1}}, with_merges), nlohmann::json({{"7", 1}}));
  EXPECT_THAT(error_of([&] {
                resolve({}, {{"hell o", 1}}, with_merges);
              }),
              HasSubstr("it splits into 3 tokens: 'hell' (6), ' ' (8), 'o' (3)"));
  // A model directory holding them.
  EXPECT_EQ(resolve({}, {{"hello", 1}}, dir_ / "model"), nlohmann::json({{"7", 1}}));
}

TEST_F(LogitBiasTest, BadTokenizerFilesAreRefusedWithTheirPlace) {
  EXPECT_THAT(error_of([&] { load_token_vocabulary(dir_ / "nowhere.tiktoken"); }),
              HasSubstr("nowhere.tiktoken: the tokenizer file does not exist"));
  const auto text_file = write("vocab.txt", "hello 1\n");
  EXPECT_THAT(error_of([&] { load_token_vocabulary(text_file); }),
              HasSubstr("vocab.txt: unknown tokenizer format"));
  const auto broken = write("broken/vocab.json", "{\"a\": 1,\n  \"b\" 2}");
  EXPECT_THAT(error_of([&] { load_token_vocabulary(broken); }),
              HasSubstr("broken/vocab.json:2:7: not valid JSON"));
  const auto huge = write("huge/vocab.json", "{\"a\": 1,\n  \"b\": 1e999}");
  EXPECT_THAT(error_of([&] { load_token_vocabulary(huge); }), HasSubstr("huge/vocab.json:2:"));
  const auto array = write("array/vocab.json", "[1, 2]");
  EXPECT_THAT(error_of([&] { load_token_vocabulary(array); }), HasSubstr("expected a JSON object"));
  const auto negative = write("negative/vocab.json", R"({"a": 0, "b": -1})");
  EXPECT_THAT(error_of([&] { load_token_vocabulary(negative); }),
              HasSubstr("the id of token 'b' must be a non-negative integer, found -1"));
  const auto twice = write("twice/vocab.json", R"({"a": 3, "b": 3})");
  EXPECT_THAT(error_of([&] { load_token_vocabulary(twice); }),
              HasSubstr("id 3 is given to both 'a' and 'b'"));
  const auto empty = write("empty/vocab.json", "{}");
  EXPECT_THAT(error_of([&] { load_token_vocabulary(empty); }),
              HasSubstr("the vocabulary is empty"));
  // A tokenizer.json the BPE reader refuses names the file.
  const auto wordpiece = write("wp/tokenizer.json", R"({"model": {"type": "WordPiece"}})");
  EXPECT_THAT(error_of([&] { load_token_vocabulary(wordpiece); }), HasSubstr(wordpiece.string()));
  const auto bad_ranks = write("bad.tiktoken", "YQ== 0\nYg==\n");
  EXPECT_THAT(error_of([&] { load_token_vocabulary(bad_ranks); }),
              HasSubstr(bad_ranks.string() + ":2:1: expected 'BASE64_TOKEN RANK'"));
}

// A pool file whose judge biases a string that is two tokens: the error names the line and
// column of that string in the pool file, and tokenizer paths resolve against the
// tokenizer directory when one is given.
TEST_F(LogitBiasTest, PoolFilesNameTheLineAndColumnOfABadTokenString) {
  write("prompts/t.txt", "{{#examples}}\n{output_1} {output_2}\n{{/examples}}\n");
  write("tokenizers/model.tiktoken", rank_file_text());
  const std::string judge_head =
      "[[judge]]\n"
      "name = \"j1\"\n"
      "model = \"m\"\n"
      "template_with_input = \"prompts/t.txt\"\n"
      "template_without_input = \"prompts/t.txt\"\n"
      "parse_patterns = ['1:A', '2:B']\n";
  const auto pool =
      write("pool.toml",
            "[defaults]\n"
            "logit_bias_tokenizer = \"model.tiktoken\"\n" +
                judge_head + "logit_bias_tokens = { \" Both\" = -100, \"Output (a)\" = 7 }\n");
  const std::string message = error_of([&] { load_judge_pool(pool, {}, dir_ / "tokenizers"); });
  EXPECT_THAT(message, HasSubstr(pool.string() +
                                 ":9:39: judge 1: logit_bias_tokens: 'Output (a)' is not one "
                                 "token"));
  EXPECT_THAT(message, HasSubstr("'Output' (264), ' (' (265), 'a' (97), ')' (41)"));

  // Without the tokenizer directory the path is relative to the pool file, where it is not.
  EXPECT_THAT(
      error_of([&] { load_judge_pool(pool, {}); }),
      HasSubstr((dir_ / "model.tiktoken").string() + ": the tokenizer file does not exist"));

  const auto good =
      write("good.toml", "[defaults]\nlogit_bias_tokenizer = \"model.tiktoken\"\n" + judge_head +
                             "logit_bias = { \"7\" = 1 }\n"
                             "logit_bias_tokens = { \" Both\" = -100 }\n");
  const JudgePoolFile loaded = load_judge_pool(good, {}, dir_ / "tokenizers");
  ASSERT_EQ(loaded.judges.size(), 1u);
  EXPECT_EQ(loaded.judges[0].logit_bias, nlohmann::json({{"7", 1}, {"260", -100}}));
}

// The request a judge sends carries the ids its token strings stand for.
TEST_F(LogitBiasTest, RequestsCarryTheResolvedIds) {
  ::setenv("no_proxy", "127.0.0.1,localhost", 1);
  ::setenv("NO_PROXY", "127.0.0.1,localhost", 1);
  write("t.txt", "{{#examples}}\nA: {output_1}\nB: {output_2}\n{{/examples}}\n");
  const auto tokenizer = write("model.tiktoken", rank_file_text());
  LoopbackServer server([](std::size_t, const ReceivedRequest& request) {
    return ScriptedResponse{200, chat_response(scripted_labels(prompt_of(request.body)))};
  });
  nlohmann::json values = nlohmann::json::object();
  for (const auto& param : api_llm_params()) {
    if (!param.default_value.is_null()) values[param.name] = param.default_value;
  }
  values["model"] = "m";
  values["base_url"] = server.base_url();
  values["api_key_env"] = "none";
  values["template_with_input"] = (dir_ / "t.txt").string();
  values["template_without_input"] = (dir_ / "t.txt").string();
  values["parse_patterns"] = {"1:Output \\(a\\)", "2:Output \\(b\\)"};
  values["cache_file"] = (dir_ / "cache.jsonl").string();
  values["logit_bias"] = {{"99", 3}};
  values["logit_bias_tokens"] = {{" Both", -100}, {"Neither", -100}, {"Output", 7}};
  values["logit_bias_tokenizer"] = tokenizer.string();
  ApiLlmSetup setup;
  setup.work_dir = dir_.path();
  const auto judge = make_api_llm_annotator(Params(values), setup);

  const auto answers = judge->annotate(std::vector{make_pair("q", "GOOD a", "weak b")});
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].preference, 1);
  ASSERT_EQ(server.received().size(), 1u);
  const auto body = nlohmann::json::parse(server.received()[0].body);
  EXPECT_EQ(body["logit_bias"],
            nlohmann::json({{"99", 3}, {"260", -100}, {"267", -100}, {"264", 7}}));
}

// The ids shipped in configs/annotators/api_judges.toml, checked against the real
// vocabularies when PADDOCK_TIKTOKEN_DIR holds cl100k_base.tiktoken (GPT-4, ChatGPT) and
// p50k_base.tiktoken (text-davinci-003); skipped otherwise (the files are OpenAI's to
// distribute, not ours).
TEST(ShippedLogitBias, IdsAreTheTokensTheCommentsName) {
  const char* directory = std::getenv("PADDOCK_TIKTOKEN_DIR");
  if (!directory) GTEST_SKIP() << "set PADDOCK_TIKTOKEN_DIR to check the shipped ids";
  const JudgePoolFile pool =
      load_judge_pool(std::filesystem::path(PADDOCK_ANNOTATORS_CONFIG_DIR) / "api_judges.toml", {});
  // The strings each encoding's judges bias, as the pool file's comments state them.
  const std::map<std::string, nlohmann::json> strings = {
      {"cl100k_base", {{" Both", -100}, {" Neither", -100}, {"Both", -100}, {"Neither", -100}}},
      {"p50k_base",
       {{" Both", -100},
        {" Neither", -100},
        {"Both", -100},
        {"Neither", -100},
        {"Output", 7},
        {" (", 7}}},
  };
  std::size_t checked = 0;
  for (const ApiJudgeConfig& judge : pool.judges) {
    if (judge.logit_bias.empty()) continue;
    const std::string encoding = judge.model == "text-davinci-003" ? "p50k_base" : "cl100k_base";
    const auto file = std::filesystem::path(directory) / (encoding + ".tiktoken");
    if (!std::filesystem::exists(file)) continue;
    LogitBiasInput input;
    input.tokens = strings.at(encoding);
    input.tokenizer = file;
    TokenVocabularyCache cache;
    EXPECT_EQ(judge.logit_bias, resolve_logit_bias(input, judge.name, cache)) << judge.name;
    ++checked;
  }
  if (checked == 0)
    GTEST_SKIP() << "no cl100k_base.tiktoken or p50k_base.tiktoken in " << directory;
}

}  // namespace
}  // namespace paddock::annotators
