// Paddock's Jinja engine against the real jinja2: every template in tests/serve/data,
// rendered for every conversation of conversations.json (with and without the generation
// prompt) by both, must give byte-identical text, or both must fail (with the same message
// when the template raised it). jinja2 runs as Hugging Face configures it, through
// jinja_reference.py and /usr/bin/python3; without jinja2 there the test is skipped (CI
// installs python3-jinja2).
#include <gtest/gtest.h>

#include <filesystem>

#include "jinja_template.hpp"
#include "test_support.hpp"

namespace paddock::serve::jinja {
namespace {

using nlohmann::ordered_json;
using paddock::testing::TempDir;

const std::filesystem::path kData = PADDOCK_SERVE_TEST_DATA;
constexpr const char* kPython = "/usr/bin/python3";

const char* const kTemplates[] = {"chatml", "llama2", "llama3",   "mistral",
                                  "zephyr", "gemma",  "features", "whitespace"};

// The contexts both engines render: each conversation twice, with the special tokens Hugging
// Face passes.
ordered_json contexts() {
  const ordered_json conversations =
      ordered_json::parse(paddock::testing::read_text(kData / "conversations.json"));
  ordered_json all = ordered_json::array();
  for (const auto& conversation : conversations) {
    for (const bool generation_prompt : {true, false}) {
      all.push_back({{"bos_token", "<s>"},
                     {"eos_token", "</s>"},
                     {"unk_token", "<unk>"},
                     {"messages", conversation["messages"]},
                     {"add_generation_prompt", generation_prompt},
                     {"tools", nullptr},
                     {"documents", nullptr}});
    }
  }
  return all;
}

bool jinja2_available() {
  if (!std::filesystem::exists(kPython)) return false;
  return paddock::testing::run_command(std::string(kPython) + " -c 'import jinja2'").exit_code == 0;
}

TEST(JinjaDifferentialTest, RendersExactlyAsJinja2Does) {
  if (!jinja2_available())
    GTEST_SKIP() << kPython << " cannot import jinja2 (apt-get install python3-jinja2)";
  TempDir dir;
  const ordered_json all = contexts();
  paddock::testing::write_text(dir / "contexts.json", all.dump());
  for (const char* name : kTemplates) {
    SCOPED_TRACE(name);
    const std::filesystem::path file = kData / (std::string(name) + ".jinja");
    const auto run = paddock::testing::run_command(
        std::string(kPython) + " " + PADDOCK_JINJA_REFERENCE_SCRIPT + " " + file.string() + " " +
        (dir / "contexts.json").string() + " > " + (dir / "reference.json").string());
    ASSERT_EQ(run.exit_code, 0) << run.output;
    const ordered_json reference =
        ordered_json::parse(paddock::testing::read_text(dir / "reference.json"));
    ASSERT_EQ(reference.size(), all.size());

    const Template parsed(paddock::testing::read_text(file));
    for (std::size_t index = 0; index < all.size(); ++index) {
      SCOPED_TRACE("context " + std::to_string(index) + ": " + all[index]["messages"].dump());
      Variables variables;
      for (const auto& [key, value] : all[index].items())
        variables.emplace_back(key, Value::from_json(value));
      const std::string status = reference[index]["status"];
      const std::string expected = reference[index]["text"];
      try {
        const std::string text = parsed.render(variables);
        EXPECT_EQ(status, "ok") << "jinja2 failed (" << expected << ") where Paddock gave\n"
                                << text;
        EXPECT_EQ(text, expected);
      } catch (const JinjaError& error) {
        EXPECT_NE(status, "ok") << "Paddock failed: " << error.what() << "\njinja2 gave\n"
                                << expected;
        if (status == "raised") {
          EXPECT_EQ(error.kind(), JinjaError::Kind::raised) << error.what();
          EXPECT_EQ(error.message(), expected);
        }
      }
    }
  }
}

}  // namespace
}  // namespace paddock::serve::jinja
