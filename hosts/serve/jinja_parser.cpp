// The Jinja parser: tokens to statements and expressions, following jinja2's grammar.
#include "jinja_parser.hpp"

#include <algorithm>

#include "jinja_builtins.hpp"

namespace paddock::serve::jinja {
namespace {

// An open block, for "the innermost open block is ..." in messages.
struct OpenBlock {
  std::string tag;
  SourcePosition position;
};

const std::vector<std::string> kEndTags = {"endfor",        "endif",     "endset",
                                           "endmacro",      "endfilter", "endwith",
                                           "endgeneration", "else",      "elif"};
const std::vector<std::string> kUnsupportedTags = {
    "include", "import", "from", "extends", "block", "call", "autoescape", "do", "trans"};

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  Body parse() {
    std::string found;
    Body body = parse_body({}, found);
    return body;
  }

 private:
  const Token& current() const { return tokens_[index_]; }
  const Token& peek(std::size_t ahead = 1) const {
    return tokens_[std::min(index_ + ahead, tokens_.size() - 1)];
  }
  const Token& advance() {
    const Token& token = tokens_[index_];
    if (index_ + 1 < tokens_.size()) ++index_;
    return token;
  }

  [[noreturn]] void fail(const std::string& message, SourcePosition position) const {
    throw JinjaError(JinjaError::Kind::syntax, message, position);
  }
  [[noreturn]] void fail_expected(const std::string& expected) const {
    fail("expected " + expected + ", found " + describe(current()), current().position);
  }

  bool at_operator(std::string_view spelling) const {
    return current().kind == TokenKind::operator_ && current().text == spelling;
  }
  bool at_name(std::string_view name) const {
    return current().kind == TokenKind::name && current().text == name;
  }
  bool skip_operator(std::string_view spelling) {
    if (!at_operator(spelling)) return false;
    advance();
    return true;
  }
  bool skip_name(std::string_view name) {
    if (!at_name(name)) return false;
    advance();
    return true;
  }
  void expect_operator(std::string_view spelling) {
    if (!skip_operator(spelling)) fail_expected("'" + std::string(spelling) + "'");
  }
  std::string expect_name(const std::string& what = "a name") {
    if (current().kind != TokenKind::name) fail_expected(what);
    return advance().text;
  }
  void expect_block_end() {
    if (current().kind != TokenKind::block_end) fail_expected("'%}'");
    advance();
  }

  [[noreturn]] void fail_too_deep(SourcePosition position) const {
    fail("the template nests deeper than " + std::to_string(kMaxTemplateNesting) +
             " levels (brackets, operators, filters and blocks count), Paddock's limit",
         position);
  }

  // Held by each parsing function that recurses as the template nests.
  class Descent {
   public:
    explicit Descent(Parser& parser) : parser_(parser) {
      if (++parser_.descent_ > kMaxTemplateNesting)
        parser_.fail_too_deep(parser_.current().position);
    }
    ~Descent() { --parser_.descent_; }
    Descent(const Descent&) = delete;
    Descent& operator=(const Descent&) = delete;

   private:
    Parser& parser_;
  };

  // Every node with operands passes through here: a chain (`a ~ b ~ c`, `x|f|g`) deepens the
  // tree without deepening the parser's recursion.
  ExpressionPtr sized(ExpressionPtr node) {
    int deepest = 0;
    for (const auto& operand : node->operands)
      if (operand) deepest = std::max(deepest, operand->depth);
    for (const auto& keyword : node->keywords)
      if (keyword.second) deepest = std::max(deepest, keyword.second->depth);
    node->depth = deepest + 1;
    if (node->depth > kMaxTemplateNesting) fail_too_deep(node->position);
    return node;
  }

  std::string open_block_note() const {
    if (open_blocks_.empty()) return "";
    const OpenBlock& block = open_blocks_.back();
    return " (the innermost open block is the '" + block.tag + "' at " +
           std::to_string(block.position.line) + ":" + std::to_string(block.position.column) + ")";
  }

  static std::string quoted_list(const std::vector<std::string>& names) {
    std::string text;
    for (std::size_t index = 0; index < names.size(); ++index) {
      if (index > 0) text += index + 1 == names.size() ? " or " : ", ";
      text += "'" + names[index] + "'";
    }
    return text;
  }

