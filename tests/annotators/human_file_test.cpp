// Human annotation files: the three formats, every malformed-row case reported with its
// file and line, lookup with swapped outputs, aggregation, coverage and the on_error policy.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>

#include "annotator_nodes.hpp"
#include "annotators_test_support.hpp"
#include "csv_reader.hpp"
#include "human_file_annotator.hpp"
#include "human_file_reader.hpp"
#include "paddock/dataset.hpp"
#include "paddock/error.hpp"
#include "test_support.hpp"
#include "usage_reports.hpp"
#include "utf8.hpp"

namespace paddock::annotators {
namespace {

using namespace testing;
using paddock::testing::TempDir;
using paddock::testing::write_text;

std::vector<std::string> described(const HumanFileContents& contents) {
  std::vector<std::string> out;
  for (const auto& problem : contents.problems) out.push_back(problem.describe());
  return out;
}

bool has_problem(const HumanFileContents& contents, const std::string& prefix,
                 const std::string& fragment) {
  for (const auto& text : described(contents)) {
    if (text.rfind(prefix, 0) == 0 && text.find(fragment) != std::string::npos) return true;
  }
  return false;
}

TEST(HumanFile, JsonLinesReportsEveryMalformedRowWithItsLine) {
  const std::string text =
      R"({"instruction": "i1", "input": "", "output_1": "a", "output_2": "b", "preference": 1, "annotator": "w1"})"
      "\n"
      R"({"instruction": "i2", "input": "", "output_1": "a", "preference": 2})"
      "\n"
      R"({"instruction": "i3", "input": "", "output_1": "a", "output_2": "b", "preference": 3})"
      "\n"
      "{\"instruction\": \"i4 \xff\", \"input\": \"\", \"output_1\": \"a\", \"output_2\": \"b\", "
      "\"preference\": 1}\n"
      R"({"instruction": 4, "input": "", "output_1": "a", "output_2": "b", "preference": 1})"
      "\n"
      "\n"
      R"({"instruction": "i6", "input": "", "output_1": "a", "output_2": "b", "preference": "1"})"
      "\n"
      R"({"instruction": "i7", "input": "", "output_1": "a", "output_2": "b", "preference": 1)"
      "\n"
      R"(["not", "an", "object"])"
      "\n"
      R"({"instruction": "i9", "input": "", "output_1": "a", "output_2": "b", "preference": 1.5, "annotator": 17})"
      "\n"
      R"({"instruction": "i10", "input": "", "output_1": "a", "output_2": "b", "preference": null})"
      "\n"
      R"({"instruction": "i11", "input": "", "output_1": "a", "output_2": "b", "preference": 2, "annotator": [1]})"
      "\n";
  const auto contents = read_human_text(text, "h.jsonl", HumanFileFormat::automatic);
  EXPECT_EQ(contents.rows.size(), 2u);
  EXPECT_EQ(contents.rows_seen, 11u);
  EXPECT_EQ(contents.rows[1].preference, 0);  // 1.5 reads as a tie
  EXPECT_EQ(contents.rows[1].annotator, "17");
  EXPECT_EQ(contents.rows[1].line, 10u);
  ASSERT_EQ(contents.problems.size(), 9u) << ::testing::PrintToString(described(contents));
  EXPECT_TRUE(has_problem(contents, "h.jsonl:2: ", "missing field 'output_2'"));
  EXPECT_TRUE(has_problem(contents, "h.jsonl:3: ", "bad preference value 3"));
  EXPECT_TRUE(has_problem(contents, "h.jsonl:4: ", "bad encoding"));
  EXPECT_TRUE(
      has_problem(contents, "h.jsonl:5: ", "field 'instruction' must be a string, found a number"));
  EXPECT_TRUE(
      has_problem(contents, "h.jsonl:7: ", "field 'preference' must be a number, found a string"));
  EXPECT_TRUE(has_problem(contents, "h.jsonl:8: ", "invalid JSON"));
  EXPECT_TRUE(has_problem(contents, "h.jsonl:9: ", "not an object"));
  EXPECT_TRUE(has_problem(contents, "h.jsonl:11: ", "must be a number, found null"));
  EXPECT_TRUE(
      has_problem(contents, "h.jsonl:12: ", "field 'annotator' must be a string or an integer"));
}

TEST(HumanFile, ANumberTooLargeForADoubleIsABadRowNotACrash) {
  const std::string text =
      R"({"instruction": "i1", "input": "", "output_1": "a", "output_2": "b", "preference": 2})"
      "\n"
      R"({"instruction": "i2", "input": "", "output_1": "a", "output_2": "b", "preference": 1e999})"
      "\n";
  const auto contents = read_human_text(text, "h.jsonl", HumanFileFormat::automatic);
  EXPECT_EQ(contents.rows.size(), 1u);
  ASSERT_EQ(contents.problems.size(), 1u) << ::testing::PrintToString(described(contents));
  EXPECT_TRUE(has_problem(contents, "h.jsonl:2: ", "invalid JSON at column 88"));
  try {
    read_human_text("[{\"preference\": 1e999}]", "h.json", HumanFileFormat::automatic);
    FAIL() << "accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("h.json:1:"), std::string::npos) << error.what();
  }
}

TEST(HumanFile, JsonArrayRowsAreLocatedByLine) {
  const std::string text =
      "[\n"
      "  {\"instruction\": \"i1\", \"input\": \"\", \"output_1\": \"a\", \"output_2\": \"b\",\n"
      "   \"preference\": 2},\n"
      "  {\"instruction\": \"i2\", \"input\": \"\", \"output_1\": \"a\",\n"
      "   \"output_2\": \"b\", \"preference\": 7},\n"
      "  {\"instruction\": \"i3 \xc3\x28\", \"input\": \"\", \"output_1\": \"a\", \"output_2\": "
      "\"b\", \"preference\": 1},\n"
      "  {\"instruction\": \"i4\", \"output_1\": \"a\", \"output_2\": \"b\", \"preference\": 1},\n"
      "  {\"instruction\": \"i5 [with] {braces}\", \"input\": \"x\", \"output_1\": \"a\", "
      "\"output_2\": \"b\", \"preference\": 0}\n"
      "]\n";
  const auto contents = read_human_text(text, "h.json", HumanFileFormat::automatic);
  ASSERT_EQ(contents.rows.size(), 2u) << ::testing::PrintToString(described(contents));
  EXPECT_EQ(contents.rows[0].line, 2u);
  EXPECT_EQ(contents.rows[1].line, 8u);
  ASSERT_EQ(contents.problems.size(), 3u);
  EXPECT_TRUE(has_problem(contents, "h.json:4: ", "bad preference value 7"));
  EXPECT_TRUE(has_problem(contents, "h.json:6: ", "bad encoding"));
  EXPECT_TRUE(has_problem(contents, "h.json:7: ", "missing field 'input'"));

  try {
    read_human_text("[\n {\"a\": 1},\n {\"b\": }\n]", "broken.json", HumanFileFormat::json);
    FAIL() << "expected a syntax error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("broken.json:3:"), std::string::npos) << error.what();
  }
}

TEST(HumanFile, CsvRowsAreValidatedWithTheirStartingLine) {
  const std::string text =
      "instruction,input,output_1,output_2,preference,annotator\n"
      "i1,,a,b,1,w1\n"
      "\"i2, with a comma\",,\"two\nlines\",b,2,w2\n"
      "i3,,a,b,,w1\n"
      "i4,,a,b,x,w1\n"
      "i5,,a,b\n"
      "i6,,a \xfe,b,1,w1\n"
      "\"i7 \"\"quoted\"\"\",,a,b,2.0,w3\n"
      "i8,,\"a\"junk,b,1,w1\n";
  const auto contents = read_human_text(text, "h.csv", HumanFileFormat::automatic);
  ASSERT_EQ(contents.rows.size(), 3u) << ::testing::PrintToString(described(contents));
  EXPECT_EQ(contents.rows[1].instruction, "i2, with a comma");
  EXPECT_EQ(contents.rows[1].output_1, "two\nlines");
  EXPECT_EQ(contents.rows[2].instruction, "i7 \"quoted\"");
  EXPECT_EQ(contents.rows[2].line, 9u);
  ASSERT_EQ(contents.problems.size(), 5u);
  EXPECT_TRUE(has_problem(contents, "h.csv:5: ", "missing value for field 'preference'"));
  EXPECT_TRUE(has_problem(contents, "h.csv:6: ", "bad preference value 'x'"));
  EXPECT_TRUE(has_problem(contents, "h.csv:7: ", "row has 4 fields but the header has 6"));
  EXPECT_TRUE(has_problem(contents, "h.csv:8: ", "bad encoding"));
  EXPECT_TRUE(has_problem(contents, "h.csv:10: ", "text after a closing quote"));

  EXPECT_THROW(
      read_human_text("instruction,input,output_1,output_2\n", "h.csv", HumanFileFormat::csv),
      Error);
}

TEST(HumanFile, Utf8ValidationRejectsIllFormedSequences) {
  EXPECT_FALSE(find_invalid_utf8("plain ascii, caf\xc3\xa9, \xe2\x82\xac, \xf0\x9f\x98\x80"));
  EXPECT_EQ(find_invalid_utf8("ab\xc0\xaf"), 2u);         // overlong
  EXPECT_EQ(find_invalid_utf8("\xed\xa0\x80"), 0u);       // surrogate
  EXPECT_EQ(find_invalid_utf8("x\xf4\x90\x80\x80"), 1u);  // above U+10FFFF
  EXPECT_EQ(find_invalid_utf8("\xe2\x82"), 0u);           // truncated
}

TEST(HumanFile, AnnotatorLooksUpPairsInBothOrdersAndReportsCoverage) {
  std::vector<HumanAnnotationRow> rows = {
      {"q1", "", "a", "b", 1, "w1", 1}, {"q1", "", "a", "b", 2, "w2", 2},
      {"q1", "", "a", "b", 2, "w3", 3}, {"q2", "in", "c", "d", 1, "w1", 4},
      {"q3", "", "e", "f", 1, "w1", 5}, {"q3", "", "e", "f", 2, "w2", 6}};
  HumanFileAnnotator majority("humans", rows, HumanAggregate::majority);
  const std::vector<PreferencePair> pairs = {make_pair("q1", "a", "b"),
                                             make_pair("q2", "d", "c", "in"),
                                             make_pair("q3", "e", "f"), make_pair("q4", "x", "y")};
  const auto answers = majority.annotate(pairs);
  EXPECT_EQ(answers[0].preference, 2);  // two of three
  EXPECT_NEAR(*answers[0].probability_output_2, 2.0 / 3.0, 1e-12);
  EXPECT_EQ(answers[1].preference, 2);  // stored as (c, d) -> 1, asked as (d, c)
  EXPECT_EQ(answers[2].preference, 0);  // a 1-1 split is a tie
  EXPECT_FALSE(answers[3].preference);  // not in the file
  EXPECT_DOUBLE_EQ(majority.coverage(), 0.75);
  const auto usage = usage_of(majority);
  EXPECT_EQ(usage["pairs_requested"], 4);
  EXPECT_EQ(usage["pairs_found_swapped"], 1);

  HumanFileAnnotator first("humans", rows, HumanAggregate::first);
  const auto first_answers = first.annotate(pairs);
  EXPECT_EQ(first_answers[0].preference, 1);
  EXPECT_EQ(first_answers[0].annotator, "w1");
  HumanFileAnnotator last("humans", rows, HumanAggregate::last);
  EXPECT_EQ(last.annotate(pairs)[2].preference, 2);
}

class HumanFileNodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_text(
        dir_ / "human.jsonl",
        R"({"instruction": "q1", "input": "", "output_1": "a", "output_2": "b", "preference": 1})"
        "\n"
        R"({"instruction": "q2", "input": "", "output_1": "a", "preference": 1})"
        "\n"
        R"({"instruction": "q3", "input": "", "output_1": "a", "output_2": "b", "preference": 9})"
        "\n");
  }
  TempDir dir_;
};

