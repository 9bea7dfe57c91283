// Jinja's built-in filters, tests, string and dict methods, lookups and globals, with the
// behaviour of jinja2 3.1 under Hugging Face's chat-template environment.
#include "jinja_builtins.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>

#include "jinja_error.hpp"
#include "jinja_text.hpp"

namespace paddock::serve::jinja {
namespace {

// Binds a call's arguments to parameter names, as Python does: positional first, then by
// keyword; an unknown keyword or too many positionals is an error naming the callee.
class Parameters {
 public:
  Parameters(const std::string& callee, const CallArguments& arguments,
             std::vector<std::string> names)
      : names_(std::move(names)), values_(names_.size()) {
    if (arguments.positional.size() > names_.size()) {
      throw render_error(callee + "() takes at most " + std::to_string(names_.size()) +
                         " argument(s) (" + std::to_string(arguments.positional.size()) +
                         " given)");
    }
    for (std::size_t index = 0; index < arguments.positional.size(); ++index)
      values_[index] = arguments.positional[index];
    for (const auto& [name, value] : arguments.keyword) {
      const auto found = std::find(names_.begin(), names_.end(), name);
      if (found == names_.end())
        throw render_error(callee + "() got an unexpected keyword argument '" + name + "'");
      const auto index = static_cast<std::size_t>(found - names_.begin());
      if (values_[index]) throw render_error(callee + "() got multiple values for '" + name + "'");
      values_[index] = value;
    }
  }

  bool has(std::size_t index) const { return values_[index].has_value(); }
  // The value given, or `fallback`.
  Value get(std::size_t index, Value fallback = nullptr) const {
    return values_[index] ? *values_[index] : fallback;
  }

 private:
  std::vector<std::string> names_;
  std::vector<std::optional<Value>> values_;
};

[[noreturn]] void fail_undefined(const Value& value) {
  throw render_error(value.undefined_hint().empty() ? "a value is undefined"
                                                    : value.undefined_hint());
}

std::string object_name(const Value& value) {
  if (value.is_none()) return "'None'";
  return "'" + value.type_name() + " object'";
}

std::int64_t to_integer_argument(const std::string& callee, const Value& value) {
  if (!value.is_integer())
    throw render_error(callee + ": expected an integer, got " + value.type_name());
  return value.as_integer();
}

std::string to_string_argument(const std::string& callee, const Value& value) {
  if (!value.is_string())
    throw render_error(callee + ": expected a string, got " + value.type_name());
  return value.as_string();
}

std::optional<std::string> optional_string(const std::string& callee, const Value& value) {
  if (value.is_none() || value.is_undefined()) return std::nullopt;
  return to_string_argument(callee, value);
}

std::int64_t length_of(const Value& value) {
  switch (value.type()) {
    case Value::Type::string:
      return static_cast<std::int64_t>(code_point_count(value.as_string()));
    case Value::Type::list:
      return static_cast<std::int64_t>(value.as_list().size());
    case Value::Type::dict:
      return static_cast<std::int64_t>(value.as_dict().entries.size());
    case Value::Type::undefined:
      return 0;
    default:
      throw render_error("object of type '" + value.type_name() + "' has no len()");
  }
}

// An attribute path "a.b.0" as make_attrgetter reads it: integer parts index lists.
Value get_path(const Value& item, const Value& attribute) {
  if (attribute.is_integer()) return get_item(item, attribute);
  Value current = item;
  const std::string path = to_string_argument("attribute", attribute);
  for (const std::string& part : python_split(path, std::string("."), -1)) {
    const bool numeric = !part.empty() && std::all_of(part.begin(), part.end(),
                                                      [](char c) { return c >= '0' && c <= '9'; });
    current = numeric ? get_item(current, Value(static_cast<std::int64_t>(std::stoll(part))))
                      : get_item(current, Value(part));
  }
  return current;
}

// The key sorting and min/max use: strings lower-cased unless case_sensitive.
Value sort_key(const Value& value, bool case_sensitive) {
  if (!case_sensitive && value.is_string()) return python_lower(value.as_string());
  return value;
}

std::string html_escape(const std::string& text) {
  std::string escaped;
  for (const char c : text) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&#34;";
        break;
      case '\'':
        escaped += "&#39;";
        break;
      default:
        escaped += c;
    }
  }
  return escaped;
}

