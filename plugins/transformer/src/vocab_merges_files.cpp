// Reading vocab.json + merges.txt.
#include "paddock/transformer/vocab_merges_files.hpp"

#include <nlohmann/json.hpp>

#include "paddock/core/files.hpp"
#include "paddock/error.hpp"

namespace paddock::transformer {

BpeTokenizer load_vocab_and_merges(const std::filesystem::path& vocab_json,
                                   const std::filesystem::path& merges_txt,
                                   const std::vector<std::string>& special_tokens) {
  BpeTokenizerParts parts;
  const std::string vocab_label = vocab_json.string();
  nlohmann::json vocab;
  try {
    vocab = nlohmann::json::parse(core::read_file(vocab_json));
  } catch (const nlohmann::json::exception& error) {
    throw Error(vocab_label + ": not valid JSON: " + error.what());
  }
  if (!vocab.is_object()) throw Error(vocab_label + ": must be a JSON object of token -> id");
  for (const auto& [token, id] : vocab.items()) {
    if (!id.is_number_integer() || id.get<std::int64_t>() < 0 ||
        id.get<std::int64_t>() > INT32_MAX) {
      throw Error(vocab_label + ": token '" + token + "' has id " + id.dump() +
                  ", not an integer in [0, 2^31)");
    }
    parts.vocab.emplace_back(token, id.get<std::int32_t>());
  }

  const std::string merges_label = merges_txt.string();
  const std::string text = core::read_file(merges_txt);
  std::vector<std::size_t> line_numbers;  // of each merge, for errors
  std::size_t line_number = 0;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || (line_number == 1 && line.rfind("#version", 0) == 0)) continue;
    const std::size_t space = line.find(' ');
    if (space == std::string::npos || space == 0 || space + 1 == line.size() ||
        line.find(' ', space + 1) != std::string::npos) {
      throw Error(merges_label + ": line " + std::to_string(line_number) + ": \"" + line +
                  "\" is not two tokens separated by one space");
    }
    parts.merges.emplace_back(line.substr(0, space), line.substr(space + 1));
    line_numbers.push_back(line_number);
  }

  BpeSourceNames names;
  names.file = vocab_label + " + " + merges_label;
  names.vocab_field = "vocab.json";
  names.added_tokens_field = "special tokens";
  names.merge_field = [&](std::size_t index) {
    return "merges.txt line " + std::to_string(line_numbers[index]);
  };
  BpeTokenizer tokenizer = BpeTokenizer::build(std::move(parts), names);
  tokenizer.add_special_tokens(special_tokens);
  return tokenizer;
}

}  // namespace paddock::transformer
