// `world_gold_humans` and `world_personas`: the world's annotators as pipeline nodes.
#include <memory>

#include "gold_humans.hpp"
#include "paddock/error.hpp"
#include "paddock/settings_schema.hpp"
#include "paddock/simple_node.hpp"
#include "pair_judging.hpp"
#include "persona_file.hpp"
#include "utility.hpp"
#include "world_nodes.hpp"

namespace paddock::world {
namespace {

// Prefers the more correct output by the world's own checker; equal correctness is a tie.
// Scoring a reward model against it measures what the model knows about being right, apart
// from style (reward_eval's pairs "whose correctness differs").
class CorrectnessJudge final : public Annotator {
 public:
  std::string name() const override { return "world_correctness"; }
  std::vector<Annotation> annotate(std::span<const PreferencePair> pairs) override {
    std::vector<Annotation> annotations;
    annotations.reserve(pairs.size());
    for (std::size_t row = 0; row < pairs.size(); ++row) {
      const Task task = task_from_pair(pairs[row], row, name());
      const double first = measure_response(task, pairs[row].output_1).correctness;
      const double second = measure_response(task, pairs[row].output_2).correctness;
      Annotation annotation;
      annotation.annotator = name();
      annotation.preference = first == second ? 0 : second > first ? 2 : 1;
      annotation.probability_output_2 = first == second ? 0.5 : second > first ? 1.0 : 0.0;
      annotations.push_back(std::move(annotation));
    }
    return annotations;
  }
};

struct GoldHumansSettings {
  std::int64_t version = 2;
  std::int64_t raters = 16;
  double temperature = kDefaultGoldTemperature;
  GoldMode mode = GoldMode::single;
  std::int64_t panel_size = 5;
};

SettingsSchema<GoldHumansSettings> gold_humans_schema() {
  using S = GoldHumansSettings;
  SettingsSchema<S> schema;
  schema.integer("version", &S::version, "the world version whose humans these are (1 or 2)", 1, 2)
      .integer("raters", &S::raters, "raters in the pool (AlpacaFarm had 16 crowd workers)", 1,
               1000)
      .number("temperature", &S::temperature, "Bradley-Terry noise scale of the mean rater",
              /*minimum=*/0.01, /*maximum=*/100.0)
      .choice("mode", &S::mode, "single: one rater per pair; panel: majority of panel_size raters",
              {{"single", GoldMode::single}, {"panel", GoldMode::panel}})
      .integer("panel_size", &S::panel_size, "raters per pair in panel mode (odd)", 1, 999);
  return schema;
}

struct PersonasSettings {
  std::int64_t version = 2;
  std::string personas_file;
  double temperature_scale = 1.0;
};

SettingsSchema<PersonasSettings> personas_schema() {
  using S = PersonasSettings;
  SettingsSchema<S> schema;
  schema.integer("version", &S::version, "the world version the personas judge for (1 or 2)", 1, 2)
      .path("personas_file", &S::personas_file,
            "persona definitions (TOML); empty = the built-in world_personas.toml "
            "(version 1) or world_personas_v2.toml (version 2)")
      .number("temperature_scale", &S::temperature_scale,
              "multiplies every persona's temperature: below 1 the pool is more decisive "
              "(recalibrating it, with world_gold_humans' temperature, to outputs whose "
              "utilities lie closer together than the teacher's)",
              /*minimum=*/0.01, /*maximum=*/100.0);
  return schema;
}

void run_world_correctness(NodeContext& context) {
  context.set_output("annotator", std::make_shared<CorrectnessJudge>());
}

void run_world_gold_humans(NodeContext& context) {
  const GoldHumansSettings settings = gold_humans_schema().read(context.params());
  context.set_output(
      "annotator",
      std::make_shared<GoldHumansAnnotator>(
          context.seed(), static_cast<int>(settings.raters), settings.temperature, settings.mode,
          static_cast<int>(settings.panel_size), static_cast<int>(settings.version)));
}

void run_world_personas(NodeContext& context) {
  const PersonasSettings settings = personas_schema().read(context.params());
  const std::string file = settings.personas_file;
  const int version = static_cast<int>(settings.version);
  std::vector<PersonaSpec> specs =
      file.empty() ? parse_personas(builtin_personas_toml(version), builtin_personas_name(version))
                   : load_personas_file(file);
  if (specs.front().version != version)
    throw Error("node '" + context.node_name() + "': " + file +
                " defines personas for world version " + std::to_string(specs.front().version) +
                " but the node's `version` is " + std::to_string(version) + "; set `version = " +
                std::to_string(version) + "` at the top of the file or change the node's version");
  const double temperature_scale = settings.temperature_scale;
  for (PersonaSpec& spec : specs) spec.temperature *= temperature_scale;
  context.log().info("world personas: {} judges from {}, temperatures x{}", specs.size(),
                     file.empty() ? builtin_personas_name(version) : file, temperature_scale);
  context.set_output("annotator", std::make_shared<PersonaPoolAnnotator>(specs, context.seed()));
}

}  // namespace

NodeTypeSpec world_gold_humans_node_type() {
  NodeTypeSpec spec;
  spec.name = "world_gold_humans";
  spec.kind = NodeKind::annotator;
  spec.summary =
      "The world's simulated humans: raters of the hidden utility with "
      "Bradley-Terry noise.";
  spec.doc =
      "Each rater weighs correctness, justification, length, repetition and ending a little "
      "differently and chooses with Bradley-Terry noise; two raters agree on about 65% of "
      "pairs of sft-like outputs. Pairs must carry the world's hidden columns in their "
      "metadata. members() lists the raters. See docs/world.md.";
  spec.outputs = {{"annotator", "Annotator", "the gold human pool"}};
  spec.params = gold_humans_schema().specs();
  return make_node_type(std::move(spec), run_world_gold_humans);
}

NodeTypeSpec world_personas_node_type() {
  NodeTypeSpec spec;
  spec.name = "world_personas";
  spec.kind = NodeKind::annotator;
  spec.summary = "13 biased judge personas of the world (the API-judge pool analog).";
  spec.doc =
      "One Annotator whose members() are the personas of a TOML file (default: the built-in "
      "copy of configs/annotators/world_personas.toml). On its own it picks one persona per "
      "instruction; wrap it in the noisy ensemble for AlpacaFarm's training-time labels.";
  spec.outputs = {{"annotator", "Annotator", "the persona pool"}};
  spec.params = personas_schema().specs();
  return make_node_type(std::move(spec), run_world_personas);
}

NodeTypeSpec world_correctness_node_type() {
  NodeTypeSpec spec;
  spec.name = "world_correctness";
  spec.kind = NodeKind::annotator;
  spec.summary = "Prefers the more correct output by the world's checker; equal is a tie.";
  spec.doc =
      "Correctness is measure_response's share of the answer keys stated (a quarter of it when "
      "a wrong key is stated too). Pairs must carry the world's hidden columns. Used with "
      "reward_eval to measure a reward model on the pairs whose correctness differs.";
  spec.outputs = {{"annotator", "Annotator", "the correctness judge"}};
  return make_node_type(std::move(spec), run_world_correctness);
}

}  // namespace paddock::world