  // Statements up to a {% tag %} named in `end_tags` (its name is consumed, the rest of
  // the tag is not) or the end of the template when `end_tags` is empty.
  Body parse_body(const std::vector<std::string>& end_tags, std::string& found_end) {
    const Descent descent(*this);
    Body body;
    while (true) {
      const Token& token = current();
      if (token.kind == TokenKind::end) {
        if (!end_tags.empty()) {
          fail("unexpected end of template: expected " + quoted_list(end_tags) + open_block_note(),
               token.position);
        }
        return body;
      }
      if (token.kind == TokenKind::text) {
        auto statement = std::make_unique<Statement>();
        statement->kind = Statement::Kind::text;
        statement->position = token.position;
        statement->text = token.text;
        body.push_back(std::move(statement));
        advance();
        continue;
      }
      if (token.kind == TokenKind::variable_begin) {
        advance();
        auto statement = std::make_unique<Statement>();
        statement->kind = Statement::Kind::output;
        statement->position = token.position;
        statement->expression = parse_tuple_expression();
        if (current().kind != TokenKind::variable_end) fail_expected("'}}'");
        advance();
        body.push_back(std::move(statement));
        continue;
      }
      if (token.kind != TokenKind::block_begin) fail_expected("template text or a tag");
      const SourcePosition tag_position = token.position;
      advance();
      if (current().kind != TokenKind::name) fail_expected("a tag name");
      const std::string tag = current().text;
      if (std::find(end_tags.begin(), end_tags.end(), tag) != end_tags.end()) {
        advance();
        found_end = tag;
        return body;
      }
      if (std::find(kEndTags.begin(), kEndTags.end(), tag) != kEndTags.end()) {
        fail("unexpected '{% " + tag + " %}'" +
                 (end_tags.empty() ? std::string(": no open block takes it")
                                   : ": expected " + quoted_list(end_tags)) +
                 open_block_note(),
             current().position);
      }
      body.push_back(parse_statement(tag_position));
    }
  }

  std::unique_ptr<Statement> parse_statement(SourcePosition position) {
    const Token& name_token = current();
    const std::string tag = name_token.text;
    auto statement = std::make_unique<Statement>();
    statement->position = position;
    advance();
    if (tag == "if") {
      parse_if(*statement);
    } else if (tag == "for") {
      parse_for(*statement);
    } else if (tag == "set") {
      parse_set(*statement);
    } else if (tag == "macro") {
      parse_macro(*statement);
    } else if (tag == "break" || tag == "continue") {
      const auto loop = std::find_if(
          open_blocks_.rbegin(), open_blocks_.rend(),
          [](const OpenBlock& block) { return block.tag == "for" || block.tag == "macro"; });
      if (loop == open_blocks_.rend() || loop->tag != "for")
        fail("'{% " + tag + " %}' outside a for loop", position);
      statement->kind = tag == "break" ? Statement::Kind::break_ : Statement::Kind::continue_;
      expect_block_end();
    } else if (tag == "filter") {
      statement->kind = Statement::Kind::filter_block;
      statement->expression = parse_filter_chain(nullptr);
      expect_block_end();
      statement->body = parse_block_body("filter", position, "endfilter");
    } else if (tag == "with") {
      statement->kind = Statement::Kind::with;
      while (current().kind != TokenKind::block_end) {
        if (!statement->assignments.empty()) expect_operator(",");
        std::string target = expect_name("a variable name");
        expect_operator("=");
        statement->assignments.emplace_back(std::move(target), parse_expression());
      }
      expect_block_end();
      statement->body = parse_block_body("with", position, "endwith");
    } else if (tag == "generation") {
      // Hugging Face's {% generation %} marks assistant text; it prints its body as it is.
      statement->kind = Statement::Kind::block;
      expect_block_end();
      statement->body = parse_block_body("generation", position, "endgeneration");
    } else if (std::find(kUnsupportedTags.begin(), kUnsupportedTags.end(), tag) !=
               kUnsupportedTags.end()) {
      fail("the '{% " + tag + " %}' tag is not supported (Paddock's Jinja engine renders " +
               "self-contained chat templates)",
           name_token.position);
    } else {
      fail("unknown tag '" + tag + "'" + open_block_note(), name_token.position);
    }
    return statement;
  }

