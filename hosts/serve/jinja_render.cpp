// The Jinja renderer: walks the statements, evaluates expressions with Python's rules, and
// keeps jinja2's scoping (a for loop's body is a new scope on every iteration; if does not
// open one; macros see the template's top-level names and their own arguments).
#include "jinja_render.hpp"

#include <cmath>
#include <unordered_map>

#include "jinja_builtins.hpp"

namespace paddock::serve::jinja {
namespace {

struct Frame {
  std::unordered_map<std::string, Value> variables;
  Frame* parent = nullptr;

  const Value* find(const std::string& name) const {
    for (const Frame* frame = this; frame != nullptr; frame = frame->parent) {
      const auto found = frame->variables.find(name);
      if (found != frame->variables.end()) return &found->second;
    }
    return nullptr;
  }
};

enum class Flow { normal, break_loop, continue_loop };

constexpr std::size_t kMaxListItems = 1'000'000;

[[noreturn]] void fail_undefined(const Value& value) {
  throw render_error(value.undefined_hint().empty() ? "a value is undefined"
                                                    : value.undefined_hint());
}

[[noreturn]] void fail_operands(const std::string& op, const Value& left, const Value& right) {
  throw render_error("unsupported operand type(s) for " + op + ": '" + left.type_name() +
                     "' and '" + right.type_name() + "'");
}

void check_overflow(bool overflowed) {
  if (overflowed) throw render_error("integer overflow (the result needs more than 64 bits)");
}

Value repeat_list(const ValueList& list, std::int64_t times) {
  if (times <= 0 || list.empty()) return ValueList{};
  if (list.size() * static_cast<std::size_t>(times) > kMaxListItems ||
      static_cast<std::size_t>(times) > kMaxListItems)
    throw render_error("the list would be too long");
  ValueList result;
  for (std::int64_t index = 0; index < times; ++index)
    result.insert(result.end(), list.begin(), list.end());
  return result;
}

Value repeat_string(const std::string& text, std::int64_t times, std::size_t max_bytes) {
  if (times <= 0 || text.empty()) return std::string();
  if (static_cast<std::size_t>(times) > max_bytes / text.size())
    throw render_error("the string would be longer than the output limit");
  std::string result;
  for (std::int64_t index = 0; index < times; ++index) result += text;
  return result;
}

Value arithmetic(const std::string& op, const Value& left, const Value& right,
                 std::size_t max_bytes) {
  if (left.is_undefined()) fail_undefined(left);
  if (right.is_undefined()) fail_undefined(right);
  const bool integers = left.is_integer() && right.is_integer();
  const bool numbers = left.is_number() && right.is_number();
  if (op == "+") {
    if (integers) {
      std::int64_t sum = 0;
      check_overflow(__builtin_add_overflow(left.as_integer(), right.as_integer(), &sum));
      return sum;
    }
    if (numbers) return left.as_number() + right.as_number();
    if (left.is_string() && right.is_string()) return left.as_string() + right.as_string();
    if (left.is_list() && right.is_list()) {
      if (left.as_list().size() + right.as_list().size() > kMaxListItems)
        throw render_error("the list would be too long");
      ValueList joined = left.as_list();
      joined.insert(joined.end(), right.as_list().begin(), right.as_list().end());
      return joined;
    }
    if (left.is_string())
      throw render_error("can only concatenate str (not \"" + right.type_name() + "\") to str");
    fail_operands(op, left, right);
  }
  if (op == "-") {
    if (integers) {
      std::int64_t difference = 0;
      check_overflow(__builtin_sub_overflow(left.as_integer(), right.as_integer(), &difference));
      return difference;
    }
    if (numbers) return left.as_number() - right.as_number();
    fail_operands(op, left, right);
  }
  if (op == "*") {
    if (integers) {
      std::int64_t product = 0;
      check_overflow(__builtin_mul_overflow(left.as_integer(), right.as_integer(), &product));
      return product;
    }
    if (numbers) return left.as_number() * right.as_number();
    if (left.is_string() && right.is_integer())
      return repeat_string(left.as_string(), right.as_integer(), max_bytes);
    if (left.is_integer() && right.is_string())
      return repeat_string(right.as_string(), left.as_integer(), max_bytes);
    if (left.is_list() && right.is_integer())
      return repeat_list(left.as_list(), right.as_integer());
    if (left.is_integer() && right.is_list())
      return repeat_list(right.as_list(), left.as_integer());
    fail_operands(op, left, right);
  }
  if (!numbers) {
    if (op == "%" && left.is_string())
      throw render_error("string formatting with % is not supported");
    fail_operands(op, left, right);
  }
  if (op == "/") {
    if (right.as_number() == 0) throw render_error("division by zero");
    return left.as_number() / right.as_number();
  }
  if (op == "//" || op == "%") {
    if (right.as_number() == 0)
      throw render_error(op == "//" ? "integer division or modulo by zero" : "modulo by zero");
    if (integers) {
      const std::int64_t a = left.as_integer();
      const std::int64_t b = right.as_integer();
      check_overflow(a == INT64_MIN && b == -1);
      std::int64_t quotient = a / b;
      std::int64_t remainder = a % b;
      if (remainder != 0 && ((remainder < 0) != (b < 0))) {
        --quotient;
        remainder += b;
      }
      return op == "//" ? Value(quotient) : Value(remainder);
    }
    const double a = left.as_number();
    const double b = right.as_number();
    if (op == "//") return std::floor(a / b);
    double remainder = std::fmod(a, b);
    if (remainder != 0 && ((remainder < 0) != (b < 0))) remainder += b;
    return remainder;
  }
  // "**"
  if (integers && right.as_integer() >= 0) {
    std::int64_t result = 1;
    std::int64_t base = left.as_integer();
    for (std::int64_t exponent = right.as_integer(); exponent > 0; exponent >>= 1) {
      if (exponent & 1) check_overflow(__builtin_mul_overflow(result, base, &result));
      if (exponent > 1) check_overflow(__builtin_mul_overflow(base, base, &base));
    }
    return result;
  }
  if (left.as_number() == 0 && right.as_number() < 0)
    throw render_error("0.0 cannot be raised to a negative power");
  return std::pow(left.as_number(), right.as_number());
}

bool contains(const Value& container, const Value& item) {
  switch (container.type()) {
    case Value::Type::string:
      if (!item.is_string()) {
        throw render_error("'in <string>' requires string as left operand, not " +
                           item.type_name());
      }
      return container.as_string().find(item.as_string()) != std::string::npos;
    case Value::Type::list:
      for (const Value& element : container.as_list())
        if (equals(element, item)) return true;
      return false;
    case Value::Type::dict:
      return container.as_dict().find(item) != nullptr;
    case Value::Type::undefined:
      return false;
    default:
      throw render_error("argument of type '" + container.type_name() + "' is not iterable");
  }
}

class Renderer {
 public:
  explicit Renderer(const RenderLimits& limits) : limits_(limits) {}

