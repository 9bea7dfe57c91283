// UTF-8 validation for imported files: the offset of the first invalid byte, if any.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace paddock::annotators {

// The offset of the first byte that does not belong to a well-formed UTF-8 sequence
// (overlong forms, surrogates and code points above U+10FFFF count as ill-formed).
std::optional<std::size_t> find_invalid_utf8(std::string_view text);

}  // namespace paddock::annotators
