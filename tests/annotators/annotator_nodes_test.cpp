// The node types run without a pipeline: annotate (metadata, nulls, dropping, cancellation),
// noisy_ensemble's seed parameters, reward_judge, and the pair builders.
#include <gtest/gtest.h>

#include "annotator_nodes.hpp"
#include "annotators_test_support.hpp"
#include "noisy_ensemble.hpp"
#include "paddock/capabilities.hpp"
#include "paddock/dataset.hpp"
#include "paddock/error.hpp"
#include "paddock/model.hpp"
#include "test_support.hpp"

namespace paddock::annotators {
namespace {

using namespace testing;
using paddock::testing::TempDir;

std::shared_ptr<Dataset> pair_rows() {
  auto rows = std::make_shared<Dataset>();
  rows->add({{"instruction", "q1"},
             {"input", ""},
             {"output_1", "a"},
             {"output_2", "bbb"},
             {"answer", "bbb"}});
  rows->add({{"instruction", "q2"},
             {"output_1", "skip me"},
             {"output_2", "x"},
             {"answer", "x"},
             {"preference", 1}});
  rows->add({{"instruction", "q3"},
             {"input", "in"},
             {"output_1", "cc"},
             {"output_2", "d"},
             {"answer", "cc"}});
  return rows;
}

// Prefers the output equal to the hidden `answer` column; leaves "skip me" unannotated.
class MetadataJudge : public Annotator {
 public:
  std::string name() const override { return "metadata_judge"; }
  std::vector<Annotation> annotate(std::span<const PreferencePair> pairs) override {
    std::vector<Annotation> out(pairs.size());
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      out[i].annotator = name();
      if (pairs[i].output_1 == "skip me") continue;
      EXPECT_FALSE(pairs[i].metadata.contains("preference"));
      out[i].preference = pairs[i].metadata["answer"] == pairs[i].output_1 ? 1 : 2;
    }
    return out;
  }
};

TEST(AnnotateNode, AddsPreferenceAndAnnotatorAndPassesMetadata) {
  TempDir dir;
  TestNodeContext node(annotate_node_type(), {{"batch_size", 2}, {"include_raw", true}},
                       dir.path());
  node.add_input("pairs", pair_rows());
  node.add_input("annotator", std::make_shared<MetadataJudge>());
  node.run();
  const auto annotated = node.output<Dataset>("annotated");
  ASSERT_EQ(annotated->size(), 3u);
  EXPECT_EQ((*annotated)[0]["preference"], 2);
  EXPECT_TRUE((*annotated)[1]["preference"].is_null());  // the old label is replaced
  EXPECT_EQ((*annotated)[2]["preference"], 1);
  EXPECT_EQ((*annotated)[0]["annotator"], "metadata_judge");
  EXPECT_EQ((*annotated)[0]["answer"], "bbb");
  EXPECT_TRUE((*annotated)[0].contains("raw_annotation"));
  EXPECT_EQ(node.last_metric("unannotated"), 1.0);

  TestNodeContext dropping(annotate_node_type(), {{"drop_unannotated", true}}, dir.path());
  dropping.add_input("pairs", pair_rows());
  dropping.add_input("annotator", std::make_shared<MetadataJudge>());
  dropping.run();
  EXPECT_EQ(dropping.output<Dataset>("annotated")->size(), 2u);

  TestNodeContext cancelled(annotate_node_type(), {}, dir.path());
  cancelled.add_input("pairs", pair_rows());
  cancelled.add_input("annotator", std::make_shared<MetadataJudge>());
  cancelled.cancel();
  EXPECT_THROW(cancelled.run(), Cancelled);
}

TEST(AnnotateNode, LogsHumanFileCoverage) {
  TempDir dir;
  paddock::testing::write_text(
      dir / "h.jsonl",
      R"({"instruction": "q1", "input": "", "output_1": "a", "output_2": "bbb", "preference": 2})"
      "\n");
  TestNodeContext human(human_file_node_type(), {{"path", (dir / "h.jsonl").string()}}, dir.path());
  human.run();
  TestNodeContext node(annotate_node_type(), {}, dir.path());
  node.add_input("pairs", pair_rows());
  node.add_input("annotator", human.output<Annotator>("annotator"));
  node.run();
  EXPECT_NE(node.log_text().find("cover 33.3% of the pairs asked (1 of 3)"), std::string::npos)
      << node.log_text();
}

TEST(NoisyEnsembleNode, SeedParametersShareOrVaryTheDraws) {
  TempDir dir;
  const auto judge_names = [&](const nlohmann::json& params, const std::string& node_name) {
    TestNodeContext node(noisy_ensemble_node_type(), params, dir.path());
    node.set_node_name(node_name);
    for (int j = 0; j < 5; ++j) {
      node.add_input("judges",
                     std::make_shared<FunctionJudge>("j" + std::to_string(j),
                                                     [](const PreferencePair&) { return 1; }));
    }
    node.run();
    auto ensemble =
        std::dynamic_pointer_cast<NoisyEnsembleAnnotator>(node.output<Annotator>("annotator"));
    std::string chosen;
    for (int i = 0; i < 32; ++i)
      chosen += std::to_string(ensemble->judge_index("q" + std::to_string(i)));
    return chosen;
  };
  EXPECT_NE(judge_names({}, "a"), judge_names({}, "b"));                        // node seeds
  EXPECT_EQ(judge_names({{"seed", 3}}, "a"), judge_names({{"seed", 3}}, "b"));  // shared seed
  EXPECT_NE(judge_names({{"seed", 3}}, "a"), judge_names({{"seed", 3}, {"seed_label", "r2"}}, "a"));
}

class FakeRewardModel : public Model, public RewardScorer {
 public:
  std::string backend() const override { return "fake"; }
  std::vector<std::string> capabilities() const override { return {"reward"}; }
  void save(const std::filesystem::path&) const override {}
  std::vector<double> score(std::span<const InstructionPrompt>,
                            std::span<const std::string> responses) override {
    std::vector<double> out;
    for (const auto& response : responses) out.push_back(static_cast<double>(response.size()));
    return out;
  }
};

class GenerateOnlyModel : public Model {
 public:
  std::string backend() const override { return "api"; }
  std::vector<std::string> capabilities() const override { return {"generate"}; }
  void save(const std::filesystem::path&) const override {}
};

TEST(RewardJudgeNode, PrefersTheHigherRewardWithinATolerance) {
  TempDir dir;
  TestNodeContext node(reward_judge_node_type(), {{"tie_tolerance", 1.0}}, dir.path());
  node.add_input("model", std::make_shared<FakeRewardModel>());
  node.run();
  auto judge = node.output<Annotator>("annotator");
  const auto answers =
      judge->annotate(std::vector{make_pair("q", "abc", "abcdef"), make_pair("q", "abcd", "abc"),
                                  make_pair("q", "abcdef", "ab")});
  EXPECT_EQ(answers[0].preference, 2);
  EXPECT_EQ(answers[1].preference, 0);  // 4 vs 3: within the tolerance
  EXPECT_EQ(answers[2].preference, 1);
  EXPECT_NEAR(*answers[0].probability_output_2, 1.0 / (1.0 + std::exp(-3.0)), 1e-12);
  EXPECT_EQ(judge->name(), "reward_judge(fake)");

  TestNodeContext wrong(reward_judge_node_type(), {}, dir.path());
  wrong.add_input("model", std::make_shared<GenerateOnlyModel>());
  try {
    wrong.run();
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("cannot score rewards"), std::string::npos);
  }
}