  std::string render(const Body& body, const Variables& variables) {
    Frame root;
    for (auto& [name, function] : global_functions()) root.variables[name] = function;
    for (const auto& [name, value] : variables) root.variables[name] = value;
    root_ = &root;
    std::string out;
    run(body, root, out);
    return out;
  }

 private:
  void step() {
    if (++steps_ > limits_.max_steps) {
      throw render_error("the template ran more than " + std::to_string(limits_.max_steps) +
                         " steps; it may not end");
    }
  }

  void append(std::string& out, const std::string& text) const {
    if (out.size() + text.size() > limits_.max_output_bytes) {
      throw render_error("the output would be longer than " +
                         std::to_string(limits_.max_output_bytes) + " bytes");
    }
    out += text;
  }

  Flow run(const Body& body, Frame& frame, std::string& out) {
    for (const auto& statement : body) {
      const Flow flow = run_statement(*statement, frame, out);
      if (flow != Flow::normal) return flow;
    }
    return Flow::normal;
  }

  Flow run_statement(const Statement& statement, Frame& frame, std::string& out) {
    step();
    try {
      return run_located(statement, frame, out);
    } catch (const JinjaError& error) {
      if (error.has_position()) throw;
      throw error.at(statement.position);
    }
  }

  Flow run_located(const Statement& statement, Frame& frame, std::string& out) {
    switch (statement.kind) {
      case Statement::Kind::text:
        append(out, statement.text);
        return Flow::normal;
      case Statement::Kind::output:
        append(out, to_text(evaluate(*statement.expression, frame)));
        return Flow::normal;
      case Statement::Kind::if_:
        for (const auto& [condition, body] : statement.branches) {
          if (!condition || evaluate(*condition, frame).truthy()) return run(body, frame, out);
        }
        return Flow::normal;
      case Statement::Kind::for_:
        run_for(statement, frame, out);
        return Flow::normal;
      case Statement::Kind::set:
        run_set(statement, frame);
        return Flow::normal;
      case Statement::Kind::set_block: {
        std::string text;
        run(statement.body, frame, text);
        frame.variables[statement.targets[0]] = std::move(text);
        return Flow::normal;
      }
      case Statement::Kind::macro:
        define_macro(statement, frame);
        return Flow::normal;
      case Statement::Kind::break_:
        return Flow::break_loop;
      case Statement::Kind::continue_:
        return Flow::continue_loop;
      case Statement::Kind::filter_block: {
        std::string text;
        Frame inner{{}, &frame};
        run(statement.body, inner, text);
        const Value subject(std::move(text));
        append(out, to_text(evaluate_filter(*statement.expression, frame, &subject)));
        return Flow::normal;
      }
      case Statement::Kind::with: {
        Frame inner{{}, &frame};
        for (const auto& [name, value] : statement.assignments)
          inner.variables[name] = evaluate(*value, frame);
        return run(statement.body, inner, out);
      }
      case Statement::Kind::block:
        return run(statement.body, frame, out);
    }
    return Flow::normal;
  }

