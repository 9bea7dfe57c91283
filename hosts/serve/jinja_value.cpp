// Jinja values: truthiness, printing, JSON and comparison with Python's rules.
#include "jinja_value.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "jinja_error.hpp"
#include "jinja_text.hpp"

namespace paddock::serve::jinja {
namespace {

void append_json_string(std::string& out, const std::string& text) {
  out += '"';
  for (const char byte : text) {
    const auto c = static_cast<unsigned char>(byte);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
          out += buffer;
        } else {
          out += byte;
        }
    }
  }
  out += '"';
}

std::string json_float(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value < 0 ? "-Infinity" : "Infinity";
  return python_float_repr(value);
}

std::string json_key(const Value& key) {
  switch (key.type()) {
    case Value::Type::string:
      return key.as_string();
    case Value::Type::boolean:
      return key.as_bool() ? "true" : "false";
    case Value::Type::integer:
      return std::to_string(key.as_integer());
    case Value::Type::floating:
      return json_float(key.as_number());
    case Value::Type::none:
      return "null";
    default:
      throw render_error("tojson: keys must be str, int, float, bool or None, not " +
                         key.type_name());
  }
}

void append_json(std::string& out, const Value& value, const JsonStyle& style, int depth) {
  if (depth > 100) throw render_error("tojson: the value is nested too deeply");
  const auto newline = [&](int level) {
    out += '\n';
    for (int index = 0; index < level; ++index) out += *style.indent;
  };
  switch (value.type()) {
    case Value::Type::none:
      out += "null";
      return;
    case Value::Type::boolean:
      out += value.as_bool() ? "true" : "false";
      return;
    case Value::Type::integer:
      out += std::to_string(value.as_integer());
      return;
    case Value::Type::floating:
      out += json_float(value.as_number());
      return;
    case Value::Type::string:
      append_json_string(out, value.as_string());
      return;
    case Value::Type::list: {
      const ValueList& list = value.as_list();
      if (list.empty()) {
        out += "[]";
        return;
      }
      out += '[';
      for (std::size_t index = 0; index < list.size(); ++index) {
        if (index > 0) out += style.item_separator;
        if (style.indent) newline(depth + 1);
        append_json(out, list[index], style, depth + 1);
      }
      if (style.indent) newline(depth);
      out += ']';
      return;
    }
    case Value::Type::dict: {
      std::vector<std::pair<std::string, const Value*>> entries;
      for (const auto& [key, item] : value.as_dict().entries)
        entries.emplace_back(json_key(key), &item);
      if (style.sort_keys) {
        std::stable_sort(entries.begin(), entries.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
      }
      if (entries.empty()) {
        out += "{}";
        return;
      }
      out += '{';
      for (std::size_t index = 0; index < entries.size(); ++index) {
        if (index > 0) out += style.item_separator;
        if (style.indent) newline(depth + 1);
        append_json_string(out, entries[index].first);
        out += style.key_separator;
        append_json(out, *entries[index].second, style, depth + 1);
      }
      if (style.indent) newline(depth);
      out += '}';
      return;
    }
    default:
      throw render_error("tojson: Object of type " + value.type_name() +
                         " is not JSON serializable");
  }
}

std::string repr_list(const ValueList& list) {
  std::string text = "[";
  for (std::size_t index = 0; index < list.size(); ++index) {
    if (index > 0) text += ", ";
    text += to_repr(list[index]);
  }
  return text + "]";
}

std::string repr_dict(const ValueDict& dict) {
  std::string text = "{";
  for (std::size_t index = 0; index < dict.entries.size(); ++index) {
    if (index > 0) text += ", ";
    text += to_repr(dict.entries[index].first) + ": " + to_repr(dict.entries[index].second);
  }
  return text + "}";
}

}  // namespace

const Value* ValueDict::find(const Value& key) const {
  for (const auto& entry : entries)
    if (equals(entry.first, key)) return &entry.second;
  return nullptr;
}

void ValueDict::set(Value key, Value value) {
  for (auto& entry : entries) {
    if (equals(entry.first, key)) {
      entry.second = std::move(value);
      return;
    }
  }
  entries.emplace_back(std::move(key), std::move(value));
}

Value Value::make_namespace(ValueDict attributes) {
  Value value;
  value.data_ = std::make_shared<Namespace>(Namespace{std::move(attributes)});
  return value;
}

Value Value::function(std::string name, std::function<Value(CallArguments&)> call) {
  Value value;
  value.data_ = std::make_shared<const Function>(Function{std::move(name), std::move(call)});
  return value;
}

Value Value::from_json(const nlohmann::ordered_json& json) {
  switch (json.type()) {
    case nlohmann::ordered_json::value_t::null:
      return nullptr;
    case nlohmann::ordered_json::value_t::boolean:
      return json.get<bool>();
    case nlohmann::ordered_json::value_t::number_integer:
      return json.get<std::int64_t>();
    case nlohmann::ordered_json::value_t::number_unsigned:
      return static_cast<std::int64_t>(json.get<std::uint64_t>());
    case nlohmann::ordered_json::value_t::number_float:
      return json.get<double>();
    case nlohmann::ordered_json::value_t::string:
      return json.get<std::string>();
    case nlohmann::ordered_json::value_t::array: {
      ValueList list;
      for (const auto& item : json) list.push_back(from_json(item));
      return list;
    }
    case nlohmann::ordered_json::value_t::object: {
      ValueDict dict;
      for (const auto& [key, item] : json.items()) dict.entries.emplace_back(key, from_json(item));
      return dict;
    }
    default:
      return nullptr;
  }
}

