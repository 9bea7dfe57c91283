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
};

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

std::vector<const Family*> chosen_families(const std::vector<std::string>& names) {
  std::vector<const Family*> chosen;
  if (names.empty()) {
    for (const Family& family : kFamilies) chosen.push_back(&family);
  }
  for (const std::string& name : names) {
    if (const Family* family = find_family(name)) chosen.push_back(family);
  }
  return chosen;
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