  Body parse_block_body(const std::string& tag, SourcePosition position,
                        const std::string& end_tag) {
    open_blocks_.push_back({tag, position});
    std::string found;
    Body body = parse_body({end_tag}, found);
    expect_block_end();
    open_blocks_.pop_back();
    return body;
  }

  void parse_if(Statement& statement) {
    statement.kind = Statement::Kind::if_;
    open_blocks_.push_back({"if", statement.position});
    ExpressionPtr condition = parse_tuple_expression();
    while (true) {
      expect_block_end();
      std::string found;
      Body body = parse_body(condition ? std::vector<std::string>{"elif", "else", "endif"}
                                       : std::vector<std::string>{"endif"},
                             found);
      statement.branches.emplace_back(std::move(condition), std::move(body));
      if (found == "endif") break;
      condition = found == "elif" ? parse_tuple_expression() : nullptr;
    }
    expect_block_end();
    open_blocks_.pop_back();
  }

  std::vector<std::string> parse_targets() {
    std::vector<std::string> targets;
    const bool parenthesized = skip_operator("(");
    do {
      targets.push_back(expect_name("a variable name"));
    } while (skip_operator(","));
    if (parenthesized) expect_operator(")");
    return targets;
  }

  void parse_for(Statement& statement) {
    statement.kind = Statement::Kind::for_;
    statement.targets = parse_targets();
    if (!skip_name("in")) fail_expected("'in'");
    statement.expression = parse_or();
    if (at_operator(",")) {
      auto list = std::make_unique<Expression>();
      list->kind = Expression::Kind::list;
      list->position = statement.expression->position;
      list->operands.push_back(std::move(statement.expression));
      while (skip_operator(",")) {
        if (current().kind == TokenKind::block_end || at_name("if")) break;
        list->operands.push_back(parse_or());
      }
      statement.expression = sized(std::move(list));
    }
    if (skip_name("if")) statement.condition = parse_expression();
    if (at_name("recursive")) fail("recursive for loops are not supported", current().position);
    expect_block_end();
    open_blocks_.push_back({"for", statement.position});
    std::string found;
    statement.body = parse_body({"else", "endfor"}, found);
    if (found == "else") {
      expect_block_end();
      statement.else_body = parse_body({"endfor"}, found);
    }
    expect_block_end();
    open_blocks_.pop_back();
  }

  void parse_set(Statement& statement) {
    if (current().kind == TokenKind::name && peek().kind == TokenKind::operator_ &&
        peek().text == ".") {
      statement.kind = Statement::Kind::set;
      statement.namespace_name = advance().text;
      advance();
      statement.attribute = expect_name("an attribute name");
      expect_operator("=");
      statement.expression = parse_tuple_expression();
      expect_block_end();
      return;
    }
    statement.targets = parse_targets();
    if (skip_operator("=")) {
      statement.kind = Statement::Kind::set;
      statement.expression = parse_tuple_expression();
      expect_block_end();
      return;
    }
    if (statement.targets.size() != 1) fail_expected("'='");
    statement.kind = Statement::Kind::set_block;
    expect_block_end();
    statement.body = parse_block_body("set", statement.position, "endset");
  }

  void parse_macro(Statement& statement) {
    statement.kind = Statement::Kind::macro;
    statement.name = expect_name("the macro's name");
    expect_operator("(");
    while (!skip_operator(")")) {
      if (!statement.parameters.empty()) expect_operator(",");
      if (skip_operator(")")) break;
      statement.parameters.push_back(expect_name("a parameter name"));
      statement.defaults.push_back(skip_operator("=") ? parse_expression() : nullptr);
      if (!statement.defaults.back() && statement.defaults.size() > 1 &&
          statement.defaults[statement.defaults.size() - 2]) {
        fail("a parameter without a default follows one with a default", current().position);
      }
    }
    expect_block_end();
    statement.body = parse_block_body("macro", statement.position, "endmacro");
  }

  // Expressions ----------------------------------------------------------------------------

  ExpressionPtr make(Expression::Kind kind, SourcePosition position) {
    auto expression = std::make_unique<Expression>();
    expression->kind = kind;
    expression->position = position;
    return expression;
  }

