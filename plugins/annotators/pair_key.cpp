// Content keys and the stable hash for preference pairs.
#include "pair_key.hpp"

#include <spdlog/fmt/fmt.h>

#include "paddock/seed.hpp"

namespace paddock::annotators {

std::string pair_key(std::string_view instruction, std::string_view input,
                     std::string_view output_1, std::string_view output_2) {
  std::string key;
  key.reserve(instruction.size() + input.size() + output_1.size() + output_2.size() + 3);
  key.append(instruction).append(1, '\x1f').append(input).append(1, '\x1f');
  key.append(output_1).append(1, '\x1f').append(output_2);
  return key;
}

std::string pair_key(const PreferencePair& pair) {
  return pair_key(pair.instruction, pair.input, pair.output_1, pair.output_2);
}

std::string swapped_pair_key(const PreferencePair& pair) {
  return pair_key(pair.instruction, pair.input, pair.output_2, pair.output_1);
}

std::string prompt_key(std::string_view instruction, std::string_view input) {
  std::string key(instruction);
  key.append(1, '\x1f').append(input);
  return key;
}

}  // namespace paddock::annotators
