// The parsed form of a Jinja template: statements (text, output, if, for, set, macro, ...)
// holding expressions. Built by jinja_parser, walked by jinja_render.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "jinja_error.hpp"
#include "jinja_value.hpp"

namespace paddock::serve::jinja {

struct Expression;
using ExpressionPtr = std::unique_ptr<Expression>;

struct Expression {
  enum class Kind {
    literal,      // `value`
    name,         // `name`
    list,         // [operands...] (also tuples)
    dict,         // {operands[0]: operands[1], ...}
    attribute,    // operands[0].name
    item,         // operands[0][operands[1]]
    slice,        // operands[0][operands[1]:operands[2]:operands[3]], null parts absent
    call,         // operands[0](operands[1..], keywords)
    filter,       // operands[0] | name(operands[1..], keywords); operands[0] null in
                  // {% filter %} blocks, where the block's text is the subject
    test,         // operands[0] is name(operands[1..], keywords); negated: `is not`
    unary,        // name ("-", "+", "not") operands[0]
    binary,       // operands[0] name operands[1]: + - * / // % ** ~ and or
    compare,      // operands[0] comparisons[0] operands[1] comparisons[1] operands[2] ...
    conditional,  // operands[1] if operands[0] else operands[2] (null: Undefined)
  };

  Kind kind = Kind::literal;
  SourcePosition position;
  Value value;
  std::string name;
  bool negated = false;
  std::vector<ExpressionPtr> operands;
  std::vector<std::string> comparisons;  // "==", "!=", "<", "<=", ">", ">=", "in", "not in"
  std::vector<std::pair<std::string, ExpressionPtr>> keywords;
  int depth = 1;  // levels of the tree from this node down (the parser bounds it)
};

struct Statement;
using Body = std::vector<std::unique_ptr<Statement>>;

struct Statement {
  enum class Kind {
    text,       // text
    output,     // {{ expression }}
    if_,        // branches: (condition, body)...; the else branch's condition is null
    for_,       // {% for targets in expression if condition %} body {% else %} else_body
    set,        // {% set targets = expression %} or {% set namespace_name.attribute = ... %}
    set_block,  // {% set targets[0] %} body {% endset %}
    macro,      // {% macro name(parameters = defaults) %} body
    break_,
    continue_,
    filter_block,  // {% filter expression %} body: expression is a filter with a null subject
    with,          // {% with assignments %} body
    block,         // a body run in place ({% generation %})
  };

  Kind kind = Kind::text;
  SourcePosition position;
  std::string text;
  std::string name;
  std::string namespace_name;
  std::string attribute;
  ExpressionPtr expression;
  ExpressionPtr condition;
  std::vector<std::string> targets;
  std::vector<std::pair<ExpressionPtr, Body>> branches;
  std::vector<std::string> parameters;
  std::vector<ExpressionPtr> defaults;  // one per parameter, null where none
  std::vector<std::pair<std::string, ExpressionPtr>> assignments;
  Body body;
  Body else_body;
};

}  // namespace paddock::serve::jinja