  // `a, b` without brackets is a tuple, as in {{ a, b }} and {% set x = a, b %}.
  ExpressionPtr parse_tuple_expression() {
    ExpressionPtr first = parse_expression();
    if (!at_operator(",")) return first;
    auto list = make(Expression::Kind::list, first->position);
    list->operands.push_back(std::move(first));
    while (skip_operator(",")) {
      if (current().kind == TokenKind::block_end || current().kind == TokenKind::variable_end)
        break;
      list->operands.push_back(parse_expression());
    }
    return sized(std::move(list));
  }

  ExpressionPtr parse_expression() {
    const Descent descent(*this);
    ExpressionPtr value = parse_or();
    while (at_name("if")) {
      const SourcePosition position = current().position;
      advance();
      auto conditional = make(Expression::Kind::conditional, position);
      conditional->operands.push_back(parse_or());
      conditional->operands.push_back(std::move(value));
      conditional->operands.push_back(skip_name("else") ? parse_expression() : nullptr);
      value = sized(std::move(conditional));
    }
    return value;
  }

  ExpressionPtr binary(std::string op, ExpressionPtr left, ExpressionPtr right,
                       SourcePosition position) {
    auto node = make(Expression::Kind::binary, position);
    node->name = std::move(op);
    node->operands.push_back(std::move(left));
    node->operands.push_back(std::move(right));
    return sized(std::move(node));
  }

  ExpressionPtr parse_or() {
    ExpressionPtr left = parse_and();
    while (at_name("or")) {
      const SourcePosition position = advance().position;
      left = binary("or", std::move(left), parse_and(), position);
    }
    return left;
  }

  ExpressionPtr parse_and() {
    ExpressionPtr left = parse_not();
    while (at_name("and")) {
      const SourcePosition position = advance().position;
      left = binary("and", std::move(left), parse_not(), position);
    }
    return left;
  }

  ExpressionPtr parse_not() {
    if (at_name("not")) {
      const Descent descent(*this);
      const SourcePosition position = advance().position;
      auto node = make(Expression::Kind::unary, position);
      node->name = "not";
      node->operands.push_back(parse_not());
      return sized(std::move(node));
    }
    return parse_compare();
  }

  ExpressionPtr parse_compare() {
    ExpressionPtr first = parse_math1();
    ExpressionPtr node;
    while (true) {
      std::string op;
      const SourcePosition position = current().position;
      if (current().kind == TokenKind::operator_ &&
          (current().text == "==" || current().text == "!=" || current().text == "<" ||
           current().text == "<=" || current().text == ">" || current().text == ">=")) {
        op = advance().text;
      } else if (at_name("in")) {
        advance();
        op = "in";
      } else if (at_name("not") && peek().kind == TokenKind::name && peek().text == "in") {
        advance();
        advance();
        op = "not in";
      } else {
        break;
      }
      if (!node) {
        node = make(Expression::Kind::compare, position);
        node->operands.push_back(std::move(first));
      }
      node->comparisons.push_back(op);
      node->operands.push_back(parse_math1());
    }
    return node ? sized(std::move(node)) : std::move(first);
  }

  ExpressionPtr parse_math1() {
    ExpressionPtr left = parse_concat();
    while (at_operator("+") || at_operator("-")) {
      const Token& op = advance();
      left = binary(op.text, std::move(left), parse_concat(), op.position);
    }
    return left;
  }

  ExpressionPtr parse_concat() {
    ExpressionPtr left = parse_math2();
    while (at_operator("~")) {
      const SourcePosition position = advance().position;
      left = binary("~", std::move(left), parse_math2(), position);
    }
    return left;
  }

  ExpressionPtr parse_math2() {
    ExpressionPtr left = parse_pow();
    while (at_operator("*") || at_operator("/") || at_operator("//") || at_operator("%")) {
      const Token& op = advance();
      left = binary(op.text, std::move(left), parse_pow(), op.position);
    }
    return left;
  }

  ExpressionPtr parse_pow() {
    ExpressionPtr left = parse_unary(true);
    while (at_operator("**")) {
      const SourcePosition position = advance().position;
      left = binary("**", std::move(left), parse_unary(true), position);
    }
    return left;
  }

