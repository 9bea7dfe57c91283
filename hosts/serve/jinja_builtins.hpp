// What Jinja templates find built in: filters, tests, the methods of strings and dicts,
// attribute and item lookup as jinja2's sandbox does it, and the global functions Hugging
// Face chat templates use (range, namespace, dict, raise_exception, strftime_now).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jinja_value.hpp"

namespace paddock::serve::jinja {

bool is_known_filter(std::string_view name);
bool is_known_test(std::string_view name);

// Render errors (JinjaError) for wrong arguments or types.
Value apply_filter(const std::string& name, const Value& subject, CallArguments& arguments);
bool apply_test(const std::string& name, const Value& subject, CallArguments& arguments);

// object.name: a dict's method (items, keys, values, get) or else its key, a string's
// method, a namespace's attribute; Undefined when there is none. Reading from Undefined is
// an error, as with jinja2's default Undefined.
Value get_attribute(const Value& object, const std::string& name);
// object[key]: a dict's key, a list's or string's index (negative from the end); Undefined
// when there is none.
Value get_item(const Value& object, const Value& key);
// object[start:stop:step] of a list or string, Python's rules.
Value get_slice(const Value& object, const Value& start, const Value& stop, const Value& step);

// What `for x in value` visits: a list's items, a dict's keys, a string's characters;
// nothing for Undefined; an error for the rest.
ValueList iterate(const Value& value);

// The global functions, by name.
std::vector<std::pair<std::string, Value>> global_functions();

// The most items range() may make (jinja2's sandbox allows 100000).
inline constexpr std::int64_t kMaxRange = 100000;

}  // namespace paddock::serve::jinja
