// The family table and the shared phrasing step; see families.hpp.
#include "families.hpp"

#include "draw.hpp"

namespace paddock::world {
namespace {

constexpr Family kFamilies[] = {
    {"addition", 1, "add two numbers", generate_addition},
    {"case_conversion", 1, "rewrite a phrase in upper, lower or title case",
     generate_case_conversion},
    {"extremum", 1, "largest or smallest number, longest word", generate_extremum},
    {"string_reversal", 2, "reverse a word's letters or a phrase's words",
     generate_string_reversal},
    {"counting", 2, "count words, letters or items", generate_counting},
    {"sorting", 2, "sort words or numbers", generate_sorting},
    {"fact_lookup", 2, "a fact about a fictional country", generate_fact_lookup},
    {"unit_conversion", 2, "convert between metric or time units", generate_unit_conversion},
    {"date_format", 2, "rewrite an ISO date in another format", generate_date_format},
    {"multi_step_arithmetic", 3, "multiply then add or subtract", generate_multi_step_arithmetic},
    {"sequence", 3, "continue an arithmetic sequence", generate_sequence},
    {"description", 3, "describe a fictional country with two required facts",
     generate_description},
    {"opposites", 1, "the opposite of a common word", generate_opposites},
    // Version 2's additions; everything above is version 1's set, in its order.
    {"kv_lookup", 1, "look a person's value up in a small table", generate_kv_lookup},
    {"passage_qa", 2, "answer a question about a short passage", generate_passage_qa},
    {"list_item", 1, "the Nth item of a list, or the animal in it", generate_list_item},
    {"word_order", 2, "reverse the order of words, or swap the outer two", generate_word_order},
    {"tell_about", 2, "everything known about a fictional country", generate_tell_about},
};
constexpr std::size_t kVersion1Families = 13;

struct FamilyProfile {
  std::string_view name;
  std::string_view category;
  double version2_weight;  // relative; see docs/world.md for the reasoning
};

constexpr FamilyProfile kProfiles[] = {
    {"kv_lookup", "in_context", 0.11}, {"passage_qa", "in_context", 0.10},
    {"list_item", "in_context", 0.09}, {"word_order", "in_context", 0.06},
    {"tell_about", "recall", 0.07},    {"fact_lookup", "recall", 0.10},
    {"description", "recall", 0.05},   {"opposites", "recall", 0.05},
    {"addition", "computing", 0.07},   {"extremum", "computing", 0.05},
    {"counting", "computing", 0.04},   {"unit_conversion", "computing", 0.03},
    {"sorting", "computing", 0.04},    {"multi_step_arithmetic", "hard", 0.04},
    {"sequence", "hard", 0.04},        {"string_reversal", "hard", 0.02},
    {"case_conversion", "hard", 0.02}, {"date_format", "hard", 0.02},
};

const FamilyProfile* find_profile(std::string_view name) {
  for (const FamilyProfile& profile : kProfiles) {
    if (profile.name == name) return &profile;
  }
  return nullptr;
}

}  // namespace

std::span<const Family> all_families() {
  return kFamilies;
}

const Family* find_family(std::string_view name) {
  for (const Family& family : kFamilies) {
    if (family.name == name) return &family;
  }
  return nullptr;
}

std::vector<std::string> family_names() {
  std::vector<std::string> names;
  for (const Family& family : kFamilies) names.emplace_back(family.name);
  return names;
}

std::vector<const Family*> chosen_families(const std::vector<std::string>& names, int version) {
  std::vector<const Family*> chosen;
  if (names.empty()) {
    const std::size_t count = version == 1 ? kVersion1Families : std::size(kFamilies);
    for (std::size_t i = 0; i < count; ++i) chosen.push_back(&kFamilies[i]);
  }
  for (const std::string& name : names) {
    if (const Family* family = find_family(name)) chosen.push_back(family);
  }
  return chosen;
}

std::vector<double> family_weights(const std::vector<const Family*>& families, int version) {
  std::vector<double> weights;
  for (const Family* family : families)
    weights.push_back(version == 1 ? 1.0 : find_profile(family->name)->version2_weight);
  return weights;
}

std::string_view family_category(std::string_view family) {
  const FamilyProfile* profile = find_profile(family);
  return profile ? profile->category : "other";
}

void phrase_task(FamilyDraw& draw, Task& task, std::span<const std::string_view> inline_templates,
                 std::span<const std::string_view> input_templates, const Substitutions& values,
                 std::string input_text) {
  if (draw.with_input && !input_templates.empty()) {
    task.instruction = fill(pick(draw.rng, input_templates), values);
    task.input = std::move(input_text);
  } else {
    task.instruction = fill(pick(draw.rng, inline_templates), values);
    task.input.clear();
  }
}

}  // namespace paddock::world
