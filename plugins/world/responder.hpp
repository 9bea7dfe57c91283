// Scripted writers of responses: the imperfect teacher that writes the sft outputs, the
// reference system that writes the eval references (the Davinci003 analog), and systems of
// known quality (strong, medium, weak, and a base model that does not follow instructions).
// Each is a profile: how often it is right by difficulty, which styles it writes, how often
// it stops mid-sentence and how often it addresses the task at all.
#pragma once

#include <array>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>

#include "task.hpp"

namespace paddock::world {

// `detailed` (version 2) is the helpful answer with one more sentence: what AlpacaFarm's
// humans rewarded up to a point, so SFT can learn it and RL can overdo it.
enum class Style : std::uint8_t { terse, helpful, rambling, list, detailed };
std::string_view to_string(Style style);

struct SystemProfile {
  std::string_view name;
  std::array<double, 3> accuracy;       // P(correct answer) at difficulty 1, 2, 3
  std::array<double, 5> style_weights;  // terse, helpful, rambling, list, detailed
  double truncation_rate;               // P(the response stops mid-sentence)
  double follow_rate;                   // P(the response addresses the task at all)
};

// teacher, reference, strong, medium, weak, base, as world `version` (1 or 2) writes them:
// version 2's teacher and reference also write detailed answers.
std::span<const SystemProfile> system_profiles(int version);
const SystemProfile* find_system_profile(std::string_view name, int version);

// A response stating the answer (or, when !correct, one of the task's wrong answers).
std::string write_response(const Task& task, bool correct, Style style, std::mt19937_64& rng);
// What a model that does not follow instructions writes: it continues the prompt instead.
std::string write_off_task_response(const Task& task, std::mt19937_64& rng);
// Cuts a response mid-sentence somewhere in its second half (short ones are left whole).
std::string truncate_response(std::string response, std::mt19937_64& rng);

std::string sample_response(const Task& task, const SystemProfile& profile, std::mt19937_64& rng);
// sample_response with a generator seeded by derive_seed(stream_seed, prompt_key(task)), so a
// prompt's response never depends on which other prompts are answered.
std::string respond(const Task& task, const SystemProfile& profile, std::uint64_t stream_seed);

}  // namespace paddock::world
