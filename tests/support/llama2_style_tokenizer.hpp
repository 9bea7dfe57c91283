// A SentencePiece-style tokenizer.json in LLaMA-2's layout (byte_fallback BPE, the Prepend
// and Replace normalizers, its decoders), built in code for the tests that read one, and
// the pieces and merges that spell "▁hello ▁world".
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace paddock::testing {

// Ids 0-2 are <unk>, <s>, </s>; 3-258 the byte tokens <0x00>..<0xFF>; then `pieces` in order.
constexpr std::int32_t kFirstPiece = 259;

inline nlohmann::json llama2_style(const std::vector<std::string>& pieces,
                                   const std::vector<std::pair<std::string, std::string>>& merges,
                                   bool byte_tokens = true) {
  nlohmann::json vocab = {{"<unk>", 0}, {"<s>", 1}, {"</s>", 2}};
  if (byte_tokens) {
    for (int byte = 0; byte < 256; ++byte) {
      char name[8];
      std::snprintf(name, sizeof(name), "<0x%02X>", byte);
      vocab[name] = 3 + byte;
    }
  }
  for (std::size_t i = 0; i < pieces.size(); ++i)
    vocab[pieces[i]] = kFirstPiece + static_cast<std::int32_t>(i);
  nlohmann::json merge_list = nlohmann::json::array();
  for (const auto& [left, right] : merges) merge_list.push_back(left + " " + right);
  nlohmann::json added = nlohmann::json::array();
  for (const auto& [id, content] :
       std::vector<std::pair<int, std::string>>{{0, "<unk>"}, {1, "<s>"}, {2, "</s>"}}) {
    added.push_back({{"id", id},
                     {"content", content},
                     {"single_word", false},
                     {"lstrip", false},
                     {"rstrip", false},
                     {"normalized", false},
                     {"special", true}});
  }
  return {{"version", "1.0"},
          {"added_tokens", added},
          {"normalizer",
           {{"type", "Sequence"},
            {"normalizers",
             {{{"type", "Prepend"}, {"prepend", "▁"}},
              {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "▁"}}}}}},
          {"pre_tokenizer", nullptr},
          {"decoder",
           {{"type", "Sequence"},
            {"decoders",
             {{{"type", "Replace"}, {"pattern", {{"String", "▁"}}}, {"content", " "}},
              {{"type", "ByteFallback"}},
              {{"type", "Fuse"}},
              {{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}}}}}},
          {"model",
           {{"type", "BPE"},
            {"unk_token", "<unk>"},
            {"fuse_unk", true},
            {"byte_fallback", true},
            {"vocab", vocab},
            {"merges", merge_list}}}};
}

// "▁hello ▁world" and the pieces to build them.
inline const std::vector<std::string> kHelloPieces = {
    "▁",   "h",     "e",      "l",  "o",  "w",    "r",     "d",      "▁h", "ll",
    "▁he", "▁hell", "▁hello", "▁w", "or", "▁wor", "▁worl", "▁world", "▁▁"};
inline const std::vector<std::pair<std::string, std::string>> kHelloMerges = {
    {"▁", "h"}, {"l", "l"},   {"▁h", "e"},   {"▁he", "ll"},  {"▁hell", "o"}, {"▁", "w"},
    {"o", "r"}, {"▁w", "or"}, {"▁wor", "l"}, {"▁worl", "d"}, {"▁", "▁"}};

}  // namespace paddock::testing
