// Generating outputs for prompt rows.
#include "paddock/learning/generation.hpp"

#include "paddock/error.hpp"
#include "paddock/seed.hpp"

namespace paddock::learning {
namespace {

// Prompts handed to the model per call; fixed, so results do not depend on batch_size.
constexpr std::size_t kRowsPerCall = 32;

}  // namespace

SettingsSchema<GenerationOptions> generation_schema(const std::string& batch_size_name,
                                                    bool with_samples_per_prompt) {
  using S = GenerationOptions;
  SettingsSchema<S> schema;
  schema.number("temperature", &S::temperature, "sampling temperature (0 = greedy)", 0.0)
      .number("top_p", &S::top_p,
              "nucleus sampling: keep the smallest set of tokens whose probability reaches this",
              1e-9, 1.0)
      .integer("top_k", &S::top_k, "keep only the k most likely tokens (0 = all)", 0.0)
      .integer("max_new_tokens", &S::max_new_tokens, "longest generation in tokens", 1.0)
      .integer(batch_size_name, &S::batch_size,
               batch_size_name == "batch_size" ? "rows decoded together"
                                               : "rows decoded together while sampling",
               1.0)
      .strings("stop", &S::stop, "strings that end a generation (not kept in the text)");
  if (with_samples_per_prompt) {
    schema.integer("samples_per_prompt", &S::samples_per_prompt,
                   "generations per prompt, one output row each", 1.0);
  }
  return schema;
}

GenerationOptions sampling_defaults(double temperature) {
  GenerationOptions defaults;
  defaults.temperature = temperature;
  defaults.top_p = 0.9;
  defaults.max_new_tokens = 128;
  defaults.batch_size = 16;
  return defaults;
}

std::vector<std::vector<Generation>> generate_for_rows(
    NodeContext& context, TextGenerator& generator, const Dataset& prompts,
    const RecordSource& source, const GenerationOptions& options, std::uint64_t seed,
    const std::string& label) {
  std::vector<std::string> texts;
  texts.reserve(prompts.size());
  for (std::size_t row = 0; row < prompts.size(); ++row)
    texts.push_back(generator.format_prompt(instruction_prompt(prompts[row], source, row)));
  std::vector<std::vector<Generation>> results;
  results.reserve(prompts.size());
  auto progress = context.progress(label, prompts.size());
  for (std::size_t first = 0; first < texts.size(); first += kRowsPerCall) {
    context.throw_if_cancelled();
    const std::size_t last = std::min(texts.size(), first + kRowsPerCall);
    GenerationOptions chunk_options = options;
    chunk_options.seed = derive_seed(seed, "rows " + std::to_string(first));
    const std::vector<std::string> chunk(texts.begin() + static_cast<std::ptrdiff_t>(first),
                                         texts.begin() + static_cast<std::ptrdiff_t>(last));
    auto generated = generator.generate(chunk, chunk_options);
    if (generated.size() != chunk.size())
      throw Error("node '" + context.node_name() + "': the model returned " +
                  std::to_string(generated.size()) + " results for " +
                  std::to_string(chunk.size()) + " prompts");
    std::uint64_t tokens = 0;
    for (auto& samples : generated) {
      for (const Generation& sample : samples) tokens += sample.token_ids.size();
      results.push_back(std::move(samples));
    }
    progress->add_tokens(tokens);
    progress->advance(last - first);
  }
  progress->finish();
  return results;
}

Record output_row(const Record& prompt_row, const Generation& generation,
                  const std::string& generator_name, std::int64_t sample) {
  Record row = prompt_row;
  row["output"] = generation.text;
  row["generator"] = generator_name;
  row["sample"] = sample;
  return row;
}

}  // namespace paddock::learning