TEST_F(HumanFileNodeTest, FailPolicyListsEveryBadRow) {
  TestNodeContext node(human_file_node_type(), {{"path", (dir_ / "human.jsonl").string()}},
                       dir_.path());
  try {
    node.run();
    FAIL() << "expected the node to fail";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("human.jsonl:2: missing field 'output_2'"), std::string::npos)
        << message;
    EXPECT_NE(message.find("human.jsonl:3: bad preference value 9"), std::string::npos) << message;
  }
}

TEST_F(HumanFileNodeTest, SkipPolicyLogsEveryBadRowAndImportsTheRest) {
  TestNodeContext node(human_file_node_type(),
                       {{"path", (dir_ / "human.jsonl").string()}, {"on_error", "skip"}},
                       dir_.path());
  node.run();
  const std::string log = node.log_text();
  EXPECT_NE(log.find("human.jsonl:2: missing field 'output_2'"), std::string::npos) << log;
  EXPECT_NE(log.find("human.jsonl:3: bad preference value 9"), std::string::npos) << log;
  EXPECT_NE(log.find("skipped 2 malformed rows of 3"), std::string::npos) << log;
  auto annotator = node.output<Annotator>("annotator");
  ASSERT_TRUE(annotator);
  EXPECT_EQ(annotator->annotate(std::vector{make_pair("q1", "b", "a")})[0].preference, 2);

  TestNodeContext dataset(human_file_dataset_node_type(),
                          {{"path", (dir_ / "human.jsonl").string()}, {"on_error", "skip"}},
                          dir_.path());
  dataset.run();
  const auto rows = dataset.output<Dataset>("annotations");
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0]["preference"], 1);
}

