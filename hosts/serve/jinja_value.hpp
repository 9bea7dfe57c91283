// The values a Jinja template computes with, shaped like the Python objects jinja2 sees:
// Undefined, None, booleans, integers, floats, strings, lists, dicts (in insertion order),
// namespace objects (the one mutable kind) and callables (macros, globals, bound methods).
// Lists and dicts are shared, immutable once built, as in a sandboxed environment.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace paddock::serve::jinja {

class Value;
using ValueList = std::vector<Value>;

// A dict in insertion order; keys are compared as Python compares them.
struct ValueDict {
  std::vector<std::pair<Value, Value>> entries;

  const Value* find(const Value& key) const;
  void set(Value key, Value value);
};

// Arguments of a call: f(positional..., name=value...).
struct CallArguments {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keyword;
};

struct Function {
  std::string name;
  std::function<Value(CallArguments&)> call;
};

// Undefined keeps the sentence jinja2 would say when it is used strictly.
struct UndefinedValue {
  std::string hint;
};

// `{% set ns = namespace(...) %}`: attributes assignable with `{% set ns.a = ... %}`.
struct Namespace {
  ValueDict attributes;
};

class Value {
 public:
  enum class Type {
    undefined,
    none,
    boolean,
    integer,
    floating,
    string,
    list,
    dict,
    namespace_,
    function
  };

  Value() : data_(UndefinedValue{}) {}
  Value(std::nullptr_t) : data_(nullptr) {}
  Value(bool value) : data_(value) {}
  Value(int value) : data_(static_cast<std::int64_t>(value)) {}
  Value(std::int64_t value) : data_(value) {}
  Value(double value) : data_(value) {}
  Value(std::string value) : data_(std::move(value)) {}
  Value(const char* value) : data_(std::string(value)) {}
  Value(ValueList list) : data_(std::make_shared<const ValueList>(std::move(list))) {}
  Value(ValueDict dict) : data_(std::make_shared<const ValueDict>(std::move(dict))) {}

  static Value undefined(std::string hint) { return Value(UndefinedValue{std::move(hint)}); }
  static Value make_namespace(ValueDict attributes);
  static Value function(std::string name, std::function<Value(CallArguments&)> call);
  // JSON objects become dicts (in the document's order when it is an ordered_json).
  static Value from_json(const nlohmann::ordered_json& json);

  Type type() const { return static_cast<Type>(data_.index()); }
  bool is_undefined() const { return type() == Type::undefined; }
  bool is_none() const { return type() == Type::none; }
  bool is_string() const { return type() == Type::string; }
  bool is_integer() const { return type() == Type::integer || type() == Type::boolean; }
  bool is_number() const { return is_integer() || type() == Type::floating; }
  bool is_list() const { return type() == Type::list; }
  bool is_dict() const { return type() == Type::dict; }

  bool as_bool() const { return std::get<bool>(data_); }
  // Booleans count as integers, as in Python.
  std::int64_t as_integer() const;
  double as_number() const;
  const std::string& as_string() const { return std::get<std::string>(data_); }
  const ValueList& as_list() const { return *std::get<std::shared_ptr<const ValueList>>(data_); }
  const ValueDict& as_dict() const { return *std::get<std::shared_ptr<const ValueDict>>(data_); }
  Namespace& as_namespace() const { return *std::get<std::shared_ptr<Namespace>>(data_); }
  const Function& as_function() const { return *std::get<std::shared_ptr<const Function>>(data_); }
  const std::string& undefined_hint() const { return std::get<UndefinedValue>(data_).hint; }

  // Python's bool(value); Undefined is false.
  bool truthy() const;
  // Python's type name in messages: "str", "int", "list", "dict", ...
  std::string type_name() const;

 private:
  explicit Value(UndefinedValue undefined) : data_(std::move(undefined)) {}
  std::variant<UndefinedValue, std::nullptr_t, bool, std::int64_t, double, std::string,
               std::shared_ptr<const ValueList>, std::shared_ptr<const ValueDict>,
               std::shared_ptr<Namespace>, std::shared_ptr<const Function>>
      data_;
};

// str(value): what {{ value }} prints (Undefined prints nothing).
std::string to_text(const Value& value);
// repr(value), as inside a printed list.
std::string to_repr(const Value& value);

// json.dumps(value, ensure_ascii=False, indent=..., separators=..., sort_keys=...), the way
// Hugging Face defines the tojson filter. Throws a render error for what JSON cannot hold.
struct JsonStyle {
  std::optional<std::string> indent;  // per level; absent: one line
  std::string item_separator = ", ";  // ", " on one line, "," with an indent
  std::string key_separator = ": ";
  bool sort_keys = false;
};
std::string to_json(const Value& value, const JsonStyle& style);

// Python's ==, and its ordering for <, <= and sorted() (a render error when the types
// cannot be ordered).
bool equals(const Value& left, const Value& right);
int compare(const Value& left, const Value& right);

}  // namespace paddock::serve::jinja