  ExpressionPtr parse_unary(bool with_filters) {
    ExpressionPtr node;
    if (at_operator("-") || at_operator("+")) {
      const Descent descent(*this);
      const Token& op = advance();
      node = make(Expression::Kind::unary, op.position);
      node->name = op.text;
      node->operands.push_back(parse_unary(false));
      node = sized(std::move(node));
    } else {
      node = parse_primary();
    }
    node = parse_postfix(std::move(node));
    if (with_filters) node = parse_filters_and_tests(std::move(node));
    return node;
  }

  ExpressionPtr parse_primary() {
    const Token& token = current();
    switch (token.kind) {
      case TokenKind::name: {
        advance();
        auto node = make(Expression::Kind::literal, token.position);
        if (token.text == "true" || token.text == "True") {
          node->value = true;
        } else if (token.text == "false" || token.text == "False") {
          node->value = false;
        } else if (token.text == "none" || token.text == "None") {
          node->value = nullptr;
        } else {
          node->kind = Expression::Kind::name;
          node->name = token.text;
        }
        return node;
      }
      case TokenKind::string: {
        auto node = make(Expression::Kind::literal, token.position);
        std::string text;
        while (current().kind == TokenKind::string) text += advance().text;
        node->value = std::move(text);
        return node;
      }
      case TokenKind::integer:
      case TokenKind::floating: {
        advance();
        auto node = make(Expression::Kind::literal, token.position);
        if (token.kind == TokenKind::integer) {
          node->value = token.integer;
        } else {
          node->value = token.floating;
        }
        return node;
      }
      case TokenKind::operator_:
        if (token.text == "(") {
          advance();
          if (skip_operator(")")) return make(Expression::Kind::list, token.position);
          ExpressionPtr inner = parse_expression();
          if (at_operator(",")) {
            auto list = make(Expression::Kind::list, token.position);
            list->operands.push_back(std::move(inner));
            while (skip_operator(",")) {
              if (at_operator(")")) break;
              list->operands.push_back(parse_expression());
            }
            inner = sized(std::move(list));
          }
          expect_operator(")");
          return inner;
        }
        if (token.text == "[") {
          advance();
          auto list = make(Expression::Kind::list, token.position);
          while (!skip_operator("]")) {
            if (!list->operands.empty()) {
              expect_operator(",");
              if (skip_operator("]")) break;
            }
            list->operands.push_back(parse_expression());
          }
          return sized(std::move(list));
        }
        if (token.text == "{") {
          advance();
          auto dict = make(Expression::Kind::dict, token.position);
          while (!skip_operator("}")) {
            if (!dict->operands.empty()) {
              expect_operator(",");
              if (skip_operator("}")) break;
            }
            dict->operands.push_back(parse_expression());
            expect_operator(":");
            dict->operands.push_back(parse_expression());
          }
          return sized(std::move(dict));
        }
        break;
      default:
        break;
    }
    fail_expected("an expression");
  }

  ExpressionPtr parse_postfix(ExpressionPtr node) {
    while (true) {
      if (at_operator(".")) {
        const SourcePosition position = advance().position;
        if (current().kind == TokenKind::name) {
          auto attribute = make(Expression::Kind::attribute, position);
          attribute->name = advance().text;
          attribute->operands.push_back(std::move(node));
          node = sized(std::move(attribute));
        } else if (current().kind == TokenKind::integer) {
          auto item = make(Expression::Kind::item, position);
          item->operands.push_back(std::move(node));
          auto index = make(Expression::Kind::literal, current().position);
          index->value = advance().integer;
          item->operands.push_back(std::move(index));
          node = sized(std::move(item));
        } else {
          fail_expected("an attribute name");
        }
      } else if (at_operator("[")) {
        node = parse_subscript(std::move(node));
      } else if (at_operator("(")) {
        node = parse_call(std::move(node));
      } else {
        return node;
      }
    }
  }

