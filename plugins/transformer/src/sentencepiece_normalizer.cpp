// SentencePiece normalization, step for step as libsentencepiece's Normalizer::Normalize.
#include "paddock/transformer/sentencepiece_normalizer.hpp"

#include "paddock/transformer/utf8.hpp"

namespace paddock::transformer {
namespace {

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

SentencePieceNormalizer::SentencePieceNormalizer(const SentencePieceNormalizerSpec& spec,
                                                 bool treat_whitespace_as_suffix,
                                                 ByteTrie user_defined_symbols,
                                                 const std::string& label)
    : spec_(spec),
      treat_whitespace_as_suffix_(treat_whitespace_as_suffix),
      user_defined_symbols_(std::move(user_defined_symbols)) {
  if (!spec_.precompiled_charsmap.empty()) {
    charsmap_.emplace(spec_.precompiled_charsmap, label + ": normalizer '" + spec_.name + "'");
    spec_.precompiled_charsmap.clear();  // the map holds its own copy
  }
}

SentencePieceNormalizer::Prefix SentencePieceNormalizer::normalize_prefix(
    std::string_view input) const {
  if (const std::size_t symbol = user_defined_symbols_.longest_prefix(input); symbol > 0) {
    return {input.substr(0, symbol), symbol};
  }
  if (charsmap_) {
    if (const auto match = charsmap_->longest_match(input)) {
      return {match->replacement, match->consumed};
    }
  }
  const DecodedCodePoint character = decode_utf8(input, 0);
  if (!character.valid) return {kReplacementCharacter, 1};
  return {input.substr(0, character.length), character.length};
}

std::string SentencePieceNormalizer::normalize(std::string_view input) const {
  std::string normalized;
  if (spec_.remove_extra_whitespaces) {
    while (!input.empty()) {
      const Prefix prefix = normalize_prefix(input);
      if (prefix.text != " ") break;
      input.remove_prefix(prefix.consumed);
    }
  }
  if (input.empty()) return normalized;

  const std::string_view space = spec_.escape_whitespaces ? kSentencePieceSpace : " ";
  normalized.reserve(input.size() * 3);
  if (!treat_whitespace_as_suffix_ && spec_.add_dummy_prefix) normalized += space;

  bool previous_ends_in_space = spec_.remove_extra_whitespaces;
  while (!input.empty()) {
    const Prefix prefix = normalize_prefix(input);
    std::string_view text = prefix.text;
    if (previous_ends_in_space) {
      while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    }
    if (!text.empty()) {
      for (const char character : text) {
        if (character == ' ') {
          normalized += space;
        } else {
          normalized += character;
        }
      }
      previous_ends_in_space = text.back() == ' ';
    }
    input.remove_prefix(prefix.consumed);
    if (!spec_.remove_extra_whitespaces) previous_ends_in_space = false;
  }

  if (spec_.remove_extra_whitespaces) {
    while (ends_with(normalized, space)) normalized.resize(normalized.size() - space.size());
  }
  if (treat_whitespace_as_suffix_ && spec_.add_dummy_prefix) normalized += space;
  return normalized;
}

}  // namespace paddock::transformer
