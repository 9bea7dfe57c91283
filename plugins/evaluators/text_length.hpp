// Output lengths as the evaluators report them: characters (Unicode code points of the
// UTF-8 text) and words (runs of non-whitespace). Tokens are deliberately not counted:
// they depend on a model's tokenizer, so they are not comparable across systems.
#pragma once

#include <cstddef>
#include <string_view>

namespace paddock::evaluators {

// Code points of UTF-8 text: every byte that is not a continuation byte (10xxxxxx) counts.
std::size_t count_characters(std::string_view text);

// Maximal runs of bytes that are not ASCII whitespace.
std::size_t count_words(std::string_view text);

}  // namespace paddock::evaluators
