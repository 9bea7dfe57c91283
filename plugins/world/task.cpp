// Task <-> record conversion and tidying; see task.hpp.
#include "task.hpp"

#include <algorithm>

#include "paddock/error.hpp"
#include "text_util.hpp"

namespace paddock::world {
namespace {

const nlohmann::ordered_json& column(const nlohmann::ordered_json& columns, std::string_view name,
                                     std::string_view where) {
  const auto found = columns.find(std::string(name));
  if (found == columns.end()) {
    throw Error(std::string(where) + ": hidden column '" + std::string(name) +
                "' is missing; the world's systems and annotators need the columns that "
                "instruction_world writes (family, answer, keys, ...), so build these rows from "
                "its Datasets and keep their extra columns (pair builders copy them into "
                "PreferencePair::metadata)");
  }
  return *found;
}

std::string string_column(const nlohmann::ordered_json& columns, std::string_view name,
                          std::string_view where) {
  const auto& value = column(columns, name, where);
  if (!value.is_string()) {
    throw Error(std::string(where) + ": hidden column '" + std::string(name) +
                "' must be a string, not " + value.type_name());
  }
  return value.get<std::string>();
}

std::vector<std::string> list_column(const nlohmann::ordered_json& columns, std::string_view name,
                                     std::string_view where) {
  const auto& value = column(columns, name, where);
  std::vector<std::string> items;
  if (value.is_array()) {
    for (const auto& item : value) {
      if (!item.is_string()) break;
      items.push_back(item.get<std::string>());
    }
    if (items.size() == value.size()) return items;
  }
  throw Error(std::string(where) + ": hidden column '" + std::string(name) +
              "' must be a list of strings");
}

void write_hidden_columns(const Task& task, nlohmann::ordered_json& record) {
  record["family"] = task.family;
  record["difficulty"] = task.difficulty;
  record["answer"] = task.answer;
  record["wrong_answers"] = task.wrong_answers;
  record["keys"] = task.keys;
  record["wrong_keys"] = task.wrong_keys;
  record["rationale"] = task.rationale;
  record["case_sensitive"] = task.case_sensitive;
  record["world_version"] = task.world_version;
}

}  // namespace

void tidy_task(Task& task) {
  const std::string stated_rationale = fill(task.rationale, {{"answer", task.answer}});
  auto redundant_key = [&](const std::string& wrong) {
    if (wrong.empty()) return true;
    if (contains_bounded(stated_rationale, wrong, task.case_sensitive)) return true;
    if (contains_bounded(task.answer, wrong, task.case_sensitive)) return true;
    for (const std::string& key : task.keys) {
      if (contains_bounded(key, wrong, task.case_sensitive) ||
          contains_bounded(wrong, key, task.case_sensitive)) {
        return true;
      }
    }
    return false;
  };
  std::erase_if(task.wrong_keys, redundant_key);
  std::erase_if(task.wrong_answers,
                [&](const std::string& wrong) { return wrong.empty() || wrong == task.answer; });
  auto dedupe = [](std::vector<std::string>& items) {
    std::vector<std::string> unique;
    for (auto& item : items) {
      if (std::find(unique.begin(), unique.end(), item) == unique.end()) unique.push_back(item);
    }
    items = std::move(unique);
  };
  dedupe(task.wrong_keys);
  dedupe(task.wrong_answers);
}

nlohmann::ordered_json task_to_record(const Task& task) {
  nlohmann::ordered_json record;
  record["instruction"] = task.instruction;
  record["input"] = task.input;
  write_hidden_columns(task, record);
  return record;
}

nlohmann::ordered_json task_to_record(const Task& task, const std::string& output) {
  nlohmann::ordered_json record;
  record["instruction"] = task.instruction;
  record["input"] = task.input;
  record["output"] = output;
  write_hidden_columns(task, record);
  return record;
}

Task task_from_columns(const nlohmann::ordered_json& columns, std::string instruction,
                       std::string input, std::string_view where) {
  if (!columns.is_object()) {
    throw Error(std::string(where) + ": expected an object of hidden columns, got " +
                columns.type_name());
  }
  Task task;
  task.instruction = std::move(instruction);
  task.input = std::move(input);
  task.family = string_column(columns, "family", where);
  const auto& difficulty = column(columns, "difficulty", where);
  if (!difficulty.is_number_integer()) {
    throw Error(std::string(where) + ": hidden column 'difficulty' must be an integer");
  }
  task.difficulty = std::clamp(difficulty.get<int>(), 1, 3);
  task.answer = string_column(columns, "answer", where);
  task.wrong_answers = list_column(columns, "wrong_answers", where);
  task.keys = list_column(columns, "keys", where);
  task.wrong_keys = list_column(columns, "wrong_keys", where);
  task.rationale = string_column(columns, "rationale", where);
  const auto& case_sensitive = column(columns, "case_sensitive", where);
  if (!case_sensitive.is_boolean()) {
    throw Error(std::string(where) + ": hidden column 'case_sensitive' must be true or false");
  }
  task.case_sensitive = case_sensitive.get<bool>();
  const auto version = columns.find("world_version");  // optional: older rows are version 1
  if (version != columns.end()) {
    if (!version->is_number_integer() || version->get<int>() < 1 || version->get<int>() > 2)
      throw Error(std::string(where) + ": hidden column 'world_version' must be 1 or 2");
    task.world_version = version->get<int>();
  }
  if (task.keys.empty()) throw Error(std::string(where) + ": hidden column 'keys' is empty");
  return task;
}

Task task_from_record(const nlohmann::ordered_json& record, std::string_view where) {
  auto text = [&](const char* name) {
    const auto found = record.find(name);
    if (found == record.end() || !found->is_string()) {
      throw Error(std::string(where) + ": column '" + name + "' is missing or not a string");
    }
    return found->get<std::string>();
  };
  return task_from_columns(record, text("instruction"), text("input"), where);
}

std::string prompt_key(std::string_view instruction, std::string_view input) {
  std::string key(instruction);
  key += '\x1f';
  key += input;
  return key;
}

}  // namespace paddock::world