  void bind_targets(const std::vector<std::string>& targets, const Value& value, Frame& frame) {
    if (targets.size() == 1) {
      frame.variables[targets[0]] = value;
      return;
    }
    const ValueList items = iterate(value);
    if (items.size() != targets.size()) {
      throw render_error(
          items.size() > targets.size()
              ? "too many values to unpack (expected " + std::to_string(targets.size()) + ")"
              : "not enough values to unpack (expected " + std::to_string(targets.size()) +
                    ", got " + std::to_string(items.size()) + ")");
    }
    for (std::size_t index = 0; index < targets.size(); ++index)
      frame.variables[targets[index]] = items[index];
  }

  void run_for(const Statement& statement, Frame& frame, std::string& out) {
    const ValueList all = iterate(evaluate(*statement.expression, frame));
    ValueList items;
    if (statement.condition) {
      for (const Value& item : all) {
        step();
        Frame probe{{}, &frame};
        bind_targets(statement.targets, item, probe);
        if (evaluate(*statement.condition, probe).truthy()) items.push_back(item);
      }
    } else {
      items = all;
    }
    if (items.empty()) {
      Frame inner{{}, &frame};
      run(statement.else_body, inner, out);
      return;
    }
    const auto length = static_cast<std::int64_t>(items.size());
    for (std::int64_t index = 0; index < length; ++index) {
      step();
      Frame iteration{{}, &frame};
      bind_targets(statement.targets, items[index], iteration);
      iteration.variables["loop"] = loop_object(items, index);
      if (run(statement.body, iteration, out) == Flow::break_loop) break;
    }
  }

  static Value loop_object(const ValueList& items, std::int64_t index) {
    const auto length = static_cast<std::int64_t>(items.size());
    ValueDict loop;
    loop.entries.reserve(12);
    loop.entries.emplace_back("index", index + 1);
    loop.entries.emplace_back("index0", index);
    loop.entries.emplace_back("revindex", length - index);
    loop.entries.emplace_back("revindex0", length - index - 1);
    loop.entries.emplace_back("first", index == 0);
    loop.entries.emplace_back("last", index + 1 == length);
    loop.entries.emplace_back("length", length);
    loop.entries.emplace_back("depth", 1);
    loop.entries.emplace_back("depth0", 0);
    if (index > 0) loop.entries.emplace_back("previtem", items[index - 1]);
    if (index + 1 < length) loop.entries.emplace_back("nextitem", items[index + 1]);
    loop.entries.emplace_back("cycle", Value::function("cycle", [index](CallArguments& arguments) {
                                if (arguments.positional.empty())
                                  throw render_error("loop.cycle() needs at least one value");
                                const auto count =
                                    static_cast<std::int64_t>(arguments.positional.size());
                                return arguments.positional[index % count];
                              }));
    return loop;
  }