// 100 MB of bad rows under `skip` wrote 1.5M log lines; now the first 20 and a summary, and
// only the first kKeptRowProblems are kept in memory.
TEST_F(HumanFileNodeTest, ManyBadRowsAreLoggedBoundedWithACount) {
  std::string text = R"({"instruction": "q1", "input": "", "output_1": "a", "output_2": "b", )"
                     R"("preference": 1})"
                     "\n";
  for (int i = 0; i < 5000; ++i) text += "{\"instruction\": \"bad\"}\n";
  write_text(dir_ / "many.jsonl", text);
  TestNodeContext node(human_file_node_type(),
                       {{"path", (dir_ / "many.jsonl").string()}, {"on_error", "skip"}},
                       dir_.path());
  node.run();
  const std::string log = node.log_text();
  EXPECT_LT(std::count(log.begin(), log.end(), '\n'), 30) << log;  // 20 rows, then summaries
  EXPECT_NE(log.find("... and 4980 more malformed rows"), std::string::npos) << log;
  EXPECT_NE(log.find("skipped 5000 malformed rows of 5001"), std::string::npos) << log;
  EXPECT_EQ(node.last_metric("malformed_rows"), 5000.0);
  const auto contents = read_human_file(dir_ / "many.jsonl");
  EXPECT_EQ(contents.problems.size(), kKeptRowProblems);
  EXPECT_EQ(contents.problem_count, 5000u);

  TestNodeContext failing(human_file_node_type(), {{"path", (dir_ / "many.jsonl").string()}},
                          dir_.path());
  try {
    failing.run();
    FAIL() << "on_error = fail must fail";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("5000 malformed rows"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("... and 4980 more"), std::string::npos);
  }
}

