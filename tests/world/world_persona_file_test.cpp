// Persona files: the shipped file parses to 13 personas; mistakes name file, line and column.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "paddock/error.hpp"
#include "persona_file.hpp"

namespace paddock::world {
namespace {

std::string parse_error(const std::string& text) {
  try {
    parse_personas(text, "judges.toml");
  } catch (const Error& error) {
    return error.what();
  }
  return "no error";
}

TEST(WorldPersonaFile, ShippedFileDefinesThirteenPersonas) {
  const auto personas = parse_personas(builtin_personas_toml(1), builtin_personas_name(1));
  ASSERT_EQ(personas.size(), 13u);
  std::set<std::string> names;
  int lists = 0, longer = 0, first = 0, blind = 0;
  for (const PersonaSpec& p : personas) {
    names.insert(p.name);
    lists += p.prefer_lists > 0;
    longer += p.prefer_longer > 0;
    first += p.prefer_first > 0;
    blind += !p.cannot_verify.empty();
  }
  EXPECT_EQ(names.size(), 13u);
  EXPECT_GT(lists, 0);
  EXPECT_GT(longer, 0);
  EXPECT_GT(first, 0);
  EXPECT_GT(blind, 0);
}

TEST(WorldPersonaFile, BuiltInCopyMatchesTheConfigFile) {
  const auto from_file = load_personas_file(PADDOCK_WORLD_PERSONAS_FILE);
  const auto built_in = parse_personas(builtin_personas_toml(1), builtin_personas_name(1));
  ASSERT_EQ(from_file.size(), built_in.size());
  for (std::size_t i = 0; i < built_in.size(); ++i) EXPECT_EQ(from_file[i].name, built_in[i].name);
}

TEST(WorldPersonaFile, ValuesAreRead) {
  const auto personas = parse_personas(R"([[persona]]
name = "picky"
temperature = 2
length = 1.5
prefer_first = 0.4
misjudge_rate = 0.1
cannot_verify = ["counting", "sequence"]
)",
                                       "judges.toml");
  ASSERT_EQ(personas.size(), 1u);
  EXPECT_EQ(personas[0].temperature, 2.0);
  EXPECT_EQ(personas[0].weights.length, 1.5);
  EXPECT_EQ(personas[0].weights.correctness, UtilityWeights{}.correctness);
  EXPECT_EQ(personas[0].prefer_first, 0.4);
  EXPECT_EQ(personas[0].cannot_verify.size(), 2u);
}

TEST(WorldPersonaFile, SyntaxErrorsNameLineAndColumn) {
  const std::string message = parse_error("[[persona]]\nname = \"a\"\ntemperature = = 1\n");
  EXPECT_EQ(message.rfind("judges.toml:3:", 0), 0u) << message;
  EXPECT_NE(message.find("error:"), std::string::npos) << message;
}

TEST(WorldPersonaFile, SchemaErrorsNameLineAndColumn) {
  EXPECT_EQ(
      parse_error("[[persona]]\nname = \"a\"\ntemprature = 1.0\n"),
      "judges.toml:3:1: error: unknown persona key 'temprature'; allowed keys: name, "
      "description, temperature, correctness, helpfulness, detail, length, repetition, ending, "
      "prefer_longer, prefer_lists, prefer_first, misjudge_rate, cannot_verify");
  EXPECT_EQ(parse_error("[[persona]]\nname = \"a\"\ntemperature = \"hot\"\n"),
            "judges.toml:3:15: error: 'temperature' must be a number");
  EXPECT_EQ(parse_error("[[persona]]\nname = \"a\"\ntemperature = 0\n"),
            "judges.toml:3:15: error: 'temperature' must be above 0, got 0");
  EXPECT_EQ(parse_error("[[persona]]\nname = \"a\"\nmisjudge_rate = 0.9\n"),
            "judges.toml:3:17: error: 'misjudge_rate' must lie in [0, 0.5], got 0.9");
  EXPECT_EQ(parse_error("[[persona]]\nname = \"a\"\ncannot_verify = [\"counting\", \"poems\"]\n")
                .rfind("judges.toml:3:30: error: unknown family 'poems'; known families: ", 0),
            0u);
  EXPECT_EQ(parse_error("[[persona]]\nname = \"a\"\n[[persona]]\nname = \"a\"\n"),
            "judges.toml:4:8: error: persona name 'a' is used twice");
  EXPECT_EQ(parse_error("[[persona]]\ntemperature = 1.0\n"),
            "judges.toml:1:1: error: this persona has no 'name'");
  EXPECT_EQ(parse_error("[[persona]]\nname = \"a b\"\n"),
            "judges.toml:2:8: error: 'name' may hold only letters, digits and underscores, got "
            "'a b'");
  EXPECT_EQ(
      parse_error("judges = 3\n"),
      "judges.toml:1:1: error: unknown top-level key 'judges'; a persona file holds `version` "
      "and [[persona]] tables");
  EXPECT_EQ(parse_error("# nothing here\n"),
            "judges.toml:1:1: error: no [[persona]] table; define at least one persona");
  EXPECT_EQ(parse_error("persona = 3\n"),
            "judges.toml:1:11: error: 'persona' must be written as [[persona]] tables");
}

TEST(WorldPersonaFile, MissingFileIsReported) {
  try {
    load_personas_file("/nonexistent/judges.toml");
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("/nonexistent/judges.toml: cannot open"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace paddock::world