  void run_set(const Statement& statement, Frame& frame) {
    Value value = evaluate(*statement.expression, frame);
    if (statement.namespace_name.empty()) {
      bind_targets(statement.targets, value, frame);
      return;
    }
    const Value* target = frame.find(statement.namespace_name);
    if (target == nullptr || target->type() != Value::Type::namespace_) {
      throw render_error("cannot assign attribute on non-namespace object ('" +
                         statement.namespace_name + "' is " +
                         (target == nullptr ? "undefined" : "a " + target->type_name()) + ")");
    }
    target->as_namespace().attributes.set(statement.attribute, std::move(value));
  }

  void define_macro(const Statement& statement, Frame& frame) {
    const Statement* macro = &statement;
    frame.variables[statement.name] = Value::function(
        statement.name,
        [this, macro](CallArguments& arguments) { return call_macro(*macro, arguments); });
  }

  Value call_macro(const Statement& macro, CallArguments& arguments) {
    if (depth_ >= limits_.max_call_depth) {
      throw render_error("macro calls nest deeper than " + std::to_string(limits_.max_call_depth));
    }
    if (arguments.positional.size() > macro.parameters.size()) {
      throw render_error("macro '" + macro.name + "' takes not more than " +
                         std::to_string(macro.parameters.size()) + " argument(s)");
    }
    Frame frame{{}, root_};
    std::vector<bool> given(macro.parameters.size(), false);
    for (std::size_t index = 0; index < arguments.positional.size(); ++index) {
      frame.variables[macro.parameters[index]] = arguments.positional[index];
      given[index] = true;
    }
    for (auto& [name, value] : arguments.keyword) {
      std::size_t index = 0;
      while (index < macro.parameters.size() && macro.parameters[index] != name) ++index;
      if (index == macro.parameters.size())
        throw render_error("macro '" + macro.name + "' takes no keyword argument '" + name + "'");
      if (given[index])
        throw render_error("macro '" + macro.name + "' got multiple values for '" + name + "'");
      frame.variables[name] = value;
      given[index] = true;
    }
    for (std::size_t index = 0; index < macro.parameters.size(); ++index) {
      if (given[index]) continue;
      frame.variables[macro.parameters[index]] =
          macro.defaults[index]
              ? evaluate(*macro.defaults[index], frame)
              : Value::undefined("parameter '" + macro.parameters[index] + "' was not given");
    }
    ++depth_;
    std::string out;
    try {
      run(macro.body, frame, out);
    } catch (...) {
      --depth_;
      throw;
    }
    --depth_;
    return out;
  }

  CallArguments evaluate_arguments(const Expression& expression, std::size_t first, Frame& frame) {
    CallArguments arguments;
    for (std::size_t index = first; index < expression.operands.size(); ++index)
      arguments.positional.push_back(evaluate(*expression.operands[index], frame));
    for (const auto& [name, value] : expression.keywords)
      arguments.keyword.emplace_back(name, evaluate(*value, frame));
    return arguments;
  }

  Value evaluate_filter(const Expression& filter, Frame& frame, const Value* block_subject) {
    const Value subject = filter.operands[0]
                              ? (filter.operands[0]->kind == Expression::Kind::filter
                                     ? evaluate_filter(*filter.operands[0], frame, block_subject)
                                     : evaluate(*filter.operands[0], frame))
                              : *block_subject;
    CallArguments arguments = evaluate_arguments(filter, 1, frame);
    try {
      return apply_filter(filter.name, subject, arguments);
    } catch (const JinjaError& error) {
      if (error.has_position()) throw;
      throw error.at(filter.position);
    }
  }

  Value evaluate(const Expression& expression, Frame& frame) {
    Value result;
    try {
      result = evaluate_located(expression, frame);
    } catch (const JinjaError& error) {
      if (error.has_position()) throw;
      throw error.at(expression.position);
    }
    if (result.is_string() && result.as_string().size() > limits_.max_output_bytes) {
      throw JinjaError(
          JinjaError::Kind::render,
          "a string grew longer than " + std::to_string(limits_.max_output_bytes) + " bytes",
          expression.position);
    }
    return result;
  }