std::int64_t Value::as_integer() const {
  if (type() == Type::boolean) return as_bool() ? 1 : 0;
  return std::get<std::int64_t>(data_);
}

double Value::as_number() const {
  if (type() == Type::floating) return std::get<double>(data_);
  return static_cast<double>(as_integer());
}

bool Value::truthy() const {
  switch (type()) {
    case Type::undefined:
    case Type::none:
      return false;
    case Type::boolean:
      return as_bool();
    case Type::integer:
      return as_integer() != 0;
    case Type::floating:
      return as_number() != 0;
    case Type::string:
      return !as_string().empty();
    case Type::list:
      return !as_list().empty();
    case Type::dict:
      return !as_dict().entries.empty();
    default:
      return true;
  }
}

std::string Value::type_name() const {
  switch (type()) {
    case Type::undefined:
      return "Undefined";
    case Type::none:
      return "NoneType";
    case Type::boolean:
      return "bool";
    case Type::integer:
      return "int";
    case Type::floating:
      return "float";
    case Type::string:
      return "str";
    case Type::list:
      return "list";
    case Type::dict:
      return "dict";
    case Type::namespace_:
      return "Namespace";
    default:
      return "function";
  }
}

std::string to_text(const Value& value) {
  switch (value.type()) {
    case Value::Type::undefined:
      return "";
    case Value::Type::string:
      return value.as_string();
    default:
      return to_repr(value);
  }
}

std::string to_repr(const Value& value) {
  switch (value.type()) {
    case Value::Type::undefined:
      return "Undefined";
    case Value::Type::none:
      return "None";
    case Value::Type::boolean:
      return value.as_bool() ? "True" : "False";
    case Value::Type::integer:
      return std::to_string(value.as_integer());
    case Value::Type::floating:
      return python_float_repr(value.as_number());
    case Value::Type::string:
      return python_string_repr(value.as_string());
    case Value::Type::list:
      return repr_list(value.as_list());
    case Value::Type::dict:
      return repr_dict(value.as_dict());
    case Value::Type::namespace_:
      return "<Namespace " + repr_dict(value.as_namespace().attributes) + ">";
    default:
      return "<function " + value.as_function().name + ">";
  }
}

std::string to_json(const Value& value, const JsonStyle& style) {
  std::string out;
  append_json(out, value, style, 0);
  return out;
}

bool equals(const Value& left, const Value& right) {
  if (left.is_number() && right.is_number()) {
    if (left.type() == Value::Type::floating || right.type() == Value::Type::floating)
      return left.as_number() == right.as_number();
    return left.as_integer() == right.as_integer();
  }
  if (left.type() != right.type()) return false;
  switch (left.type()) {
    case Value::Type::undefined:
    case Value::Type::none:
      return true;
    case Value::Type::string:
      return left.as_string() == right.as_string();
    case Value::Type::list: {
      const ValueList& a = left.as_list();
      const ValueList& b = right.as_list();
      if (a.size() != b.size()) return false;
      for (std::size_t index = 0; index < a.size(); ++index)
        if (!equals(a[index], b[index])) return false;
      return true;
    }
    case Value::Type::dict: {
      const ValueDict& a = left.as_dict();
      const ValueDict& b = right.as_dict();
      if (a.entries.size() != b.entries.size()) return false;
      for (const auto& [key, item] : a.entries) {
        const Value* other = b.find(key);
        if (other == nullptr || !equals(item, *other)) return false;
      }
      return true;
    }
    case Value::Type::namespace_:
      return &left.as_namespace() == &right.as_namespace();
    case Value::Type::function:
      return &left.as_function() == &right.as_function();
    default:
      return false;
  }
}

int compare(const Value& left, const Value& right) {
  if (left.is_number() && right.is_number()) {
    if (left.type() == Value::Type::floating || right.type() == Value::Type::floating) {
      const double a = left.as_number();
      const double b = right.as_number();
      return a < b ? -1 : a > b ? 1 : 0;
    }
    const std::int64_t a = left.as_integer();
    const std::int64_t b = right.as_integer();
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (left.is_string() && right.is_string()) {
    const int order = left.as_string().compare(right.as_string());
    return order < 0 ? -1 : order > 0 ? 1 : 0;
  }
  if (left.is_list() && right.is_list()) {
    const ValueList& a = left.as_list();
    const ValueList& b = right.as_list();
    for (std::size_t index = 0; index < a.size() && index < b.size(); ++index) {
      if (equals(a[index], b[index])) continue;
      return compare(a[index], b[index]);
    }
    return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
  }
  if (left.is_undefined() || right.is_undefined()) {
    throw render_error(left.is_undefined() && !left.undefined_hint().empty() ? left.undefined_hint()
                       : right.is_undefined() && !right.undefined_hint().empty()
                           ? right.undefined_hint()
                           : "an undefined value cannot be ordered");
  }
  throw render_error("'<' not supported between instances of '" + left.type_name() + "' and '" +
                     right.type_name() + "'");
}

}  // namespace paddock::serve::jinja
