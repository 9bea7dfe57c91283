// A world task: one instruction with its hidden answer key. Families generate tasks; the
// world writes them as Dataset records whose extra ("hidden") columns carry the key, and the
// world's systems and annotators read the key back from a record or a pair's metadata.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace paddock::world {

struct Task {
  std::string family;
  int difficulty = 1;  // 1 easy, 2 medium, 3 hard
  std::string instruction;
  std::string input;                       // empty when the instruction carries everything
  std::string answer;                      // what a correct response states
  std::vector<std::string> wrong_answers;  // plausible wrong statements a system may make
  std::vector<std::string> keys;           // the checker wants every one of these
  std::vector<std::string> wrong_keys;     // any of these in a response marks an error or a hedge
  std::string rationale;  // a short justification; "{answer}" stands for the stated answer
  bool case_sensitive = false;
  // The world version whose utility and writers judge and answer the task (world_version.hpp);
  // rows written before versions existed read as 1.
  int world_version = 1;
};

// The hidden columns, in the order they are written after instruction, input and output.
inline constexpr std::string_view kHiddenColumns[] = {
    "family",     "difficulty", "answer",         "wrong_answers", "keys",
    "wrong_keys", "rationale",  "case_sensitive", "world_version"};

// Removes wrong answers equal to the answer and wrong keys that a correct response would
// contain anyway (a key, or text of the rationale), so a correct answer is never penalised.
void tidy_task(Task& task);

// instruction, input and the hidden columns (no output column).
nlohmann::ordered_json task_to_record(const Task& task);
// instruction, input, output, then the hidden columns.
nlohmann::ordered_json task_to_record(const Task& task, const std::string& output);

// Reads a task from a record (or a pair's metadata plus its instruction and input). Throws
// paddock::Error naming `where` (e.g. "world_system: prompts row 12") and the missing or
// ill-typed column, and says that the record must come from instruction_world.
Task task_from_columns(const nlohmann::ordered_json& columns, std::string instruction,
                       std::string input, std::string_view where);
Task task_from_record(const nlohmann::ordered_json& record, std::string_view where);

// Key that identifies a prompt: instruction, a unit separator, input.
std::string prompt_key(std::string_view instruction, std::string_view input);

}  // namespace paddock::world