  Value evaluate_located(const Expression& expression, Frame& frame) {
    switch (expression.kind) {
      case Expression::Kind::literal:
        return expression.value;
      case Expression::Kind::name: {
        const Value* found = frame.find(expression.name);
        if (found != nullptr) return *found;
        return Value::undefined("'" + expression.name + "' is undefined");
      }
      case Expression::Kind::list: {
        ValueList list;
        for (const auto& operand : expression.operands) list.push_back(evaluate(*operand, frame));
        return list;
      }
      case Expression::Kind::dict: {
        ValueDict dict;
        for (std::size_t index = 0; index + 1 < expression.operands.size(); index += 2) {
          dict.set(evaluate(*expression.operands[index], frame),
                   evaluate(*expression.operands[index + 1], frame));
        }
        return dict;
      }
      case Expression::Kind::attribute:
        return get_attribute(evaluate(*expression.operands[0], frame), expression.name);
      case Expression::Kind::item:
        return get_item(evaluate(*expression.operands[0], frame),
                        evaluate(*expression.operands[1], frame));
      case Expression::Kind::slice: {
        const auto part = [&](std::size_t index) {
          return expression.operands[index] ? evaluate(*expression.operands[index], frame)
                                            : Value(nullptr);
        };
        return get_slice(evaluate(*expression.operands[0], frame), part(1), part(2), part(3));
      }
      case Expression::Kind::call: {
        const Value callee = evaluate(*expression.operands[0], frame);
        CallArguments arguments = evaluate_arguments(expression, 1, frame);
        if (callee.type() == Value::Type::function) {
          step();
          return callee.as_function().call(arguments);
        }
        if (callee.is_undefined()) fail_undefined(callee);
        throw render_error("'" + callee.type_name() + "' object is not callable");
      }
      case Expression::Kind::filter:
        return evaluate_filter(expression, frame, nullptr);
      case Expression::Kind::test: {
        const Value subject = evaluate(*expression.operands[0], frame);
        CallArguments arguments = evaluate_arguments(expression, 1, frame);
        return apply_test(expression.name, subject, arguments) != expression.negated;
      }
      case Expression::Kind::unary: {
        const Value operand = evaluate(*expression.operands[0], frame);
        if (expression.name == "not") return !operand.truthy();
        if (operand.is_undefined()) fail_undefined(operand);
        if (!operand.is_number()) {
          throw render_error("bad operand type for unary " + expression.name + ": '" +
                             operand.type_name() + "'");
        }
        if (expression.name == "+") {
          return operand.type() == Value::Type::boolean ? Value(operand.as_integer()) : operand;
        }
        if (operand.type() == Value::Type::floating) return -operand.as_number();
        check_overflow(operand.as_integer() == INT64_MIN);
        return -operand.as_integer();
      }
      case Expression::Kind::binary: {
        const std::string& op = expression.name;
        if (op == "and" || op == "or") {
          Value left = evaluate(*expression.operands[0], frame);
          if (left.truthy() == (op == "or")) return left;
          return evaluate(*expression.operands[1], frame);
        }
        const Value left = evaluate(*expression.operands[0], frame);
        const Value right = evaluate(*expression.operands[1], frame);
        if (op == "~") return to_text(left) + to_text(right);
        return arithmetic(op, left, right, limits_.max_output_bytes);
      }
      case Expression::Kind::compare: {
        Value left = evaluate(*expression.operands[0], frame);
        for (std::size_t index = 0; index < expression.comparisons.size(); ++index) {
          Value right = evaluate(*expression.operands[index + 1], frame);
          const std::string& op = expression.comparisons[index];
          bool holds = false;
          if (op == "==") {
            holds = equals(left, right);
          } else if (op == "!=") {
            holds = !equals(left, right);
          } else if (op == "in") {
            holds = contains(right, left);
          } else if (op == "not in") {
            holds = !contains(right, left);
          } else {
            const int order = compare(left, right);
            holds = op == "<"    ? order < 0
                    : op == "<=" ? order <= 0
                    : op == ">"  ? order > 0
                                 : order >= 0;
          }
          if (!holds) return false;
          left = std::move(right);
        }
        return true;
      }
      case Expression::Kind::conditional:
        if (evaluate(*expression.operands[0], frame).truthy())
          return evaluate(*expression.operands[1], frame);
        if (expression.operands[2]) return evaluate(*expression.operands[2], frame);
        return Value::undefined("the conditional expression has no else branch");
    }
    return Value();
  }

  RenderLimits limits_;
  Frame* root_ = nullptr;
  std::int64_t steps_ = 0;
  int depth_ = 0;
};

}  // namespace

std::string render(const Body& body, const Variables& variables, const RenderLimits& limits) {
  return Renderer(limits).render(body, variables);
}

}  // namespace paddock::serve::jinja
