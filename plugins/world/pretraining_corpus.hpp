// The world's pretraining corpus: plain text for a base model to learn the world's facts and
// skills before any instruction tuning, the analog of the web text a real base model was
// pretrained on. Documents are encyclopedia entries about the fictional countries, dictionary
// entries listing opposite words, and worked examples (a question and its answer, without the
// instruction template). No document asks a prompt of any split, so the evaluation prompts
// never leak into pretraining.
//
// Seeding label: "world/corpus", applied with derive_seed(world seed, label).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <unordered_set>

#include "fact_base.hpp"
#include "paddock/dataset.hpp"
#include "responder.hpp"
#include "world_config.hpp"

namespace paddock::world {

// Shares of the corpus by kind of document; the rest are worked examples.
inline constexpr double kEncyclopediaShare = 0.25;
inline constexpr double kDictionaryShare = 0.05;

// The corpus's writer: nearly always right (reference text, not a model), terse or helpful,
// never cut off. Its mistakes keep the corpus from being a perfect answer key.
extern const SystemProfile kCorpusWriter;

// One country's five facts in shuffled order, each in one of three sentence forms.
std::string encyclopedia_entry(const Country& country, std::mt19937_64& rng);
// Four pairs of the opposites table, each in one of four sentence forms.
std::string dictionary_entry(std::mt19937_64& rng);

// `config.corpus_documents` records with one column, `text`. `split_prompts` holds the
// prompt_key of every split's prompt; worked examples never repeat one. Throws
// paddock::Error when the chosen families have no prompts left outside the splits.
Dataset generate_pretraining_corpus(const WorldConfig& config, std::uint64_t seed,
                                    const FactBase& facts,
                                    const std::unordered_set<std::string>& split_prompts);

}  // namespace paddock::world
