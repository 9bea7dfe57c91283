// `instruction_world`: the source node that generates the whole synthetic instruction world.
#include <cstdio>
#include <memory>

#include "families.hpp"
#include "paddock/report.hpp"
#include "paddock/seed.hpp"
#include "paddock/settings_schema.hpp"
#include "paddock/simple_node.hpp"
#include "world_config.hpp"
#include "world_generator.hpp"
#include "world_nodes.hpp"

namespace paddock::world {
namespace {

std::string hex_digest(std::uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

// What a base model pretrained on this world must agree with: the version and, for version 2,
// digests of the fact base and of the corpus (when one was generated).
nlohmann::ordered_json world_manifest(const WorldConfig& config, const FactBase& facts,
                                      const Dataset& corpus) {
  nlohmann::ordered_json manifest;
  manifest["world_version"] = config.version;
  if (config.version == 1) return manifest;
  std::string fact_text;
  for (const Country& c : facts.countries())
    fact_text += c.name + "|" + c.capital + "|" + c.currency + "|" + c.export_good + "|" + c.river +
                 "|" + c.animal + "\n";
  manifest["fact_base_size"] = facts.countries().size();
  manifest["fact_base_digest"] = hex_digest(fnv1a_64(fact_text));
  if (corpus.size() > 0) {
    std::uint64_t digest = fnv1a_64("");
    for (const Record& record : corpus.records())
      digest = derive_seed(digest, record.at("text").get_ref<const std::string&>());
    manifest["corpus_documents"] = corpus.size();
    manifest["corpus_digest"] = hex_digest(digest);
  }
  return manifest;
}

struct InstructionWorldSettings {
  std::int64_t version = 2;
  double scale = 1.0;
  std::vector<std::string> families;
  double input_fraction = 0.3;
  std::int64_t fact_base_size = 300;
  std::int64_t corpus_documents = 0;
  std::int64_t eval_size = 0;
  std::int64_t probes_per_family = 0;
};

SettingsSchema<InstructionWorldSettings> instruction_world_schema() {
  using S = InstructionWorldSettings;
  SettingsSchema<S> schema;
  schema
      .integer("version", &S::version,
               "world version: 2 (pinned facts and corpus, weighted families, built for "
               "a shipped base model) or 1 (the original world, kept as an ablation)",
               /*minimum=*/1, /*maximum=*/2)
      .number("scale", &S::scale, "split sizes relative to AlpacaFarm's 10k/20k/20k/2k/805",
              /*minimum=*/1e-4, /*maximum=*/20.0)
      .strings("families", &S::families, "task families to include; empty = all")
      .number("input_fraction", &S::input_fraction,
              "share of instructions whose data is in the input field",
              /*minimum=*/0.0, /*maximum=*/1.0)
      .integer("fact_base_size", &S::fact_base_size, "countries in the fictional fact base",
               /*minimum=*/20, /*maximum=*/100000)
      .integer("corpus_documents", &S::corpus_documents, "documents in the pretraining corpus",
               /*minimum=*/0, /*maximum=*/10000000)
      .integer("eval_size", &S::eval_size,
               "prompts in the eval split, whatever the scale (0 = 805 x scale): a larger "
               "eval set narrows the win rates' standard errors",
               /*minimum=*/0, /*maximum=*/100000)
      .integer("probes_per_family", &S::probes_per_family,
               "version 2: probes of each family in the `probes` output (world_probes.hpp)",
               /*minimum=*/0, /*maximum=*/100000);
  return schema;
}

// The settings as a WorldConfig, converted as world_config_from_params converts parameters
// and checked by the same validate().
WorldConfig world_config_from_settings(const InstructionWorldSettings& settings) {
  WorldConfig config;
  config.version = static_cast<int>(settings.version);
  config.scale = settings.scale;
  config.families = settings.families;
  config.input_fraction = settings.input_fraction;
  config.fact_base_size =
      settings.fact_base_size < 0 ? 0 : static_cast<std::size_t>(settings.fact_base_size);
  config.corpus_documents = static_cast<std::size_t>(settings.corpus_documents);
  config.eval_size = static_cast<std::size_t>(settings.eval_size);
  config.probes_per_family = static_cast<std::size_t>(settings.probes_per_family);
  validate(config);
  return config;
}

void run_instruction_world(NodeContext& context) {
  const WorldConfig config =
      world_config_from_settings(instruction_world_schema().read(context.params()));
  WorldDatasets world = generate_world(config, context.seed());
  context.log().info(
      "instruction world v{}: sft {}, preference {}, unlabeled {}, val {}, eval {}; corpus {} "
      "documents, {} probes",
      config.version, world.sft.size(), world.preference.size(), world.unlabeled.size(),
      world.val.size(), world.eval.size(), world.corpus.size(), world.probes.size());
  context.set_output("manifest",
                     std::make_shared<Report>(world_manifest(
                         config, world_fact_base(config, context.seed()), world.corpus)));
  context.set_output("sft", std::make_shared<Dataset>(std::move(world.sft)));
  context.set_output("preference", std::make_shared<Dataset>(std::move(world.preference)));
  context.set_output("unlabeled", std::make_shared<Dataset>(std::move(world.unlabeled)));
  context.set_output("val", std::make_shared<Dataset>(std::move(world.val)));
  context.set_output("eval", std::make_shared<Dataset>(std::move(world.eval)));
  context.set_output("corpus", std::make_shared<Dataset>(std::move(world.corpus)));
  context.set_output("probes", std::make_shared<Dataset>(std::move(world.probes)));
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
      {"probes", "Dataset", "version 2: held-out corpus-format tasks for lm_probe (else empty)"},
      {"manifest", "Report",
       "world_version and, for version 2, digests of the fact base and corpus: what a base "
       "model pretrained on this world records and transformer_load can require"},
  };
  spec.params = instruction_world_schema().specs();
  return make_node_type(std::move(spec), run_instruction_world);
}

}  // namespace paddock::world
