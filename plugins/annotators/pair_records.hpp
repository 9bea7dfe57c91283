// Converting between Dataset rows and PreferencePairs, and merging the extra columns of two
// source rows into one pair row.
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <string_view>

#include "paddock/annotator.hpp"
#include "paddock/dataset.hpp"

namespace paddock::annotators {

// A pair from a row with string columns instruction, output_1 and output_2 and an optional
// string `input` (missing or null reads as empty). Every other column goes to the pair's
// metadata, except `preference` and `annotator`: a judge never sees an existing label.
// Throws paddock::Error naming `what`, the row and the column.
PreferencePair pair_from_record(const Record& record, std::size_t row, std::string_view what);

// The optional `input` column of a row: empty when missing or null; throws when not a string.
std::string input_column(const Record& record, std::size_t row, std::string_view what);

// Adds to `target` the columns of `first` and `second` not named in `skip`. A column only
// one row has, or both have with equal values, is copied once; a column both have with
// different values becomes NAME_1 and NAME_2.
void merge_extra_columns(Record& target, const Record& first, const Record& second,
                         const std::set<std::string>& skip);

}  // namespace paddock::annotators
