// The task families of the world, from easy to hard. Each family draws one task at a time:
// its data, an instruction phrased through one of many templates (the data either inline or
// in the input field), the answer key, plausible wrong answers and a short rationale.
#pragma once

#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fact_base.hpp"
#include "task.hpp"
#include "text_util.hpp"

namespace paddock::world {

struct FamilyDraw {
  std::mt19937_64& rng;
  const FactBase& facts;
  bool with_input;  // put the data in the input field rather than in the instruction
};

struct Family {
  std::string_view name;
  int difficulty;  // 1 easy, 2 medium, 3 hard
  std::string_view summary;
  Task (*generate)(FamilyDraw& draw);
};

// Every family, in a fixed order (the order is part of the world's definition): the 13 of
// world version 1, then those version 2 added.
std::span<const Family> all_families();
const Family* find_family(std::string_view name);
std::vector<std::string> family_names();
// The named families in the given order (empty = the version's own set: version 1's 13, or
// all of them for version 2); unknown names are skipped, since the world's parameters are
// validated before this is called.
std::vector<const Family*> chosen_families(const std::vector<std::string>& names, int version);
// How often each family is drawn: version 1 draws uniformly (all weights 1), version 2 by the
// weights in families.cpp (docs/world.md), which favour what small models learn fast.
std::vector<double> family_weights(const std::vector<const Family*>& families, int version);

// The group a family reports under: "in_context", "recall", "computing" or "hard".
std::string_view family_category(std::string_view family);

// Phrasing shared by the families: picks an inline template (filled with `values`) or an
// input-field template plus `input_text`, and sets instruction and input on `task`.
void phrase_task(FamilyDraw& draw, Task& task, std::span<const std::string_view> inline_templates,
                 std::span<const std::string_view> input_templates, const Substitutions& values,
                 std::string input_text);

// The opposites family's fixed table (family_opposites.cpp), each pair asked both ways.
struct WordPair {
  std::string_view word;
  std::string_view opposite;
};
std::span<const WordPair> opposite_pairs();

// Each family's generator (family_*.cpp).
Task generate_addition(FamilyDraw& draw);
Task generate_case_conversion(FamilyDraw& draw);
Task generate_extremum(FamilyDraw& draw);
Task generate_string_reversal(FamilyDraw& draw);
Task generate_counting(FamilyDraw& draw);
Task generate_sorting(FamilyDraw& draw);
Task generate_fact_lookup(FamilyDraw& draw);
Task generate_unit_conversion(FamilyDraw& draw);
Task generate_date_format(FamilyDraw& draw);
Task generate_multi_step_arithmetic(FamilyDraw& draw);
Task generate_sequence(FamilyDraw& draw);
Task generate_description(FamilyDraw& draw);
Task generate_opposites(FamilyDraw& draw);
// Version 2 (family_in_context.cpp, family_knowledge.cpp).
Task generate_kv_lookup(FamilyDraw& draw);
Task generate_passage_qa(FamilyDraw& draw);
Task generate_list_item(FamilyDraw& draw);
Task generate_word_order(FamilyDraw& draw);
Task generate_tell_about(FamilyDraw& draw);

}  // namespace paddock::world
