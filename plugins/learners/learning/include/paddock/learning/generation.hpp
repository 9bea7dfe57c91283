// Generating outputs for a Dataset of Alpaca prompts, shared by `generate`, `best_of_n` and
// `expert_iteration`: decoding parameters, seeding, chunking with progress and cancellation,
// and the output rows (the prompt row with `output`, `generator` and `sample` set).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "paddock/capabilities.hpp"
#include "paddock/context.hpp"
#include "paddock/dataset.hpp"
#include "paddock/learning/record_fields.hpp"
#include "paddock/settings_schema.hpp"

namespace paddock::learning {

// The sampling group: temperature, top_p, top_k, max_new_tokens, stop and the batch size
// (named `batch_size_name`), plus samples_per_prompt when `with_samples_per_prompt`. The
// seed is not a parameter: nodes derive it from their own.
SettingsSchema<GenerationOptions> generation_schema(const std::string& batch_size_name,
                                                    bool with_samples_per_prompt);

// The sampling defaults of the generating nodes: `temperature`, nucleus 0.9, up to 128 new
// tokens, 16 rows decoded together.
GenerationOptions sampling_defaults(double temperature);

// For each prompt row, options.samples_per_prompt generations. Prompts go to the model in
// fixed chunks whose seeds are derive_seed(seed, "rows FROM"), so row i's samples depend on
// (seed, i, decoding parameters) only, not on batch_size.
std::vector<std::vector<Generation>> generate_for_rows(
    NodeContext& context, TextGenerator& generator, const Dataset& prompts,
    const RecordSource& source, const GenerationOptions& options, std::uint64_t seed,
    const std::string& label);

// The prompt row with `output` = the generation (invalid UTF-8 replaced by U+FFFD),
// `generator` and `sample` set; every other column is kept.
Record output_row(const Record& prompt_row, const Generation& generation,
                  const std::string& generator_name, std::int64_t sample);

}  // namespace paddock::learning
