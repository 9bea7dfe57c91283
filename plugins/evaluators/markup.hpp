// Text helpers for the Markdown and HTML reports: escaping and fixed-point numbers.
#pragma once

#include <string>
#include <string_view>

namespace paddock::evaluators {

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string escape_html(std::string_view text);

// Escapes | and newlines so text fits in one Markdown table cell.
std::string escape_markdown_cell(std::string_view text);

// `value` with `decimals` digits after the point ("12.35"); "nan" / "inf" spelled out.
std::string format_fixed(double value, int decimals);

}  // namespace paddock::evaluators
