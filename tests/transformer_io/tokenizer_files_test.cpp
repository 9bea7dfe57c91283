// Tokenizer files: tokenizer.json errors naming the file and field, vocab.json + merges.txt,
// save -> load giving the same ids, LLaMA-3-style configuration, roles from
// tokenizer_config.json.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "paddock/transformer/tokenizer_directory.hpp"
#include "paddock/transformer/tokenizer_json.hpp"
#include "paddock/transformer/vocab_merges_files.hpp"
#include "test_support.hpp"

namespace paddock::transformer {
namespace {

using testing::error_message;
using ::testing::HasSubstr;
using testing::TempDir;
using testing::test_data;
using Ids = std::vector<std::int32_t>;

nlohmann::json tiny_json() {
  return nlohmann::json::parse(testing::read_text(test_data("tiny_tokenizer.json")));
}

std::string parse_error(const nlohmann::json& json) {
  return error_message([&] { parse_tokenizer_json(json.dump(), "broken/tokenizer.json"); });
}

TEST(TokenizerJsonErrors, UnknownModelType) {
  nlohmann::json json = tiny_json();
  json["model"]["type"] = "WordPiece";
  EXPECT_THAT(parse_error(json),
              HasSubstr("broken/tokenizer.json: model.type: 'WordPiece' is not supported"));
}

TEST(TokenizerJsonErrors, MalformedMerges) {
  const std::pair<nlohmann::json, std::string> cases[] = {
      {"h e l", "model.merges[3]: \"h e l\" is not two tokens separated by one space"},
      {"he", "model.merges[3]: \"he\" is not two tokens"},
      {nlohmann::json::array({"a", "b", "c"}), "model.merges[3]: [\"a\",\"b\",\"c\"] is neither"},
      {42, "model.merges[3]: 42 is neither"},
  };
  for (const auto& [merge, expected] : cases) {
    nlohmann::json json = tiny_json();
    json["model"]["merges"][3] = merge;
    EXPECT_THAT(parse_error(json), HasSubstr(expected)) << merge.dump();
  }
  nlohmann::json json = tiny_json();
  json["model"]["merges"] = "h e";
  EXPECT_THAT(parse_error(json), HasSubstr("model.merges: must be an array"));
}

TEST(TokenizerJsonErrors, VocabAndMergesDisagree) {
  nlohmann::json json = tiny_json();
  json["model"]["merges"][1] = "l z";
  EXPECT_THAT(parse_error(json), HasSubstr("model.merges[1]: 'z' is not in model.vocab"));

  json = tiny_json();
  json["model"]["vocab"].erase("hello");
  EXPECT_THAT(
      parse_error(json),
      HasSubstr(
          "model.merges[3]: merging 'hell' and 'o' gives 'hello', which is not in model.vocab"));

  json = tiny_json();
  json["model"]["vocab"]["dup"] = 3;
  EXPECT_THAT(parse_error(json), HasSubstr("model.vocab: id 3 is given to both"));

  json = tiny_json();
  json["model"]["vocab"]["neg"] = -1;
  EXPECT_THAT(parse_error(json), HasSubstr("model.vocab: token 'neg' has id -1"));

  json = tiny_json();
  json["model"]["vocab"]["str"] = "7";
  EXPECT_THAT(parse_error(json),
              HasSubstr("model.vocab: token 'str' has id \"7\", not an integer"));

  json = tiny_json();
  json["added_tokens"][0]["id"] = 12;
  EXPECT_THAT(parse_error(json),
              HasSubstr("added_tokens[0]: id 12 is 'hello' in model.vocab, not '<|endoftext|>'"));

  json = tiny_json();
  json["model"]["unk_token"] = "<unk>";
  EXPECT_THAT(parse_error(json), HasSubstr("model.unk_token: '<unk>' is not in model.vocab"));
}

TEST(TokenizerJsonErrors, StructureAndUnsupportedParts) {
  EXPECT_THAT(error_message([&] { parse_tokenizer_json("{\"model\": ", "t.json"); }),
              HasSubstr("t.json: not valid JSON"));
  const std::pair<std::function<void(nlohmann::json&)>, std::string> cases[] = {
      {[](auto& j) { j.erase("model"); }, "model: missing"},
      {[](auto& j) { j["model"].erase("vocab"); }, "model.vocab: missing"},
      {[](auto& j) { j["model"]["byte_fallback"] = true; }, "model.byte_fallback"},
      {[](auto& j) { j["model"]["continuing_subword_prefix"] = "##"; },
       "model.continuing_subword_prefix"},
      {[](auto& j) {
         j["normalizer"] = {{"type", "NFC"}};
       },
       "normalizer: {\"type\":\"NFC\"} is not supported"},
      {[](auto& j) { j["pre_tokenizer"] = nullptr; }, "pre_tokenizer: missing"},
      {[](auto& j) {
         j["pre_tokenizer"] = {{"type", "Whitespace"}};
       },
       "pre_tokenizer.type: 'Whitespace'"},
      {[](auto& j) {
         j["decoder"] = {{"type", "WordPiece"}};
       },
       "decoder:"},
      {[](auto& j) { j["added_tokens"][1].erase("content"); },
       "added_tokens[1].content: must be a string"},
      {[](auto& j) { j["added_tokens"][1]["id"] = 21; },
       "added_tokens[1]: id 21 is already added token"},
      {[](auto& j) { j["added_tokens"][1]["special"] = "yes"; },
       "added_tokens[1].special: must be true or false"},
  };
  for (const auto& [edit, expected] : cases) {
    nlohmann::json json = tiny_json();
    edit(json);
    const std::string message = parse_error(json);
    EXPECT_THAT(message, HasSubstr("broken/tokenizer.json: ")) << expected;
    EXPECT_THAT(message, HasSubstr(expected));
  }
}

nlohmann::json llama3_pre_tokenizer() {
  return {{"type", "Sequence"},
          {"pretokenizers",
           {{{"type", "Split"},
             {"pattern", {{"Regex", pretokenizer_regex(PreTokenizerPattern::llama3)}}},
             {"behavior", "Isolated"},
             {"invert", false}},
            {{"type", "ByteLevel"}, {"use_regex", false}}}}};
}

// Found by the fuzzer (tests/fuzz): a mistyped "type", "behavior" or "invert" escaped as
// nlohmann::json::type_error instead of an error naming the file and the field.
TEST(TokenizerJsonErrors, MistypedFieldsNameTheField) {
  const std::pair<std::function<void(nlohmann::json&)>, std::string> cases[] = {
      {[](auto& j) {
         j["normalizer"] = {{"type", 5}};
       },
       "normalizer: {\"type\":5}"},
      {[](auto& j) {
         j["decoder"] = {{"type", 5}};
       },
       "decoder: {\"type\":5}"},
      {[](auto& j) {
         j["pre_tokenizer"] = llama3_pre_tokenizer();
         j["pre_tokenizer"]["pretokenizers"][0]["type"] = 5;
       },
       "pre_tokenizer.pretokenizers: only [ByteLevel] or [Split, ByteLevel]"},
      {[](auto& j) {
         j["pre_tokenizer"] = llama3_pre_tokenizer();
         j["pre_tokenizer"]["pretokenizers"][1]["type"] = nullptr;
       },
       "pre_tokenizer.pretokenizers: only [ByteLevel] or [Split, ByteLevel]"},
      {[](auto& j) {
         j["pre_tokenizer"] = llama3_pre_tokenizer();
         j["pre_tokenizer"]["pretokenizers"][0]["behavior"] = 1;
       },
       "pre_tokenizer.pretokenizers[0]: only behavior \"Isolated\""},
      {[](auto& j) {
         j["pre_tokenizer"] = llama3_pre_tokenizer();
         j["pre_tokenizer"]["pretokenizers"][0]["invert"] = "no";
       },
       "pre_tokenizer.pretokenizers[0].invert: must be true or false"},
  };
  for (const auto& [edit, expected] : cases) {
    nlohmann::json json = tiny_json();
    edit(json);
    EXPECT_THAT(parse_error(json), HasSubstr("broken/tokenizer.json: " + expected));
  }
}

// Found by the fuzzer: id 2^31 - 1 overflowed `max_id + 1`, and a large added-token id made
// the id table ask for tens of gigabytes.
TEST(TokenizerJsonErrors, IdsFarPastTheVocabularyAreRefused) {
  nlohmann::json json = tiny_json();
  json["model"]["vocab"]["far"] = 2147483647;
  EXPECT_THAT(parse_error(json), HasSubstr("model.vocab: token 'far': id 2147483647 is too large"));

  json = tiny_json();
  json["added_tokens"][1]["id"] = 2147483000;
  EXPECT_THAT(parse_error(json), HasSubstr("added_tokens[1]: id 2147483000 is too large"));

  json = tiny_json();  // gaps are fine
  json["added_tokens"][1]["id"] = 100000;
  EXPECT_EQ(parse_tokenizer_json(json.dump(), "gappy.json").token_to_id("<reward_good>"), 100000);
}

// Found by the fuzzer: copying or quoting a deeply nested value recursed once per level.
TEST(TokenizerJsonErrors, DeeplyNestedJsonIsRefusedWithoutRecursing) {
  const std::size_t depth = 1'000'000;
  const std::string text =
      R"({"post_processor":)" + std::string(depth, '[') + std::string(depth, ']') + "}";
  EXPECT_THAT(error_message([&] { parse_tokenizer_json(text, "deep/tokenizer.json"); }),
              HasSubstr("deep/tokenizer.json: JSON nested more than 64 levels deep"));
}

TEST(TokenizerJson, SaveThenLoadGivesTheSameIdsAndText) {
  TempDir directory;
  const BpeTokenizer original = load_tokenizer_json(test_data("tiny_tokenizer.json"));
  save_tokenizer_json(original, directory / "tokenizer.json");
  const BpeTokenizer loaded = load_tokenizer_json(directory / "tokenizer.json");
  for (const char* text : {"hello world!", "hello's<|endoftext|>", "<reward_good>lol", "world"}) {
    EXPECT_EQ(loaded.encode(text), original.encode(text)) << text;
  }
  EXPECT_EQ(tokenizer_json_text(loaded), tokenizer_json_text(original));

  const nlohmann::json saved =
      nlohmann::json::parse(testing::read_text(directory / "tokenizer.json"));
  EXPECT_EQ(saved["model"]["type"], "BPE");
  EXPECT_EQ(saved["model"]["merges"][0], "h e");
  EXPECT_EQ(saved["model"]["merges"][9], "' s");
  EXPECT_EQ(saved["model"]["vocab"]["Ġworld"], 17);
  EXPECT_EQ(saved["added_tokens"][0]["content"], "<|endoftext|>");
  EXPECT_EQ(saved["added_tokens"][0]["special"], true);
  EXPECT_EQ(saved["pre_tokenizer"]["type"], "ByteLevel");
  EXPECT_EQ(saved["decoder"]["type"], "ByteLevel");
}

TEST(TokenizerJson, Llama3StyleConfigurationLoadsAndSaves) {
  nlohmann::json json = tiny_json();
  json["pre_tokenizer"] = {
      {"type", "Sequence"},
      {"pretokenizers",
       {{{"type", "Split"},
         {"pattern", {{"Regex", pretokenizer_regex(PreTokenizerPattern::llama3)}}},
         {"behavior", "Isolated"},
         {"invert", false}},
        {{"type", "ByteLevel"},
         {"add_prefix_space", false},
         {"trim_offsets", true},
         {"use_regex", false}}}}};
  json["post_processor"] = {
      {"type", "TemplateProcessing"},
      {"single", {{{"SpecialToken", {{"id", "<|endoftext|>"}, {"type_id", 0}}}}}}};
  json["model"]["ignore_merges"] = true;
  const BpeTokenizer tokenizer = parse_tokenizer_json(json.dump(), "llama3.json");
  EXPECT_EQ(tokenizer.parts().pre_tokenizer.pattern, PreTokenizerPattern::llama3);
  EXPECT_EQ(tokenizer.encode("hello world!"), (Ids{12, 17, 8}));
  const nlohmann::json saved = nlohmann::json::parse(tokenizer_json_text(tokenizer));
  EXPECT_EQ(saved["pre_tokenizer"], json["pre_tokenizer"]);
  EXPECT_EQ(saved["post_processor"], json["post_processor"]);
  EXPECT_EQ(saved["model"]["ignore_merges"], true);

  json["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = "\\w+";
  EXPECT_THAT(parse_error(json),
              HasSubstr("pre_tokenizer.pretokenizers[0].pattern.Regex: not a pattern"));
}

// Hugging Face's Sequence [Digits(individual_digits), ByteLevel]: every digit is a piece of
// its own before the GPT-2 pattern runs on the text between digits.
TEST(TokenizerJson, DigitsStepSplitsNumbersAndSaves) {
  nlohmann::json json = tiny_json();
  // Digits and a merge "2 0" that the Digits step must keep from applying.
  json["model"]["vocab"]["0"] = 30;
  json["model"]["vocab"]["2"] = 31;
  json["model"]["vocab"]["4"] = 32;
  json["model"]["vocab"]["20"] = 33;
  json["model"]["merges"].push_back("2 0");
  json["pre_tokenizer"] = {{"type", "Sequence"},
                           {"pretokenizers",
                            {{{"type", "Digits"}, {"individual_digits", true}},
                             {{"type", "ByteLevel"},
                              {"add_prefix_space", false},
                              {"trim_offsets", true},
                              {"use_regex", true}}}}};
  const BpeTokenizer tokenizer = parse_tokenizer_json(json.dump(), "digits.json");
  EXPECT_EQ(tokenizer.parts().pre_tokenizer.digits, DigitSplitting::individual);
  const auto ids = tokenizer.encode("hello 2024");
  EXPECT_EQ(tokenizer.decode(ids), "hello 2024");
  // "hello", " ", then one id per digit.
  ASSERT_EQ(ids.size(), 6u);
  EXPECT_EQ(tokenizer.decode({ids[2]}), "2");
  EXPECT_EQ(tokenizer.decode({ids[5]}), "4");
  const nlohmann::json saved = nlohmann::json::parse(tokenizer_json_text(tokenizer));
  EXPECT_EQ(saved["pre_tokenizer"], json["pre_tokenizer"]);

  json["pre_tokenizer"]["pretokenizers"][0]["individual_digits"] = false;
  EXPECT_EQ(parse_tokenizer_json(json.dump(), "runs.json").parts().pre_tokenizer.digits,
            DigitSplitting::runs);
  json["pre_tokenizer"]["pretokenizers"][0]["individual_digits"] = "yes";
  EXPECT_THAT(parse_error(json),
              HasSubstr("pre_tokenizer.pretokenizers[0].individual_digits: must be true or false"));
  json["pre_tokenizer"]["pretokenizers"][0]["individual_digits"] = true;
  json["pre_tokenizer"]["pretokenizers"][1]["add_prefix_space"] = true;
  EXPECT_THAT(parse_error(json), HasSubstr("pre_tokenizer.pretokenizers[1].add_prefix_space: must "
                                           "be false after a Digits step"));
  json["pre_tokenizer"]["pretokenizers"] = {{{"type", "Digits"}, {"individual_digits", true}}};
  EXPECT_THAT(parse_error(json), HasSubstr("pre_tokenizer.pretokenizers: only [ByteLevel]"));
}

TEST(VocabAndMerges, GiveTheSameIdsAsTokenizerJson) {
  const BpeTokenizer from_json = load_tokenizer_json(test_data("tiny_tokenizer.json"));
  BpeTokenizer from_files = load_vocab_and_merges(test_data("tiny_vocab.json"),
                                                  test_data("tiny_merges.txt"), {"<|endoftext|>"});
  for (const char* text : {"hello world!", "hello's<|endoftext|>", "hell", "world"}) {
    EXPECT_EQ(from_files.encode(text), from_json.encode(text)) << text;
  }
  EXPECT_EQ(from_files.token_to_id("<|endoftext|>"), 21);
  EXPECT_EQ(from_files.add_special_tokens({"<pad>"}), (Ids{22}));
}

TEST(VocabAndMerges, ErrorsNameTheFileAndLine) {
  TempDir directory;
  testing::write_text(directory / "merges.txt", "#version: 0.2\nh e\nh e l\n");
  EXPECT_THAT(
      error_message(
          [&] { load_vocab_and_merges(test_data("tiny_vocab.json"), directory / "merges.txt"); }),
      HasSubstr((directory / "merges.txt").string() + ": line 3: \"h e l\" is not two tokens"));
  testing::write_text(directory / "merges.txt", "h e\nq u\n");
  EXPECT_THAT(error_message([&] {
                load_vocab_and_merges(test_data("tiny_vocab.json"), directory / "merges.txt");
              }),
              HasSubstr("merges.txt line 2: 'q' is not in vocab.json"));
  testing::write_text(directory / "vocab.json", "[1]");
  EXPECT_THAT(error_message([&] {
                load_vocab_and_merges(directory / "vocab.json", directory / "merges.txt");
              }),
              HasSubstr("vocab.json: must be a JSON object"));
}

TEST(TokenizerDirectory, SavesAndLoadsRoles) {
  TempDir directory;
  BpeTokenizer tokenizer = load_tokenizer_json(test_data("tiny_tokenizer.json"));
  tokenizer.add_special_tokens({"<pad>"});
  tokenizer.set_special_token_roles({"<|endoftext|>", "<|endoftext|>", "<pad>", ""});
  save_tokenizer(tokenizer, directory.path());
  const BpeTokenizer loaded = load_tokenizer(directory.path());
  EXPECT_EQ(loaded.bos_id(), 21);
  EXPECT_EQ(loaded.eos_id(), 21);
  EXPECT_EQ(loaded.pad_id(), 23);
  EXPECT_EQ(loaded.encode("hello<pad>"), (Ids{12, 23}));
}

TEST(TokenizerDirectory, ReadsObjectRolesAndRejectsUnknownOnes) {
  TempDir directory;
  std::filesystem::copy_file(test_data("tiny_tokenizer.json"), directory / "tokenizer.json");
  testing::write_text(
      directory / "tokenizer_config.json",
      R"({"eos_token": {"content": "<|endoftext|>", "special": true}, "pad_token": null})");
  EXPECT_EQ(load_tokenizer(directory.path()).eos_id(), 21);
  testing::write_text(directory / "tokenizer_config.json", R"({"bos_token": "<s>"})");
  EXPECT_THAT(error_message([&] { load_tokenizer(directory.path()); }),
              HasSubstr("tokenizer_config.json: the bos token '<s>' is not in the tokenizer"));
  testing::write_text(directory / "tokenizer_config.json", R"({"bos_token": 5})");
  EXPECT_THAT(error_message([&] { load_tokenizer(directory.path()); }),
              HasSubstr("tokenizer_config.json: bos_token: must be a string"));

  TempDir empty;
  EXPECT_THAT(error_message([&] { load_tokenizer(empty.path()); }), HasSubstr("no tokenizer.json"));
}

TEST(TokenizerDirectory, FallsBackToVocabAndMerges) {
  TempDir directory;
  std::filesystem::copy_file(test_data("tiny_vocab.json"), directory / "vocab.json");
  std::filesystem::copy_file(test_data("tiny_merges.txt"), directory / "merges.txt");
  EXPECT_EQ(load_tokenizer(directory.path()).encode("hello world!"), (Ids{12, 17, 8}));
}

// As Hugging Face's GPT-2 tokenizer: "<|endoftext|>" is one special token and the default
// bos/eos/unk, with or without a tokenizer_config.json, and saving keeps it as an added token.
TEST(TokenizerDirectory, EndOfTextFromVocabAndMergesIsSpecial) {
  TempDir directory;
  std::filesystem::copy_file(test_data("tiny_vocab.json"), directory / "vocab.json");
  std::filesystem::copy_file(test_data("tiny_merges.txt"), directory / "merges.txt");
  const BpeTokenizer tokenizer = load_tokenizer(directory.path());
  EXPECT_EQ(tokenizer.encode("hello<|endoftext|>"), (Ids{12, 21}));
  EXPECT_EQ(tokenizer.eos_id(), 21);
  EXPECT_EQ(tokenizer.bos_id(), 21);
  EXPECT_EQ(tokenizer.decode({12, 21}, /*skip_special_tokens=*/true), "hello");

  TempDir saved;
  save_tokenizer(tokenizer, saved.path());
  const BpeTokenizer again = load_tokenizer(saved.path());
  EXPECT_EQ(again.encode("hello<|endoftext|>"), (Ids{12, 21}));
  EXPECT_EQ(again.eos_id(), 21);

  testing::write_text(directory / "tokenizer_config.json",
                      R"({"eos_token": "<|endoftext|>", "pad_token": "!"})");
  const BpeTokenizer configured = load_tokenizer(directory.path());
  EXPECT_EQ(configured.pad_id(), 8);
  EXPECT_EQ(configured.encode("hello<|endoftext|>"), (Ids{12, 21}));
}

}  // namespace
}  // namespace paddock::transformer
