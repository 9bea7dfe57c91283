// Graph validation: one test per class of error, each written as a small TOML pipeline.
#include <gtest/gtest.h>

#include "fixture_registry.hpp"
#include "paddock/core/graph.hpp"

namespace paddock::core {
namespace {

const std::string kHeader = "[pipeline]\nname = \"t\"\n";

ResolvedPipeline resolve(const std::string& nodes) {
  return resolve_pipeline(parse_pipeline_text(kHeader + nodes, "p.toml"),
                          testing::fixture_registry());
}

std::string errors_of(const std::string& nodes) {
  try {
    resolve(nodes);
  } catch (const PipelineError& error) {
    return error.what();
  }
  return "";
}

TEST(Validation, FixturePluginIsLoaded) {
  ASSERT_NE(testing::fixture_registry().find_node_type("fixture_numbers"), nullptr)
      << "fixture plugins missing from " PADDOCK_FIXTURE_DIR;
}

TEST(Validation, ValidPipelineIsOrderedAndCompletedWithDefaults) {
  const ResolvedPipeline pipeline = resolve(R"(
[nodes.scaled]
use = "fixture_scale"
numbers = "source.numbers"
factor = 3
[nodes.source]
use = "fixture_numbers"
)");
  ASSERT_EQ(pipeline.nodes.size(), 2u);
  EXPECT_EQ(pipeline.nodes[0].name, "source");
  EXPECT_EQ(pipeline.nodes[1].name, "scaled");
  EXPECT_EQ(pipeline.nodes[0].params.integer("count"), 5);    // default
  EXPECT_EQ(pipeline.nodes[1].params.number("factor"), 3.0);  // integer accepted as number
  EXPECT_TRUE(pipeline.nodes[1].params.json("factor").is_number_float());
  EXPECT_EQ(pipeline.nodes[1].params.string("rounding"), "none");
  EXPECT_EQ(pipeline.nodes[1].inputs.at("numbers")[0].producer, 0u);
}

TEST(Validation, UnknownNodeTypeSuggestsTheClosest) {
  EXPECT_NE(
      errors_of("[nodes.a]\nuse = \"fixture_numbrs\"\n")
          .find("p.toml:4:7: error: node 'a': unknown node type 'fixture_numbrs'; did you mean "
                "'fixture_numbers'?"),
      std::string::npos);
}

TEST(Validation, UnknownParameterSuggestsTheClosest) {
  const std::string errors = errors_of(
      "[nodes.a]\nuse = \"fixture_numbers\"\n[nodes.b]\nuse = \"fixture_scale\"\nnumbers = "
      "\"a.numbers\"\nfactr = 2\n");
  EXPECT_NE(errors.find("p.toml:8:9: error: node 'b' (plugin 'fixture_good 1.2.0'): unknown "
                        "parameter or input 'factr' for node type 'fixture_scale'; did you mean "
                        "'factor'?"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find("missing required parameter 'factor'"), std::string::npos) << errors;
}

TEST(Validation, WrongTypeOutOfRangeAndBadChoice) {
  const std::string errors = errors_of(
      "[nodes.a]\nuse = \"fixture_numbers\"\ncount = \"three\"\n[nodes.b]\nuse = "
      "\"fixture_numbers\"\ncount = 5000\n[nodes.c]\nuse = \"fixture_scale\"\nnumbers = "
      "\"a.numbers\"\nfactor = 1\nrounding = \"ceil\"\n");
  EXPECT_NE(errors.find("p.toml:5:9: error: node 'a' (plugin 'fixture_good 1.2.0'): parameter "
                        "'count': expected integer, found a string"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find("p.toml:8:9: error: node 'b' (plugin 'fixture_good 1.2.0'): parameter "
                        "'count': value 5000 is above the maximum 1000"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find("parameter 'rounding': \"ceil\" is not one of \"none\", \"floor\""),
            std::string::npos)
      << errors;
}

TEST(Validation, UnknownNodeAndPortInReferences) {
  const std::string errors = errors_of(
      "[nodes.a]\nuse = \"fixture_numbers\"\n[nodes.b]\nuse = \"fixture_scale\"\nnumbers = "
      "\"aa.numbers\"\nfactor = 1\n[nodes.c]\nuse = \"fixture_scale\"\nnumbers = "
      "\"a.numbr\"\nfactor = 1\n[nodes.d]\nuse = \"fixture_scale\"\nnumbers = \"a\"\nfactor = 1\n");
  EXPECT_NE(errors.find("input 'numbers' refers to unknown node 'aa'; did you mean 'a'?"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find("node 'a' (fixture_numbers) has no output 'numbr'; did you mean "
                        "'numbers'? (outputs: numbers)"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find("'a' is not a NODE.PORT reference"), std::string::npos) << errors;
}

TEST(Validation, ArtifactTypeMismatch) {
  const std::string errors = errors_of(
      "[nodes.a]\nuse = \"fixture_numbers\"\n[nodes.r]\nuse = \"fixture_judge_report\"\nnumbers = "
      "\"a.numbers\"\njudge = \"a.numbers\"\n");
  EXPECT_NE(errors.find("p.toml:8:9: error: node 'r' (plugin 'fixture_good 1.2.0'): input 'judge' "
                        "expects a Annotator but 'a.numbers' is a Dataset"),
            std::string::npos)
      << errors;
}

TEST(Validation, MissingInputIsReported) {
  EXPECT_NE(errors_of("[nodes.b]\nuse = \"fixture_scale\"\nfactor = 1\n")
                .find("input 'numbers' (Dataset) is not connected"),
            std::string::npos);
}

TEST(Validation, CycleIsReportedWithItsPath) {
  const std::string errors = errors_of(
      "[nodes.a]\nuse = \"fixture_scale\"\nnumbers = \"b.numbers\"\nfactor = 1\n[nodes.b]\nuse = "
      "\"fixture_scale\"\nnumbers = \"a.numbers\"\nfactor = 1\n");
  EXPECT_NE(errors.find("the pipeline has a cycle: a -> b -> a"), std::string::npos) << errors;
}

TEST(Validation, SelfLoopIsACycle) {
  EXPECT_NE(errors_of("[nodes.a]\nuse = \"fixture_scale\"\nnumbers = \"a.numbers\"\nfactor = 1\n")
                .find("cycle: a -> a"),
            std::string::npos);
}

TEST(Validation, MultiplePortsTakeArraysOthersDoNot) {
  const ResolvedPipeline pipeline = resolve(
      "[nodes.a]\nuse = \"fixture_numbers\"\n[nodes.j]\nuse = \"fixture_judge\"\n[nodes.r1]\nuse = "
      "\"fixture_judge_report\"\nnumbers = \"a.numbers\"\njudge = \"j.annotator\"\n[nodes.r2]\nuse "
      "= \"fixture_judge_report\"\nnumbers = \"a.numbers\"\njudge = \"j.annotator\"\n[nodes.all]\n"
      "use = \"fixture_collect\"\nreports = [\"r1.report\", \"r2.report\"]\n");
  EXPECT_EQ(pipeline.nodes.back().inputs.at("reports").size(), 2u);
  EXPECT_NE(errors_of("[nodes.a]\nuse = \"fixture_numbers\"\n[nodes.b]\nuse = "
                      "\"fixture_scale\"\nnumbers = [\"a.numbers\"]\nfactor = 1\n")
                .find("input 'numbers' takes one \"NODE.PORT\" reference"),
            std::string::npos);
}

TEST(Validation, EveryProblemIsReportedAtOnce) {
  try {
    resolve("[nodes.a]\nuse = \"nope\"\n[nodes.b]\nuse = \"fixture_numbers\"\ncount = -1\n");
    FAIL();
  } catch (const PipelineError& error) {
    EXPECT_EQ(error.diagnostics().size(), 2u);
  }
}

TEST(Validation, DotOutputNamesNodesAndEdges) {
  const std::string dot = to_dot(
      resolve("[nodes.a]\nuse = \"fixture_numbers\"\n[nodes.b]\nuse = \"fixture_scale\"\nnumbers = "
              "\"a.numbers\"\nfactor = 1\n"));
  EXPECT_NE(dot.find("digraph \"t\""), std::string::npos);
  EXPECT_NE(dot.find("\"a\" -> \"b\""), std::string::npos) << dot;
}

}  // namespace
}  // namespace paddock::core
