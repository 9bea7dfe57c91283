// The Unicode character classes the pre-tokenizer patterns use: \p{L} (letters, general
// category L*), \p{N} (numbers, N*) and \s (the White_Space property). Tables come from the
// Unicode 14 database (see tools/generate_unicode_tables.py); code points assigned later
// than Unicode 14 count as neither letters nor numbers.
#pragma once

namespace paddock::transformer {

bool is_unicode_letter(char32_t code_point);
bool is_unicode_number(char32_t code_point);
bool is_unicode_whitespace(char32_t code_point);

}  // namespace paddock::transformer
