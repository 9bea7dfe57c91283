// `world_system`: a scripted system of known quality answering a Dataset of world prompts,
// so a leaderboard has anchors above and below the learned models.
#include <memory>

#include "paddock/error.hpp"
#include "paddock/seed.hpp"
#include "paddock/settings_schema.hpp"
#include "paddock/simple_node.hpp"
#include "responder.hpp"
#include "text_util.hpp"
#include "world_nodes.hpp"
#include "world_version.hpp"

namespace paddock::world {
namespace {

std::vector<std::string> quality_names() {
  std::vector<std::string> names;
  for (const SystemProfile& profile : system_profiles(kLatestWorldVersion))
    names.emplace_back(profile.name);
  return names;
}

struct WorldSystemSettings {
  std::string quality = "strong";
  std::string generator;
};

SettingsSchema<WorldSystemSettings> world_system_schema() {
  using S = WorldSystemSettings;
  SettingsSchema<S> schema;
  schema.text("quality", &S::quality, "which scripted system answers", quality_names())
      .text("generator", &S::generator, "the generator column; empty = world_<quality>");
  return schema;
}

void run_world_system(NodeContext& context) {
  const auto prompts = context.input<Dataset>("prompts");
  const WorldSystemSettings settings = world_system_schema().read(context.params());
  const std::string quality = settings.quality;
  std::string generator = settings.generator;
  if (generator.empty()) generator = "world_" + quality;
  auto outputs =
      std::make_shared<Dataset>(system_outputs(*prompts, quality, context.seed(), generator));
  context.log().info("world system '{}' answered {} prompts", quality, outputs->size());
  context.set_output("outputs", std::move(outputs));
}

}  // namespace

Dataset system_outputs(const Dataset& prompts, std::string_view quality, std::uint64_t seed,
                       const std::string& generator) {
  if (find_system_profile(quality, kLatestWorldVersion) == nullptr) {
    throw Error("world_system: unknown quality '" + std::string(quality) + "'; choose one of " +
                join(quality_names(), ", "));
  }
  const std::uint64_t stream = derive_seed(seed, "world/system/" + std::string(quality));
  Dataset outputs;
  outputs.records().reserve(prompts.size());
  for (std::size_t row = 0; row < prompts.size(); ++row) {
    const Record& record = prompts[row];
    const Task task =
        task_from_record(record, "world_system: prompts row " + std::to_string(row + 1));
    Record answered = record;
    // Each row is answered as its own world version writes.
    answered["output"] = respond(task, *find_system_profile(quality, task.world_version), stream);
    answered["generator"] = generator;
    outputs.add(std::move(answered));
  }
  return outputs;
}

NodeTypeSpec world_system_node_type() {
  NodeTypeSpec spec;
  spec.name = "world_system";
  spec.kind = NodeKind::transform;
  spec.summary = "A scripted system of known quality answering world prompts.";
  spec.doc =
      "strong (a GPT-4 analog), medium, weak, base (does not follow instructions), reference "
      "(the Davinci003 analog that writes the eval references) or teacher (the writer of the "
      "sft outputs). Needs the hidden columns of instruction_world records.";
  spec.inputs = {{"prompts", "Dataset", "world records (instruction, input, hidden columns)"}};
  spec.outputs = {{"outputs", "Dataset", "the records with this system's output and generator"}};
  spec.params = world_system_schema().specs();
  return make_node_type(std::move(spec), run_world_system);
}

}  // namespace paddock::world