TEST(PairBuilderNodes, HeadToHeadAndSamples) {
  TempDir dir;
  auto first = std::make_shared<Dataset>();
  auto second = std::make_shared<Dataset>();
  first->add({{"instruction", "q"}, {"input", ""}, {"output", "a"}});
  first->add({{"instruction", "lonely"}, {"input", ""}, {"output", "z"}});
  second->add({{"instruction", "q"}, {"input", ""}, {"output", "b"}});
  TestNodeContext join(pairs_head_to_head_node_type(), {}, dir.path());
  join.add_input("outputs_1", first);
  join.add_input("outputs_2", second);
  join.run();
  EXPECT_EQ(join.output<Dataset>("pairs")->size(), 1u);
  EXPECT_EQ(join.output<Dataset>("unmatched")->size(), 1u);
  EXPECT_NE(join.log_text().find("no partner"), std::string::npos);

  TestNodeContext strict(pairs_head_to_head_node_type(), {{"require_all_matched", true}},
                         dir.path());
  strict.add_input("outputs_1", first);
  strict.add_input("outputs_2", second);
  EXPECT_THROW(strict.run(), Error);

  auto samples = std::make_shared<Dataset>();
  samples->add({{"instruction", "q"}, {"outputs", {"a", "b", "c", "d"}}});
  TestNodeContext sampled(pairs_from_samples_node_type(), {}, dir.path());
  sampled.add_input("samples", samples);
  sampled.run();
  EXPECT_EQ(sampled.output<Dataset>("pairs")->size(), 4u);
}

}  // namespace
}  // namespace paddock::annotators
