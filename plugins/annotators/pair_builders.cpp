// Head-to-head joins and sample derangements.
#include "pair_builders.hpp"

#include <deque>
#include <map>
#include <random>
#include <set>
#include <unordered_map>

#include "paddock/error.hpp"
#include "paddock/random.hpp"
#include "paddock/seed.hpp"
#include "pair_key.hpp"
#include "pair_records.hpp"

namespace paddock::annotators {
namespace {

Record pair_record(const std::string& instruction, const std::string& input,
                   const std::string& output_1, const std::string& output_2) {
  Record record = Record::object();
  record["instruction"] = instruction;
  record["input"] = input;
  record["output_1"] = output_1;
  record["output_2"] = output_2;
  return record;
}

}  // namespace

HeadToHeadResult pairs_head_to_head(const Dataset& outputs_1, const Dataset& outputs_2,
                                    const std::string& output_column) {
  const std::set<std::string> skip = {"instruction", "input", output_column};
  std::unordered_map<std::string, std::deque<std::size_t>> second_rows;
  for (std::size_t row = 0; row < outputs_2.size(); ++row) {
    const Record& record = outputs_2[row];
    text_column(record, "instruction", row);
    text_column(record, output_column, row);
    second_rows[prompt_key(record["instruction"].get<std::string>(),
                           input_column(record, row, "outputs_2"))]
        .push_back(row);
  }
  HeadToHeadResult result;
  std::vector<bool> used(outputs_2.size(), false);
  for (std::size_t row = 0; row < outputs_1.size(); ++row) {
    const Record& first = outputs_1[row];
    const std::string& instruction = text_column(first, "instruction", row);
    const std::string& output = text_column(first, output_column, row);
    const std::string input = input_column(first, row, "outputs_1");
    auto found = second_rows.find(prompt_key(instruction, input));
    if (found == second_rows.end() || found->second.empty()) {
      Record unmatched = first;
      unmatched["side"] = 1;
      result.unmatched.add(std::move(unmatched));
      ++result.unmatched_1;
      continue;
    }
    const std::size_t partner = found->second.front();
    found->second.pop_front();
    used[partner] = true;
    const Record& second = outputs_2[partner];
    Record record =
        pair_record(instruction, input, output, second[output_column].get<std::string>());
    merge_extra_columns(record, first, second, skip);
    result.pairs.add(std::move(record));
  }
  for (std::size_t row = 0; row < outputs_2.size(); ++row) {
    if (used[row]) continue;
    Record unmatched = outputs_2[row];
    unmatched["side"] = 2;
    result.unmatched.add(std::move(unmatched));
    ++result.unmatched_2;
  }
  return result;
}

std::vector<std::size_t> random_derangement(std::size_t n, std::uint64_t seed) {
  // Sattolo's algorithm: a uniformly random permutation with a single cycle.
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::mt19937_64 rng(seed);
  for (std::size_t i = n; i > 1; --i) {
    std::swap(order[i - 1], order[uniform_below(rng, i - 1)]);
  }
  return order;
}

SampleResult pairs_from_samples(const Dataset& samples, const SampleOptions& options) {
  struct Sample {
    std::string text;
    std::size_t row;
  };
  struct Group {
    std::string instruction, input;
    std::vector<Sample> samples;
  };
  std::vector<Group> groups;
  std::unordered_map<std::string, std::size_t> group_of;
  for (std::size_t row = 0; row < samples.size(); ++row) {
    const Record& record = samples[row];
    const std::string& instruction = text_column(record, "instruction", row);
    const std::string input = input_column(record, row, "samples");
    const std::string key = prompt_key(instruction, input);
    auto [where, inserted] = group_of.emplace(key, groups.size());
    if (inserted) groups.push_back({instruction, input, {}});
    Group& group = groups[where->second];
    if (const auto many = record.find(options.outputs_column);
        many != record.end() && !many->is_null()) {
      if (!many->is_array()) {
        throw Error("samples: row " + std::to_string(row) + ": column '" + options.outputs_column +
                    "' is not an array");
      }
      for (const auto& text : *many) {
        if (!text.is_string()) {
          throw Error("samples: row " + std::to_string(row) + ": column '" +
                      options.outputs_column + "' holds a non-string output");
        }
        group.samples.push_back({text.get<std::string>(), row});
      }
    } else {
      group.samples.push_back({text_column(record, options.output_column, row), row});
    }
  }

  SampleResult result;
  const std::set<std::string> skip = {"instruction", "input", options.output_column,
                                      options.outputs_column};
  for (const Group& group : groups) {
    ++result.instructions;
    const std::size_t n = group.samples.size();
    if (n < 2) {
      ++result.instructions_too_few;
      continue;
    }
    const auto order = random_derangement(
        n, derive_seed(options.seed, prompt_key(group.instruction, group.input)));
    std::set<std::pair<std::size_t, std::size_t>> made;
    std::size_t emitted = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (options.max_pairs_per_instruction > 0 && emitted >= options.max_pairs_per_instruction) {
        break;
      }
      const std::size_t j = order[i];
      if (made.count({j, i})) continue;
      made.insert({i, j});
      const Sample& first = group.samples[i];
      const Sample& second = group.samples[j];
      if (options.drop_identical && first.text == second.text) {
        ++result.identical_dropped;
        continue;
      }
      Record record = pair_record(group.instruction, group.input, first.text, second.text);
      merge_extra_columns(record, samples[first.row], samples[second.row], skip);
      result.pairs.add(std::move(record));
      ++emitted;
    }
  }
  return result;
}

}  // namespace paddock::annotators
