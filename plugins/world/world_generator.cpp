// Whole-world generation; see world_generator.hpp for the seeding labels.
#include "world_generator.hpp"

#include <random>
#include <unordered_set>

#include "corpus_v2.hpp"
#include "draw.hpp"
#include "families.hpp"
#include "paddock/error.hpp"
#include "paddock/random.hpp"
#include "paddock/seed.hpp"
#include "pretraining_corpus.hpp"
#include "responder.hpp"
#include "world_probes.hpp"
#include "world_version.hpp"

namespace paddock::world {
namespace {

std::vector<Task> draw_split(const std::string& split, std::size_t count,
                             const std::vector<const Family*>& families, const FactBase& facts,
                             const WorldConfig& config, std::uint64_t seed,
                             std::unordered_set<std::string>& used_prompts) {
  std::mt19937_64 rng(derive_seed(seed, "world/tasks/" + split));
  const std::vector<double> weights = family_weights(families, config.version);
  std::vector<Task> tasks;
  tasks.reserve(count);
  std::size_t rejected = 0;
  const std::size_t rejection_limit = 50 * count + 1000;
  while (tasks.size() < count) {
    // Version 1 keeps its uniform draw so its worlds stay as they were.
    const Family& family = *families[config.version == 1 ? uniform_below(rng, families.size())
                                                         : pick_weighted(rng, weights)];
    FamilyDraw draw{rng, facts, bernoulli(rng, config.input_fraction)};
    Task task = family.generate(draw);
    const std::string key = prompt_key(task.instruction, task.input);
    const bool reserved = config.version >= 2 && is_corpus_prompt(key);
    if (reserved || !used_prompts.insert(key).second) {
      if (++rejected > rejection_limit) {
        throw Error("instruction_world: could not draw " + std::to_string(count) +
                    " distinct prompts for split '" + split + "' from " +
                    std::to_string(families.size()) +
                    " families; lower 'scale' or enable more families");
      }
      continue;
    }
    tidy_task(task);
    task.world_version = config.version;
    tasks.push_back(std::move(task));
  }
  return tasks;
}

Dataset write_split(const std::vector<Task>& tasks, const SystemProfile& writer,
                    std::uint64_t stream_seed, bool is_eval) {
  Dataset dataset;
  dataset.records().reserve(tasks.size());
  for (const Task& task : tasks) {
    Record record = task_to_record(task, respond(task, writer, stream_seed));
    if (is_eval) {
      record["generator"] = "world_reference";
      record["dataset"] = task.family;
    }
    dataset.add(std::move(record));
  }
  return dataset;
}

}  // namespace

FactBase world_fact_base(const WorldConfig& config, std::uint64_t seed) {
  const std::uint64_t base_seed = config.version == 1 ? seed : kPinnedWorldSeed;
  return FactBase::generate(derive_seed(base_seed, "world/facts"), config.fact_base_size);
}

WorldTasks generate_world_tasks(const WorldConfig& config, std::uint64_t seed) {
  validate(config);
  WorldTasks tasks;
  tasks.facts = world_fact_base(config, seed);
  const FactBase& facts = tasks.facts;
  const auto families = chosen_families(config.families, config.version);
  const SplitSizes sizes = split_sizes(config);
  std::unordered_set<std::string>& used = tasks.prompt_keys;
  tasks.eval = draw_split("eval", sizes.eval, families, facts, config, seed, used);
  tasks.val = draw_split("val", sizes.val, families, facts, config, seed, used);
  tasks.sft = draw_split("sft", sizes.sft, families, facts, config, seed, used);
  tasks.preference =
      draw_split("preference", sizes.preference, families, facts, config, seed, used);
  tasks.unlabeled = draw_split("unlabeled", sizes.unlabeled, families, facts, config, seed, used);
  return tasks;
}

WorldDatasets generate_world(const WorldConfig& config, std::uint64_t seed) {
  const WorldTasks tasks = generate_world_tasks(config, seed);
  const SystemProfile& teacher = *find_system_profile("teacher", config.version);
  const SystemProfile& reference = *find_system_profile("reference", config.version);
  const std::uint64_t teacher_seed = derive_seed(seed, "world/teacher");
  WorldDatasets world;
  world.sft = write_split(tasks.sft, teacher, teacher_seed, false);
  world.preference = write_split(tasks.preference, teacher, teacher_seed, false);
  world.unlabeled = write_split(tasks.unlabeled, teacher, teacher_seed, false);
  world.val = write_split(tasks.val, teacher, teacher_seed, false);
  world.eval = write_split(tasks.eval, reference, derive_seed(seed, "world/reference"), true);
  if (config.version == 1) {
    world.corpus = generate_pretraining_corpus(config, seed, tasks.facts, tasks.prompt_keys);
  } else {
    world.corpus = generate_corpus_v2(config, tasks.facts);
    world.probes = generate_world_probes(config, tasks.facts);
  }
  return world;
}

}  // namespace paddock::world
