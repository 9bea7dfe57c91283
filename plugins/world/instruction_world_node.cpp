// `instruction_world`: the source node that generates the whole synthetic instruction world.
#include <memory>

#include "families.hpp"
#include "paddock/simple_node.hpp"
#include "world_config.hpp"
#include "world_generator.hpp"
#include "world_nodes.hpp"

namespace paddock::world {
namespace {

void run_instruction_world(NodeContext& context) {
  const WorldConfig config = world_config_from_params(context.params());
  WorldDatasets world = generate_world(config, context.seed());
  context.log().info(
      "instruction world: sft {}, preference {}, unlabeled {}, val {}, eval {}; corpus {} "
      "documents",
      world.sft.size(), world.preference.size(), world.unlabeled.size(), world.val.size(),
      world.eval.size(), world.corpus.size());
  context.set_output("sft", std::make_shared<Dataset>(std::move(world.sft)));
  context.set_output("preference", std::make_shared<Dataset>(std::move(world.preference)));
  context.set_output("unlabeled", std::make_shared<Dataset>(std::move(world.unlabeled)));
  context.set_output("val", std::make_shared<Dataset>(std::move(world.val)));
  context.set_output("eval", std::make_shared<Dataset>(std::move(world.eval)));
  context.set_output("corpus", std::make_shared<Dataset>(std::move(world.corpus)));
}

}  // namespace

NodeTypeSpec instruction_world_node_type() {
  NodeTypeSpec spec;
  spec.name = "instruction_world";
  spec.kind = NodeKind::source;
  spec.summary =
      "Generates a synthetic instruction world: AlpacaFarm-style splits with hidden "
      "answer keys.";
  spec.doc =
      "Alpaca-format Datasets (instruction, input, output) drawn from the node's seed, in "
      "AlpacaFarm's proportions (10k/20k/20k/2k/805 at scale 1.0), disjoint across splits. "
      "Hidden columns (family, difficulty, answer, wrong_answers, keys, wrong_keys, rationale, "
      "case_sensitive) travel with every record for the world's systems and annotators; "
      "learners read only instruction, input and output. The training splits carry an "
      "imperfect teacher's outputs; eval carries the reference system's outputs; corpus is plain "
      "text (encyclopedia entries and worked examples, asking no split's prompt) for pretraining "
      "a base model. Families: " +
      join(family_names(), ", ") + ". See docs/world.md.";
  spec.outputs = {
      {"sft", "Dataset", "supervised fine-tuning split (teacher outputs)"},
      {"preference", "Dataset", "prompts for preference pairs (teacher outputs kept)"},
      {"unlabeled", "Dataset", "prompts for PPO, best-of-n, expert iteration"},
      {"val", "Dataset", "validation split (teacher outputs)"},
      {"eval", "Dataset", "evaluation set with the reference system's outputs"},
      {"corpus", "Dataset", "pretraining text (column `text`): facts and worked examples"},
  };
  spec.params = {
      number_param("scale", 1.0, "split sizes relative to AlpacaFarm's 10k/20k/20k/2k/805",
                   /*minimum=*/1e-4, /*maximum=*/20.0),
      {"families", ParamType::string_list, "task families to include; empty = all",
       nlohmann::json::array()},
      number_param("input_fraction", 0.3, "share of instructions whose data is in the input field",
                   /*minimum=*/0.0, /*maximum=*/1.0),
      integer_param("fact_base_size", 300, "countries in the fictional fact base",
                    /*minimum=*/20, /*maximum=*/100000),
      integer_param("corpus_documents", 20000, "documents in the pretraining corpus",
                    /*minimum=*/0, /*maximum=*/10000000),
      integer_param("eval_size", 0,
                    "prompts in the eval split, whatever the scale (0 = 805 x scale): a larger "
                    "eval set narrows the win rates' standard errors",
                    /*minimum=*/0, /*maximum=*/100000),
  };
  return make_node_type(std::move(spec), run_instruction_world);
}

}  // namespace paddock::world