// An empty file imported at 0% coverage with exit 0 and an info line.
TEST_F(HumanFileNodeTest, AFileWithoutAnyGoodRowIsAnError) {
  for (const char* text :
       {"", "\n  \n", "instruction,input,output_1,output_2,preference\n", "[]"}) {
    const auto file = dir_ / (std::string(text).rfind("instr", 0) == 0 ? "empty.csv"
                              : std::string(text) == "[]"              ? "empty.json"
                                                                       : "empty.jsonl");
    write_text(file, text);
    TestNodeContext node(human_file_node_type(), {{"path", file.string()}, {"on_error", "skip"}},
                         dir_.path());
    try {
      node.run();
      FAIL() << "an empty file must fail: '" << text << "'";
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find("holds no annotation rows"), std::string::npos)
          << error.what();
    }
  }
  write_text(dir_ / "all_bad.jsonl", "{\"instruction\": \"bad\"}\n");
  TestNodeContext node(human_file_node_type(),
                       {{"path", (dir_ / "all_bad.jsonl").string()}, {"on_error", "skip"}},
                       dir_.path());
  EXPECT_THROW(node.run(), Error);
}

// A FIFO or /dev/zero as the path read forever; only regular files are read.
TEST_F(HumanFileNodeTest, AFifoOrADeviceIsRefused) {
  const auto fifo = dir_ / "pipe.jsonl";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const std::filesystem::path path : {fifo, std::filesystem::path("/dev/zero")}) {
    try {
      read_human_file(path);
      FAIL() << path << " must be refused";
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find("not a regular file"), std::string::npos)
          << error.what();
    }
  }
}

}  // namespace
}  // namespace paddock::annotators
