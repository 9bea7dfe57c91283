// Paddock's ids for texts, for comparing with another implementation (compare.mjs): reads
// {"dir": CHECKPOINT_DIR, "texts": [...]} on standard input and prints
// {"ids": [[...], ...], "decoded": [...]} (decoded with special tokens kept).
#include <iostream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "paddock/error.hpp"
#include "paddock/transformer/tokenizer.hpp"

int main() {
  try {
    const auto input =
        nlohmann::json::parse(std::string(std::istreambuf_iterator<char>(std::cin), {}));
    const auto tokenizer =
        paddock::transformer::load_checkpoint_tokenizer(input.at("dir").get<std::string>());
    nlohmann::json out = {{"ids", nlohmann::json::array()}, {"decoded", nlohmann::json::array()}};
    for (const auto& text : input.at("texts")) {
      const auto ids = tokenizer->encode(text.get<std::string>());
      out["ids"].push_back(ids);
      out["decoded"].push_back(tokenizer->decode(ids, /*skip_special_tokens=*/false));
    }
    std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "tokenizer_ids: " << error.what() << "\n";
    return 1;
  }
}
