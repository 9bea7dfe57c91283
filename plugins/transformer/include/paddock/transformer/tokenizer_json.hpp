// Hugging Face `tokenizer.json` for byte-level BPE: reading (GPT-2 and LLaMA-3 style files)
// and writing (a file the `tokenizers` library loads).
//
// Understood: model.type "BPE" with vocab, merges ("a b" strings or ["a", "b"] pairs),
// unk_token, ignore_merges; added_tokens; pre_tokenizer ByteLevel (use_regex true: the GPT-2
// pattern; add_prefix_space) or Sequence [Split with the GPT-2 or LLaMA-3 regex, ByteLevel
// with use_regex false]; normalizer null; decoder ByteLevel or null. post_processor,
// truncation and padding are kept and written back unchanged, but encode() does not apply
// the post-processor's template. Anything else is refused with an error naming the file and
// the field.
#pragma once

#include <algorithm>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "paddock/transformer/bpe_tokenizer.hpp"

namespace paddock::transformer {

BpeTokenizer load_tokenizer_json(const std::filesystem::path& file);
// `label` names the source in errors.
BpeTokenizer parse_tokenizer_json(std::string_view json_text, std::string_view label);

// tokenizer.json's "added_tokens": the tokens in id order, every flag written out.
template <class Json>
Json added_tokens_json(std::vector<AddedToken> tokens) {
  std::sort(tokens.begin(), tokens.end(),
            [](const AddedToken& a, const AddedToken& b) { return a.id < b.id; });
  Json list = Json::array();
  for (const AddedToken& token : tokens) {
    list.push_back({{"id", token.id},
                    {"content", token.content},
                    {"single_word", token.single_word},
                    {"lstrip", token.lstrip},
                    {"rstrip", token.rstrip},
                    {"normalized", token.normalized},
                    {"special", token.special}});
  }
  return list;
}

// The JSON of a tokenizer.json, refusing nesting deeper than real files have; errors name
// `label`.
nlohmann::json parse_tokenizer_json_document(std::string_view json_text, std::string_view label);
// The vocabulary, merges and added tokens of a BPE tokenizer.json, checked as above but with
// model.byte_fallback allowed; the normalizer, pre-tokenizer and decoder are not read (the
// SentencePiece-style reader, byte_fallback_bpe.hpp, reads its own).
BpeTokenizer read_bpe_vocabulary(const nlohmann::json& root, std::string_view label);
// Whether `root` is a tokenizer.json whose model has byte_fallback: true.
bool is_byte_fallback_bpe(const nlohmann::json& root);

// The tokenizer.json text (2-space indented; vocabulary in id order). Merges are written as
// "a b" strings, which every tokenizers version reads, unless a merged token contains a
// space, in which case all merges use the [a, b] form.
std::string tokenizer_json_text(const BpeTokenizer& tokenizer);
void save_tokenizer_json(const BpeTokenizer& tokenizer, const std::filesystem::path& file);

}  // namespace paddock::transformer