  ExpressionPtr parse_subscript(ExpressionPtr node) {
    const SourcePosition position = advance().position;
    ExpressionPtr parts[3];
    bool is_slice = false;
    if (!at_operator(":")) parts[0] = parse_expression();
    if (skip_operator(":")) {
      is_slice = true;
      if (!at_operator(":") && !at_operator("]")) parts[1] = parse_expression();
      if (skip_operator(":") && !at_operator("]")) parts[2] = parse_expression();
    }
    expect_operator("]");
    if (!is_slice) {
      if (!parts[0]) fail("expected an index", position);
      auto item = make(Expression::Kind::item, position);
      item->operands.push_back(std::move(node));
      item->operands.push_back(std::move(parts[0]));
      return sized(std::move(item));
    }
    auto slice = make(Expression::Kind::slice, position);
    slice->operands.push_back(std::move(node));
    for (auto& part : parts) slice->operands.push_back(std::move(part));
    return sized(std::move(slice));
  }

  // (positional..., name=value...) after the callee's or filter's operands.
  void parse_arguments(Expression& node) {
    expect_operator("(");
    bool first = true;
    while (!skip_operator(")")) {
      if (!first) {
        expect_operator(",");
        if (skip_operator(")")) break;
      }
      first = false;
      if (at_operator("*") || at_operator("**"))
        fail("*args and **kwargs in calls are not supported", current().position);
      if (current().kind == TokenKind::name && peek().kind == TokenKind::operator_ &&
          peek().text == "=") {
        std::string name = advance().text;
        advance();
        node.keywords.emplace_back(std::move(name), parse_expression());
      } else {
        if (!node.keywords.empty())
          fail("a positional argument follows a keyword argument", current().position);
        node.operands.push_back(parse_expression());
      }
    }
  }

  ExpressionPtr parse_call(ExpressionPtr callee) {
    auto call = make(Expression::Kind::call, current().position);
    call->operands.push_back(std::move(callee));
    parse_arguments(*call);
    return sized(std::move(call));
  }

  ExpressionPtr parse_filter_chain(ExpressionPtr subject) {
    do {
      const SourcePosition position = current().position;
      std::string name = expect_name("a filter name");
      if (!is_known_filter(name)) fail("no filter named '" + name + "'", position);
      auto filter = make(Expression::Kind::filter, position);
      filter->name = std::move(name);
      filter->operands.push_back(std::move(subject));
      if (at_operator("(")) parse_arguments(*filter);
      subject = sized(std::move(filter));
    } while (skip_operator("|"));
    return subject;
  }

  ExpressionPtr parse_filters_and_tests(ExpressionPtr node) {
    while (true) {
      if (skip_operator("|")) {
        node = parse_filter_chain(std::move(node));
      } else if (at_name("is")) {
        advance();
        auto test = make(Expression::Kind::test, current().position);
        test->negated = skip_name("not");
        const SourcePosition name_position = current().position;
        if (current().kind == TokenKind::name) {
          test->name = advance().text;
        } else if (current().kind == TokenKind::operator_ &&
                   (current().text == "==" || current().text == "!=" || current().text == "<" ||
                    current().text == "<=" || current().text == ">" || current().text == ">=")) {
          test->name = advance().text;
        } else {
          fail_expected("a test name");
        }
        if (!is_known_test(test->name)) fail("no test named '" + test->name + "'", name_position);
        test->operands.push_back(std::move(node));
        if (at_operator("(")) {
          parse_arguments(*test);
        } else if ((current().kind == TokenKind::name && !at_name("else") && !at_name("or") &&
                    !at_name("and") && !at_name("is") && !at_name("if") && !at_name("in") &&
                    !at_name("not")) ||
                   current().kind == TokenKind::string || current().kind == TokenKind::integer ||
                   current().kind == TokenKind::floating || at_operator("[") || at_operator("{")) {
          test->operands.push_back(parse_postfix(parse_primary()));
        }
        node = sized(std::move(test));
      } else if (at_operator("(")) {
        node = parse_call(std::move(node));
      } else {
        return node;
      }
    }
  }

  std::vector<Token> tokens_;
  std::size_t index_ = 0;
  int descent_ = 0;  // nesting of the functions holding a Descent
  std::vector<OpenBlock> open_blocks_;
};

}  // namespace

Body parse_template(std::string_view source, const LexerOptions& options) {
  return Parser(tokenize(source, options)).parse();
}

}  // namespace paddock::serve::jinja