std::optional<std::int64_t> parse_integer(std::string text, int base) {
  text = python_strip(text, std::nullopt, true, true);
  text.erase(std::remove(text.begin(), text.end(), '_'), text.end());
  if (text.empty()) return std::nullopt;
  std::size_t used = 0;
  try {
    const long long value = std::stoll(text, &used, base);
    if (used != text.size()) return std::nullopt;
    return value;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<double> parse_float(std::string text) {
  text = python_strip(text, std::nullopt, true, true);
  if (text.empty()) return std::nullopt;
  std::size_t used = 0;
  try {
    const double value = std::stod(text, &used);
    if (used != text.size()) return std::nullopt;
    return value;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// Python's round(value, digits): correctly rounded, ties to even.
Value python_round(const Value& value, std::int64_t digits, const std::string& method) {
  if (value.is_integer() && method == "common" && digits >= 0) return value.as_integer();
  const double number = value.as_number();
  if (method == "ceil" || method == "floor") {
    const double scale = std::pow(10.0, static_cast<double>(digits));
    return (method == "ceil" ? std::ceil(number * scale) : std::floor(number * scale)) / scale;
  }
  if (method != "common") throw render_error("round: method must be 'common', 'ceil' or 'floor'");
  if (!std::isfinite(number)) return number;
  if (digits > 300) return number;
  if (digits < 0) {
    const double scale = std::pow(10.0, static_cast<double>(-digits));
    return std::nearbyint(number / scale) * scale;
  }
  char buffer[512];
  std::snprintf(buffer, sizeof buffer, "%.*f", static_cast<int>(digits), number);
  return std::stod(buffer);
}

std::string python_title(std::string_view text) {
  std::string result;
  bool previous_cased = false;
  for (const char32_t c : to_code_points(text)) {
    std::string one;
    append_utf8(one, c);
    const std::string upper = python_upper(one);
    const std::string lower = python_lower(one);
    const bool cased = upper != lower;
    result += previous_cased ? lower : upper;
    previous_cased = cased;
  }
  return result;
}

bool all_code_points(const std::string& text, bool (*predicate)(char32_t)) {
  if (text.empty()) return false;
  for (const char32_t c : to_code_points(text))
    if (!predicate(c)) return false;
  return true;
}

Value string_method(const std::string& text, const std::string& name, CallArguments& arguments) {
  const std::string callee = "str." + name;
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    Parameters parameters(callee, arguments, {"chars"});
    return python_strip(text, optional_string(callee, parameters.get(0)), name != "rstrip",
                        name != "lstrip");
  }
  if (name == "startswith" || name == "endswith") {
    Parameters parameters(callee, arguments, {"prefix"});
    const Value candidates = parameters.get(0, Value::undefined(callee + "() needs an argument"));
    ValueList options = candidates.is_list() ? candidates.as_list() : ValueList{candidates};
    for (const Value& option : options) {
      const std::string affix = to_string_argument(callee, option);
      if (affix.size() > text.size()) continue;
      if (name == "startswith" ? text.compare(0, affix.size(), affix) == 0
                               : text.compare(text.size() - affix.size(), affix.size(), affix) == 0)
        return true;
    }
    return false;
  }
  if (name == "split") {
    Parameters parameters(callee, arguments, {"sep", "maxsplit"});
    const auto separator = optional_string(callee, parameters.get(0));
    if (separator && separator->empty()) throw render_error("str.split: empty separator");
    ValueList parts;
    for (auto& part :
         python_split(text, separator, to_integer_argument(callee, parameters.get(1, -1))))
      parts.emplace_back(std::move(part));
    return parts;
  }
  if (name == "splitlines") {
    ValueList lines;
    for (auto& line : python_splitlines(text)) lines.emplace_back(std::move(line));
    return lines;
  }
  if (name == "upper") return python_upper(text);
  if (name == "lower") return python_lower(text);
  if (name == "title") return python_title(text);
  if (name == "capitalize") return python_capitalize(text);
  if (name == "replace") {
    Parameters parameters(callee, arguments, {"old", "new", "count"});
    return python_replace(text, to_string_argument(callee, parameters.get(0)),
                          to_string_argument(callee, parameters.get(1)),
                          to_integer_argument(callee, parameters.get(2, -1)));
  }
  if (name == "find" || name == "count") {
    Parameters parameters(callee, arguments, {"sub"});
    const std::string needle = to_string_argument(callee, parameters.get(0));
    if (name == "find") {
      const std::size_t at = text.find(needle);
      if (at == std::string::npos) return -1;
      return static_cast<std::int64_t>(code_point_count(std::string_view(text).substr(0, at)));
    }
    if (needle.empty()) return static_cast<std::int64_t>(code_point_count(text) + 1);
    std::int64_t count = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos;
         at = text.find(needle, at + needle.size()))
      ++count;
    return count;
  }
  if (name == "join") {
    Parameters parameters(callee, arguments, {"iterable"});
    std::string joined;
    const ValueList items = iterate(parameters.get(0));
    for (std::size_t index = 0; index < items.size(); ++index) {
      if (!items[index].is_string()) {
        throw render_error("sequence item " + std::to_string(index) + ": expected str instance, " +
                           items[index].type_name() + " found");
      }
      if (index > 0) joined += text;
      joined += items[index].as_string();
    }
    return joined;
  }
  if (name == "isspace") return all_code_points(text, is_python_space);
  if (name == "isdigit")
    return all_code_points(text, [](char32_t c) { return c >= '0' && c <= '9'; });
  if (name == "isalpha") {
    return all_code_points(text, [](char32_t c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c > 0x7F;
    });
  }
  if (name == "islower" || name == "isupper") {
    const bool cased = python_upper(text) != python_lower(text);
    return cased && (name == "islower" ? python_lower(text) == text : python_upper(text) == text);
  }
  throw render_error("'str object' has no attribute '" + name + "'");
}

const std::vector<std::string> kStringMethods = {
    "strip", "lstrip",  "rstrip",  "startswith", "endswith", "split",  "splitlines",
    "upper", "lower",   "title",   "capitalize", "replace",  "find",   "count",
    "join",  "isspace", "isdigit", "isalpha",    "islower",  "isupper"};
const std::vector<std::string> kDictMethods = {"items", "keys", "values", "get"};

ValueList dict_items(const ValueDict& dict) {
  ValueList items;
  for (const auto& [key, value] : dict.entries) items.emplace_back(ValueList{key, value});
  return items;
}

Value dict_method(const Value& dict, const std::string& name, CallArguments& arguments) {
  const std::string callee = "dict." + name;
  if (name == "get") {
    Parameters parameters(callee, arguments, {"key", "default"});
    const Value* found = dict.as_dict().find(parameters.get(0));
    return found != nullptr ? *found : parameters.get(1);
  }
  Parameters parameters(callee, arguments, {});
  if (name == "items") return dict_items(dict.as_dict());
  ValueList result;
  for (const auto& [key, value] : dict.as_dict().entries)
    result.push_back(name == "keys" ? key : value);
  return result;
}

Value bound_method(const Value& receiver, const std::string& name) {
  return Value::function(name, [receiver, name](CallArguments& arguments) {
    if (receiver.is_string()) return string_method(receiver.as_string(), name, arguments);
    return dict_method(receiver, name, arguments);
  });
}

bool is_in(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Filters ------------------------------------------------------------------------------------

using FilterFunction = Value (*)(const Value& subject, CallArguments& arguments);

Value filter_abs(const Value& subject, CallArguments& arguments) {
  Parameters parameters("abs", arguments, {});
  if (subject.type() == Value::Type::floating) return std::fabs(subject.as_number());
  if (subject.is_integer()) {
    if (subject.as_integer() == INT64_MIN) throw render_error("integer overflow");
    return subject.as_integer() < 0 ? -subject.as_integer() : subject.as_integer();
  }
  throw render_error("bad operand type for abs(): '" + subject.type_name() + "'");
}

Value filter_attr(const Value& subject, CallArguments& arguments) {
  Parameters parameters("attr", arguments, {"name"});
  return get_attribute(subject, to_string_argument("attr", parameters.get(0)));
}

Value filter_capitalize(const Value& subject, CallArguments& arguments) {
  Parameters parameters("capitalize", arguments, {});
  return python_capitalize(to_text(subject));
}

Value filter_default(const Value& subject, CallArguments& arguments) {
  Parameters parameters("default", arguments, {"default_value", "boolean"});
  if (subject.is_undefined() || (parameters.get(1, false).truthy() && !subject.truthy()))
    return parameters.get(0, "");
  return subject;
}

Value filter_dictsort(const Value& subject, CallArguments& arguments) {
  Parameters parameters("dictsort", arguments, {"case_sensitive", "by", "reverse"});
  if (!subject.is_dict()) throw render_error("dictsort: expected a dict");
  const bool case_sensitive = parameters.get(0, false).truthy();
  const bool by_value = to_text(parameters.get(1, "key")) == "value";
  ValueList items = dict_items(subject.as_dict());
  std::stable_sort(items.begin(), items.end(), [&](const Value& a, const Value& b) {
    const std::size_t part = by_value ? 1 : 0;
    return compare(sort_key(a.as_list()[part], case_sensitive),
                   sort_key(b.as_list()[part], case_sensitive)) < 0;
  });
  if (parameters.get(2, false).truthy()) std::reverse(items.begin(), items.end());
  return items;
}

Value filter_escape(const Value& subject, CallArguments& arguments) {
  Parameters parameters("escape", arguments, {});
  return html_escape(to_text(subject));
}

Value filter_first(const Value& subject, CallArguments& arguments) {
  Parameters parameters("first", arguments, {});
  const ValueList items = iterate(subject);
  if (items.empty()) return Value::undefined("No first item, sequence was empty.");
  return items.front();
}

Value filter_last(const Value& subject, CallArguments& arguments) {
  Parameters parameters("last", arguments, {});
  const ValueList items = iterate(subject);
  if (items.empty()) return Value::undefined("No last item, sequence was empty.");
  return items.back();
}

Value filter_float(const Value& subject, CallArguments& arguments) {
  Parameters parameters("float", arguments, {"default"});
  if (subject.is_number()) return subject.as_number();
  if (subject.is_string()) {
    if (const auto parsed = parse_float(subject.as_string())) return *parsed;
  }
  return parameters.get(0, 0.0);
}

Value filter_int(const Value& subject, CallArguments& arguments) {
  Parameters parameters("int", arguments, {"default", "base"});
  if (subject.is_integer()) return subject.as_integer();
  if (subject.type() == Value::Type::floating) {
    const double truncated = std::trunc(subject.as_number());
    if (std::isfinite(truncated) && std::fabs(truncated) < 9.2e18)
      return static_cast<std::int64_t>(truncated);
    return parameters.get(0, 0);
  }
  if (subject.is_string()) {
    const auto base = static_cast<int>(to_integer_argument("int", parameters.get(1, 10)));
    if (const auto parsed = parse_integer(subject.as_string(), base)) return *parsed;
    if (const auto parsed = parse_float(subject.as_string());
        parsed && std::isfinite(*parsed) && std::fabs(*parsed) < 9.2e18)
      return static_cast<std::int64_t>(std::trunc(*parsed));
  }
  return parameters.get(0, 0);
}

Value filter_indent(const Value& subject, CallArguments& arguments) {
  Parameters parameters("indent", arguments, {"width", "first", "blank"});
  const Value width = parameters.get(0, 4);
  const std::string indention = width.is_string()
                                    ? width.as_string()
                                    : std::string(static_cast<std::size_t>(std::max<std::int64_t>(
                                                      0, to_integer_argument("indent", width))),
                                                  ' ');
  const std::vector<std::string> lines = python_splitlines(to_text(subject) + "\n");
  std::string result;
  if (parameters.get(2, false).truthy()) {
    for (std::size_t index = 0; index < lines.size(); ++index) {
      if (index > 0) result += "\n" + indention;
      result += lines[index];
    }
  } else {
    result = lines.empty() ? "" : lines[0];
    for (std::size_t index = 1; index < lines.size(); ++index)
      result += "\n" + (lines[index].empty() ? lines[index] : indention + lines[index]);
  }
  if (parameters.get(1, false).truthy()) result = indention + result;
  return result;
}

Value filter_items(const Value& subject, CallArguments& arguments) {
  Parameters parameters("items", arguments, {});
  if (subject.is_undefined()) return ValueList{};
  if (!subject.is_dict()) throw render_error("Can only get item pairs from a mapping.");
  return dict_items(subject.as_dict());
}

Value filter_join(const Value& subject, CallArguments& arguments) {
  Parameters parameters("join", arguments, {"d", "attribute"});
  const std::string separator = to_text(parameters.get(0, ""));
  std::string joined;
  bool first = true;
  for (const Value& item : iterate(subject)) {
    if (!first) joined += separator;
    first = false;
    joined += to_text(parameters.has(1) ? get_path(item, parameters.get(1)) : item);
  }
  return joined;
}

Value filter_length(const Value& subject, CallArguments& arguments) {
  Parameters parameters("length", arguments, {});
  return length_of(subject);
}

Value filter_list(const Value& subject, CallArguments& arguments) {
  Parameters parameters("list", arguments, {});
  return iterate(subject);
}

Value filter_lower(const Value& subject, CallArguments& arguments) {
  Parameters parameters("lower", arguments, {});
  return python_lower(to_text(subject));
}

Value filter_upper(const Value& subject, CallArguments& arguments) {
  Parameters parameters("upper", arguments, {});
  return python_upper(to_text(subject));
}

Value filter_map(const Value& subject, CallArguments& arguments) {
  ValueList mapped;
  const auto attribute = std::find_if(arguments.keyword.begin(), arguments.keyword.end(),
                                      [](const auto& entry) { return entry.first == "attribute"; });
  if (attribute != arguments.keyword.end()) {
    Parameters parameters("map", arguments, {"attribute", "default"});
    for (const Value& item : iterate(subject)) {
      Value value = get_path(item, parameters.get(0));
      if (value.is_undefined() && parameters.has(1)) value = parameters.get(1);
      mapped.push_back(std::move(value));
    }
    return mapped;
  }
  if (arguments.positional.empty()) throw render_error("map: give a filter name or attribute=");
  const std::string name = to_string_argument("map", arguments.positional[0]);
  if (!is_known_filter(name)) throw render_error("map: no filter named '" + name + "'");
  CallArguments rest;
  rest.positional.assign(arguments.positional.begin() + 1, arguments.positional.end());
  rest.keyword = arguments.keyword;
  for (const Value& item : iterate(subject)) {
    CallArguments copy = rest;
    mapped.push_back(apply_filter(name, item, copy));
  }
  return mapped;
}

Value min_or_max(const Value& subject, CallArguments& arguments, bool maximum) {
  const std::string callee = maximum ? "max" : "min";
  Parameters parameters(callee, arguments, {"case_sensitive", "attribute"});
  const bool case_sensitive = parameters.get(0, false).truthy();
  const ValueList items = iterate(subject);
  if (items.empty()) return Value::undefined("No aggregated item, sequence was empty.");
  const auto key = [&](const Value& item) {
    return sort_key(parameters.has(1) ? get_path(item, parameters.get(1)) : item, case_sensitive);
  };
  std::size_t best = 0;
  for (std::size_t index = 1; index < items.size(); ++index) {
    const int order = compare(key(items[index]), key(items[best]));
    if (maximum ? order > 0 : order < 0) best = index;
  }
  return items[best];
}

Value filter_max(const Value& subject, CallArguments& arguments) {
  return min_or_max(subject, arguments, true);
}
Value filter_min(const Value& subject, CallArguments& arguments) {
  return min_or_max(subject, arguments, false);
}

Value filter_replace(const Value& subject, CallArguments& arguments) {
  Parameters parameters("replace", arguments, {"old", "new", "count"});
  const Value count = parameters.get(2);
  return python_replace(to_text(subject), to_text(parameters.get(0)), to_text(parameters.get(1)),
                        count.is_none() ? -1 : to_integer_argument("replace", count));
}

Value filter_reverse(const Value& subject, CallArguments& arguments) {
  Parameters parameters("reverse", arguments, {});
  if (subject.is_string()) {
    std::vector<char32_t> code_points = to_code_points(subject.as_string());
    std::reverse(code_points.begin(), code_points.end());
    return from_code_points(code_points);
  }
  ValueList items = iterate(subject);
  std::reverse(items.begin(), items.end());
  return items;
}

Value filter_round(const Value& subject, CallArguments& arguments) {
  Parameters parameters("round", arguments, {"precision", "method"});
  if (!subject.is_number())
    throw render_error("round: expected a number, got " + subject.type_name());
  return python_round(subject, to_integer_argument("round", parameters.get(0, 0)),
                      to_text(parameters.get(1, "common")));
}

Value filter_safe(const Value& subject, CallArguments& arguments) {
  Parameters parameters("safe", arguments, {});
  return to_text(subject);
}

Value select_items(const Value& subject, CallArguments& arguments, bool by_attribute,
                   bool keep_matching) {
  const std::string callee =
      std::string(keep_matching ? "select" : "reject") + (by_attribute ? "attr" : "");
  if (!arguments.keyword.empty()) throw render_error(callee + "() takes no keyword arguments");
  std::size_t next = 0;
  Value attribute;
  if (by_attribute) {
    if (arguments.positional.empty()) throw render_error(callee + "() needs an attribute name");
    attribute = arguments.positional[next++];
  }
  std::optional<std::string> test;
  if (next < arguments.positional.size())
    test = to_string_argument(callee, arguments.positional[next++]);
  if (test && !is_known_test(*test)) throw render_error(callee + ": no test named '" + *test + "'");
  CallArguments test_arguments;
  test_arguments.positional.assign(arguments.positional.begin() + static_cast<long>(next),
                                   arguments.positional.end());
  ValueList kept;
  for (const Value& item : iterate(subject)) {
    const Value value = by_attribute ? get_path(item, attribute) : item;
    CallArguments copy = test_arguments;
    const bool matches = test ? apply_test(*test, value, copy) : value.truthy();
    if (matches == keep_matching) kept.push_back(item);
  }
  return kept;
}

Value filter_select(const Value& subject, CallArguments& arguments) {
  return select_items(subject, arguments, false, true);
}
Value filter_reject(const Value& subject, CallArguments& arguments) {
  return select_items(subject, arguments, false, false);
}
Value filter_selectattr(const Value& subject, CallArguments& arguments) {
  return select_items(subject, arguments, true, true);
}
Value filter_rejectattr(const Value& subject, CallArguments& arguments) {
  return select_items(subject, arguments, true, false);
}

Value filter_sort(const Value& subject, CallArguments& arguments) {
  Parameters parameters("sort", arguments, {"reverse", "case_sensitive", "attribute"});
  const bool reverse = parameters.get(0, false).truthy();
  const bool case_sensitive = parameters.get(1, false).truthy();
  ValueList items = iterate(subject);
  const auto key = [&](const Value& item) {
    return sort_key(parameters.has(2) ? get_path(item, parameters.get(2)) : item, case_sensitive);
  };
  std::stable_sort(items.begin(), items.end(), [&](const Value& a, const Value& b) {
    return reverse ? compare(key(b), key(a)) < 0 : compare(key(a), key(b)) < 0;
  });
  return items;
}

Value filter_string(const Value& subject, CallArguments& arguments) {
  Parameters parameters("string", arguments, {});
  return to_text(subject);
}

Value filter_sum(const Value& subject, CallArguments& arguments) {
  Parameters parameters("sum", arguments, {"attribute", "start"});
  Value total = parameters.get(1, 0);
  for (const Value& item : iterate(subject)) {
    const Value value = parameters.has(0) ? get_path(item, parameters.get(0)) : item;
    if (!value.is_number() || !total.is_number())
      throw render_error("sum: unsupported operand type(s) for +: '" + total.type_name() +
                         "' and '" + value.type_name() + "'");
    if (total.is_integer() && value.is_integer()) {
      std::int64_t sum = 0;
      if (__builtin_add_overflow(total.as_integer(), value.as_integer(), &sum))
        throw render_error("integer overflow");
      total = sum;
    } else {
      total = total.as_number() + value.as_number();
    }
  }
  return total;
}

Value filter_title(const Value& subject, CallArguments& arguments) {
  Parameters parameters("title", arguments, {});
  return jinja_title(to_text(subject));
}

Value filter_tojson(const Value& subject, CallArguments& arguments) {
  // Hugging Face's tojson: json.dumps(x, ensure_ascii=False, indent=None, separators=None,
  // sort_keys=False), without jinja2's HTML escaping.
  Parameters parameters("tojson", arguments, {"ensure_ascii", "indent", "separators", "sort_keys"});
  if (parameters.get(0, false).truthy())
    throw render_error("tojson: ensure_ascii=true is not supported");
  JsonStyle style;
  const Value indent = parameters.get(1);
  if (indent.is_string()) {
    style.indent = indent.as_string();
  } else if (indent.is_integer()) {
    style.indent =
        std::string(static_cast<std::size_t>(std::max<std::int64_t>(0, indent.as_integer())), ' ');
  } else if (!indent.is_none()) {
    throw render_error("tojson: indent must be an integer or a string");
  }
  if (style.indent) style.item_separator = ",";
  const Value separators = parameters.get(2);
  if (separators.is_list() && separators.as_list().size() == 2) {
    style.item_separator = to_string_argument("tojson", separators.as_list()[0]);
    style.key_separator = to_string_argument("tojson", separators.as_list()[1]);
  } else if (!separators.is_none()) {
    throw render_error("tojson: separators must be a pair of strings");
  }
  style.sort_keys = parameters.get(3, false).truthy();
  return to_json(subject, style);
}

Value filter_trim(const Value& subject, CallArguments& arguments) {
  Parameters parameters("trim", arguments, {"chars"});
  return python_strip(to_text(subject), optional_string("trim", parameters.get(0)), true, true);
}

Value filter_unique(const Value& subject, CallArguments& arguments) {
  Parameters parameters("unique", arguments, {"case_sensitive", "attribute"});
  const bool case_sensitive = parameters.get(0, false).truthy();
  ValueList kept;
  ValueList seen;
  for (const Value& item : iterate(subject)) {
    const Value key =
        sort_key(parameters.has(1) ? get_path(item, parameters.get(1)) : item, case_sensitive);
    if (std::any_of(seen.begin(), seen.end(),
                    [&](const Value& other) { return equals(other, key); }))
      continue;
    seen.push_back(key);
    kept.push_back(item);
  }
  return kept;
}

Value filter_wordcount(const Value& subject, CallArguments& arguments) {
  Parameters parameters("wordcount", arguments, {});
  std::int64_t count = 0;
  bool in_word = false;
  for (const char32_t c : to_code_points(to_text(subject))) {
    const bool word = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      c == '_' || c > 0x7F;
    if (word && !in_word) ++count;
    in_word = word;
  }
  return count;
}

const std::map<std::string, FilterFunction, std::less<>>& filters() {
  static const std::map<std::string, FilterFunction, std::less<>> table = {
      {"abs", filter_abs},           {"attr", filter_attr},       {"capitalize", filter_capitalize},
      {"count", filter_length},      {"d", filter_default},       {"default", filter_default},
      {"dictsort", filter_dictsort}, {"e", filter_escape},        {"escape", filter_escape},
      {"first", filter_first},       {"float", filter_float},     {"indent", filter_indent},
      {"int", filter_int},           {"items", filter_items},     {"join", filter_join},
      {"last", filter_last},         {"length", filter_length},   {"list", filter_list},
      {"lower", filter_lower},       {"map", filter_map},         {"max", filter_max},
      {"min", filter_min},           {"reject", filter_reject},   {"rejectattr", filter_rejectattr},
      {"replace", filter_replace},   {"reverse", filter_reverse}, {"round", filter_round},
      {"safe", filter_safe},         {"select", filter_select},   {"selectattr", filter_selectattr},
      {"sort", filter_sort},         {"string", filter_string},   {"sum", filter_sum},
      {"title", filter_title},       {"tojson", filter_tojson},   {"trim", filter_trim},
      {"unique", filter_unique},     {"upper", filter_upper},     {"wordcount", filter_wordcount}};
  return table;
}

// Tests --------------------------------------------------------------------------------------

bool test_one_argument(const std::string& name, const Value& subject, CallArguments& arguments) {
  Parameters parameters(name, arguments, {"other"});
  const Value other = parameters.get(0);
  if (name == "eq" || name == "equalto" || name == "==") return equals(subject, other);
  if (name == "ne" || name == "!=") return !equals(subject, other);
  if (name == "in") {
    if (other.is_string())
      return subject.is_string() &&
             other.as_string().find(subject.as_string()) != std::string::npos;
    if (other.is_dict()) return other.as_dict().find(subject) != nullptr;
    for (const Value& item : iterate(other))
      if (equals(item, subject)) return true;
    return false;
  }
  if (name == "sameas") {
    if (subject.type() != other.type()) return false;
    if (subject.is_none() || subject.is_undefined()) return true;
    if (subject.type() == Value::Type::boolean) return subject.as_bool() == other.as_bool();
    return false;
  }
  if (name == "divisibleby") {
    if (!subject.is_number() || !other.is_number())
      throw render_error("divisibleby: expected numbers");
    if (other.as_number() == 0) throw render_error("divisibleby: division by zero");
    if (subject.is_integer() && other.is_integer())
      return subject.as_integer() % other.as_integer() == 0;
    return std::fmod(subject.as_number(), other.as_number()) == 0;
  }
  const int order = compare(subject, other);
  if (name == "lt" || name == "lessthan" || name == "<") return order < 0;
  if (name == "le" || name == "<=") return order <= 0;
  if (name == "gt" || name == "greaterthan" || name == ">") return order > 0;
  return order >= 0;  // ge, >=
}

const std::vector<std::string> kOneArgumentTests = {
    "eq",       "equalto", "==", "ne", "!=", "in",          "sameas", "divisibleby", "lt",
    "lessthan", "<",       "le", "<=", "gt", "greaterthan", ">",      "ge",          ">="};
const std::vector<std::string> kPlainTests = {
    "defined", "undefined", "none",   "boolean", "false",    "true",     "integer",
    "float",   "number",    "string", "mapping", "iterable", "sequence", "callable",
    "odd",     "even",      "lower",  "upper",   "escaped",  "filter",   "test"};

}  // namespace

bool is_known_filter(std::string_view name) {
  return filters().find(name) != filters().end();
}

bool is_known_test(std::string_view name) {
  const std::string key(name);
  return is_in(kPlainTests, key) || is_in(kOneArgumentTests, key);
}

Value apply_filter(const std::string& name, const Value& subject, CallArguments& arguments) {
  const auto found = filters().find(name);
  if (found == filters().end()) throw render_error("no filter named '" + name + "'");
  return found->second(subject, arguments);
}

bool apply_test(const std::string& name, const Value& subject, CallArguments& arguments) {
  if (is_in(kOneArgumentTests, name)) return test_one_argument(name, subject, arguments);
  if (name == "filter" || name == "test") {
    Parameters parameters(name, arguments, {"name"});
    return subject.is_string() && (name == "filter" ? is_known_filter(subject.as_string())
                                                    : is_known_test(subject.as_string()));
  }
  Parameters parameters(name, arguments, {});
  const Value::Type type = subject.type();
  if (name == "defined") return !subject.is_undefined();
  if (name == "undefined") return subject.is_undefined();
  if (name == "none") return subject.is_none();
  if (name == "boolean") return type == Value::Type::boolean;
  if (name == "false") return type == Value::Type::boolean && !subject.as_bool();
  if (name == "true") return type == Value::Type::boolean && subject.as_bool();
  if (name == "integer") return type == Value::Type::integer;
  if (name == "float") return type == Value::Type::floating;
  if (name == "number") return subject.is_number();
  if (name == "string") return subject.is_string();
  if (name == "mapping") return subject.is_dict();
  if (name == "iterable" || name == "sequence") {
    return subject.is_string() || subject.is_list() || subject.is_dict() || subject.is_undefined();
  }
  if (name == "callable") return type == Value::Type::function;
  if (name == "odd" || name == "even") {
    if (!subject.is_integer()) throw render_error(name + ": expected an integer");
    const bool odd = subject.as_integer() % 2 != 0;
    return name == "odd" ? odd : !odd;
  }
  if (name == "lower" || name == "upper") {
    const std::string text = to_text(subject);
    const bool cased = python_upper(text) != python_lower(text);
    return cased && (name == "lower" ? python_lower(text) == text : python_upper(text) == text);
  }
  if (name == "escaped") return false;
  throw render_error("no test named '" + name + "'");
}

Value get_attribute(const Value& object, const std::string& name) {
  switch (object.type()) {
    case Value::Type::undefined:
      fail_undefined(object);
    case Value::Type::dict: {
      if (is_in(kDictMethods, name)) return bound_method(object, name);
      const Value* found = object.as_dict().find(Value(name));
      if (found != nullptr) return *found;
      break;
    }
    case Value::Type::namespace_: {
      const Value* found = object.as_namespace().attributes.find(Value(name));
      if (found != nullptr) return *found;
      break;
    }
    case Value::Type::string:
      if (is_in(kStringMethods, name)) return bound_method(object, name);
      break;
    default:
      break;
  }
  return Value::undefined(object_name(object) + " has no attribute '" + name + "'");
}

Value get_item(const Value& object, const Value& key) {
  switch (object.type()) {
    case Value::Type::undefined:
      fail_undefined(object);
    case Value::Type::dict: {
      const Value* found = object.as_dict().find(key);
      if (found != nullptr) return *found;
      if (key.is_string()) return get_attribute(object, key.as_string());
      break;
    }
    case Value::Type::namespace_:
      if (key.is_string()) return get_attribute(object, key.as_string());
      break;
    case Value::Type::list:
    case Value::Type::string:
      if (key.is_integer()) {
        std::int64_t index = key.as_integer();
        if (object.is_list()) {
          const auto size = static_cast<std::int64_t>(object.as_list().size());
          if (index < 0) index += size;
          if (index >= 0 && index < size) return object.as_list()[static_cast<std::size_t>(index)];
        } else {
          const std::vector<char32_t> code_points = to_code_points(object.as_string());
          const auto size = static_cast<std::int64_t>(code_points.size());
          if (index < 0) index += size;
          if (index >= 0 && index < size) {
            std::string character;
            append_utf8(character, code_points[static_cast<std::size_t>(index)]);
            return character;
          }
        }
        return Value::undefined(object_name(object) + " has no element " +
                                std::to_string(key.as_integer()));
      }
      if (key.is_string()) return get_attribute(object, key.as_string());
      break;
    default:
      break;
  }
  return Value::undefined(object_name(object) + " has no attribute " + to_repr(key));
}

Value get_slice(const Value& object, const Value& start_value, const Value& stop_value,
                const Value& step_value) {
  if (object.is_undefined()) fail_undefined(object);
  if (!object.is_list() && !object.is_string())
    return Value::undefined(object_name(object) + " cannot be sliced");
  for (const Value* part : {&start_value, &stop_value, &step_value}) {
    if (!part->is_none() && !part->is_integer())
      throw render_error("slice indices must be integers or None");
  }
  const std::int64_t step = step_value.is_none() ? 1 : step_value.as_integer();
  if (step == 0) throw render_error("slice step cannot be zero");
  const std::vector<char32_t> code_points =
      object.is_string() ? to_code_points(object.as_string()) : std::vector<char32_t>{};
  const auto size =
      static_cast<std::int64_t>(object.is_string() ? code_points.size() : object.as_list().size());
  const auto clamp = [&](const Value& value, std::int64_t fallback) {
    if (value.is_none()) return fallback;
    std::int64_t index = value.as_integer();
    if (index < 0) {
      index += size;
      if (index < 0) index = step < 0 ? -1 : 0;
    } else if (index >= size) {
      index = step < 0 ? size - 1 : size;
    }
    return index;
  };
  const std::int64_t start = clamp(start_value, step < 0 ? size - 1 : 0);
  const std::int64_t stop = clamp(stop_value, step < 0 ? -1 : size);
  std::vector<std::int64_t> indexes;
  for (std::int64_t index = start; step > 0 ? index < stop : index > stop; index += step)
    indexes.push_back(index);
  if (object.is_string()) {
    std::string text;
    for (const std::int64_t index : indexes)
      append_utf8(text, code_points[static_cast<std::size_t>(index)]);
    return text;
  }
  ValueList items;
  for (const std::int64_t index : indexes)
    items.push_back(object.as_list()[static_cast<std::size_t>(index)]);
  return items;
}

ValueList iterate(const Value& value) {
  switch (value.type()) {
    case Value::Type::undefined:
      return {};
    case Value::Type::list:
      return value.as_list();
    case Value::Type::dict: {
      ValueList keys;
      for (const auto& entry : value.as_dict().entries) keys.push_back(entry.first);
      return keys;
    }
    case Value::Type::string: {
      ValueList characters;
      for (const char32_t c : to_code_points(value.as_string())) {
        std::string character;
        append_utf8(character, c);
        characters.emplace_back(std::move(character));
      }
      return characters;
    }
    default:
      throw render_error("'" + value.type_name() + "' object is not iterable");
  }
}

std::vector<std::pair<std::string, Value>> global_functions() {
  std::vector<std::pair<std::string, Value>> globals;
  globals.emplace_back("range", Value::function("range", [](CallArguments& arguments) {
                         Parameters parameters("range", arguments, {"start", "stop", "step"});
                         std::int64_t start = 0;
                         std::int64_t stop = 0;
                         std::int64_t step = 1;
                         if (!parameters.has(1)) {
                           stop = to_integer_argument("range", parameters.get(0));
                         } else {
                           start = to_integer_argument("range", parameters.get(0));
                           stop = to_integer_argument("range", parameters.get(1));
                           if (parameters.has(2))
                             step = to_integer_argument("range", parameters.get(2));
                         }
                         if (step == 0) throw render_error("range() arg 3 must not be zero");
                         const double count = std::ceil((static_cast<double>(stop) - start) / step);
                         if (count > kMaxRange) {
                           throw render_error("range too big: the sandbox allows at most " +
                                              std::to_string(kMaxRange) + " items");
                         }
                         ValueList items;
                         for (std::int64_t index = start; step > 0 ? index < stop : index > stop;
                              index += step)
                           items.emplace_back(index);
                         return Value(std::move(items));
                       }));
  const auto make_dict = [](const std::string& callee, CallArguments& arguments) {
    if (arguments.positional.size() > 1)
      throw render_error(callee + "() takes at most one positional argument");
    ValueDict dict;
    if (!arguments.positional.empty()) {
      const Value& initial = arguments.positional[0];
      if (!initial.is_dict())
        throw render_error(callee + "(): the positional argument must be a dict");
      dict = initial.as_dict();
    }
    for (auto& [name, value] : arguments.keyword) dict.set(name, value);
    return dict;
  };
  globals.emplace_back("namespace",
                       Value::function("namespace", [make_dict](CallArguments& arguments) {
                         return Value::make_namespace(make_dict("namespace", arguments));
                       }));
  globals.emplace_back("dict", Value::function("dict", [make_dict](CallArguments& arguments) {
                         return Value(make_dict("dict", arguments));
                       }));
  globals.emplace_back("raise_exception",
                       Value::function("raise_exception", [](CallArguments& arguments) -> Value {
                         Parameters parameters("raise_exception", arguments, {"message"});
                         throw JinjaError(JinjaError::Kind::raised, to_text(parameters.get(0, "")));
                       }));
  globals.emplace_back(
      "strftime_now", Value::function("strftime_now", [](CallArguments& arguments) {
        Parameters parameters("strftime_now", arguments, {"format"});
        const std::string format = to_string_argument("strftime_now", parameters.get(0));
        const std::time_t now = std::time(nullptr);
        std::tm local{};
        localtime_r(&now, &local);
        char buffer[512];
        const std::size_t written =
            format.empty() ? 0 : std::strftime(buffer, sizeof buffer, format.c_str(), &local);
        return Value(std::string(buffer, written));
      }));
  return globals;
}

}  // namespace paddock::serve::jinja
