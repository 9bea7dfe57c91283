// The Jinja engine on its own: whitespace control, expressions, statements, filters and
// tests, with expected texts worked out by hand (and confirmed against jinja2 3.1 under
// Hugging Face's settings); and errors, which must say where (line:column) and what.
#include <gtest/gtest.h>

#include "jinja_lexer.hpp"
#include "jinja_template.hpp"

namespace paddock::serve::jinja {
namespace {

using nlohmann::ordered_json;

// xs = [1, 2, 3, 4], d = {a: 1, b: 2}, users = [{name: a, admin: true}, ...].
Variables sample_variables() {
  const ordered_json context = ordered_json::parse(R"({
    "xs": [1, 2, 3, 4], "d": {"a": 1, "b": 2},
    "users": [{"name": "a", "admin": true}, {"name": "b", "admin": false},
              {"name": "c", "admin": true}]})");
  Variables variables;
  for (const auto& [name, value] : context.items())
    variables.emplace_back(name, Value::from_json(value));
  return variables;
}

std::string render(const std::string& source, const RenderLimits& limits = {}) {
  return Template(source).render(sample_variables(), limits);
}

JinjaError error_of(const std::string& source, const RenderLimits& limits = {}) {
  try {
    render(source, limits);
  } catch (const JinjaError& error) {
    return error;
  }
  ADD_FAILURE() << "no error from " << source;
  return JinjaError(JinjaError::Kind::render, "");
}

TEST(JinjaLexerTest, TagsNamesLiteralsAndOperators) {
  const std::vector<Token> tokens = tokenize("a {{ x.y + 1.5 }}{% if 'q' %}");
  std::vector<TokenKind> kinds;
  for (const Token& token : tokens) kinds.push_back(token.kind);
  EXPECT_EQ(kinds, (std::vector<TokenKind>{
                       TokenKind::text, TokenKind::variable_begin, TokenKind::name,
                       TokenKind::operator_, TokenKind::name, TokenKind::operator_,
                       TokenKind::floating, TokenKind::variable_end, TokenKind::block_begin,
                       TokenKind::name, TokenKind::string, TokenKind::block_end, TokenKind::end}));
  EXPECT_EQ(tokens[0].text, "a ");
  EXPECT_EQ(tokens[6].floating, 1.5);
  EXPECT_EQ(tokens[10].text, "q");
  EXPECT_EQ(tokens[4].position.line, 1);
  EXPECT_EQ(tokens[4].position.column, 8);
}

TEST(JinjaRenderTest, WhitespaceControlFollowsTrimAndLstripBlocks) {
  EXPECT_EQ(render("{% if true %}\nyes\n{% endif %}\nafter"), "yes\nafter");
  EXPECT_EQ(render("  {% if true %}x{% endif %}"), "x");
  EXPECT_EQ(render("a  {% if true %}x{% endif %}"), "a  x");  // not alone on its line
  EXPECT_EQ(render("a  {{- 'b' -}}  c"), "abc");
  EXPECT_EQ(render("  {%+ if true %}x{% endif %}"), "  x");
  EXPECT_EQ(render("  {{ 'x' }}"), "  x");  // output tags are never lstripped
  EXPECT_EQ(render("a {# note #}\nb"), "a b");
  EXPECT_EQ(render("x\n"), "x");  // one trailing newline is dropped
  EXPECT_EQ(render("line\n    {% for i in [1, 2] %}\n    {{ i }}\n    {% endfor %}\nend"),
            "line\n    1\n    2\nend");
  EXPECT_EQ(render("{% raw %}{{ not rendered }}{% endraw %}"), "{{ not rendered }}");
  EXPECT_EQ(render("a\r\nb"), "a\nb");
}

TEST(JinjaRenderTest, ArithmeticHasJinjasPrecedence) {
  EXPECT_EQ(render("{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 2 ** 3 ** 2 }} {{ -2 ** 2 }} "
                   "{{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 1 ~ 2 }} "
                   "{{ 10 - 2 - 3 }}"),
            "7 9 64 4 3 -4 2 3.5 12 5");
  EXPECT_EQ(render("{{ [1, 2] + [3] }} {{ 'ab' * 3 }} {{ 0.1 + 0.2 }} {{ 1/3 }} {{ 1e16 }} "
                   "{{ 1e15 }} {{ 0.00001 }}"),
            "[1, 2, 3] ababab 0.30000000000000004 0.3333333333333333 1e+16 "
            "1000000000000000.0 1e-05");
  EXPECT_EQ(render("{{ 'yes' if xs else 'no' }} {{ 'yes' if [] else 'no' }} {{ 'only' if false "
                   "}}| {{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 1 == 1.0 }} {{ none or 'x' }} "
                   "{{ 0 and 'y' }} {{ not xs }}"),
            "yes no | True False True x 0 False");
}

TEST(JinjaRenderTest, UndefinedIsEmptyFalseAndIterableButStrictWhenUsed) {
  EXPECT_EQ(render("{{ missing }}|{{ missing is defined }}|{% for x in missing %}x{% else "
                   "%}empty{% endfor %}|{{ missing | default('d') }}|{{ d.nokey is defined "
                   "}}|{{ d['nokey'] }}|{{ xs[10] is undefined }}"),
            "|False|empty|d|False||True");
  const JinjaError attribute = error_of("ok\n  {{ missing.attribute }}");
  EXPECT_EQ(attribute.kind(), JinjaError::Kind::render);
  EXPECT_EQ(attribute.message(), "'missing' is undefined");
  EXPECT_EQ(attribute.position().line, 2);
  EXPECT_EQ(render("{{ missing ~ 'x' }}"), "x");
  EXPECT_NE(std::string(error_of("{{ missing + 1 }}").what()).find("'missing' is undefined"),
            std::string::npos);
}

TEST(JinjaRenderTest, LoopsKnowTheirPlaceAndStopWhenAsked) {
  EXPECT_EQ(render("{% for x in xs if x != 2 %}{{ loop.index }}{{ loop.index0 }}{{ loop.first "
                   "}}{{ loop.last }}{{ loop.length }}{{ loop.revindex }};{% endfor %}"),
            "10TrueFalse33;21FalseFalse32;32FalseTrue31;");
  EXPECT_EQ(render("{% for x in xs %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 4 %}{% "
                   "break %}{% endif %}{{ x }}{% endfor %}"),
            "13");
  EXPECT_EQ(render("{% for k, v in d.items() %}{{ k }}={{ v }} {% endfor %}"), "a=1 b=2 ");
  EXPECT_EQ(render("{% for x in xs %}{{ loop.previtem ~ '>' ~ x ~ '>' ~ loop.nextitem }} {% "
                   "endfor %}"),
            ">1>2 1>2>3 2>3>4 3>4> ");
  EXPECT_EQ(render("{% for c in 'hé' %}[{{ c }}]{% endfor %}"), "[h][é]");
}

TEST(JinjaRenderTest, ScopesNamespacesAndMacros) {
  EXPECT_EQ(render("{% set ns = namespace(n=0) %}{% for x in xs %}{% set ns.n = ns.n + x %}{% "
                   "set local = x %}{% endfor %}{{ ns.n }} {{ local is defined }}"),
            "10 False");
  // A loop body is a new scope on every iteration; if opens none.
  EXPECT_EQ(render("{% set x = 0 %}{% for i in range(3) %}{% set x = x + i %}{{ x }}{% endfor "
                   "%}{{ x }}"),
            "0120");
  EXPECT_EQ(render("{% if true %}{% set y = 'kept' %}{% endif %}{{ y }}"), "kept");
  EXPECT_EQ(render("{% macro greet(name, greeting='Hello', punctuation='!') %}{{ greeting }}, "
                   "{{ name }}{{ punctuation }}{% endmacro %}{{ greet('Ann') }} {{ greet('Bo', "
                   "punctuation='?') }} {{ greet('Cy', 'Hi') }}"),
            "Hello, Ann! Hello, Bo? Hi, Cy!");
  EXPECT_EQ(render("{% set a, b = [1, 2] %}{{ a }}{{ b }} {% set t = 1, 2 %}{{ t | length }} {% "
                   "set block %}inner {{ a }}{% endset %}[{{ block }}] {% with z = 5 %}{{ z }}{% "
                   "endwith %}{{ z is defined }} {% filter upper %}shout {{ b }}{% endfilter %}"),
            "12 2 [inner 1] 5False SHOUT 2");
}

TEST(JinjaRenderTest, SlicesCountCodePointsAndStepBackwards) {
  EXPECT_EQ(render("{{ xs[1:] }} {{ xs[:-1] }} {{ xs[::-1] }} {{ xs[::2] }} {{ xs[-2:] }} {{ "
                   "'hello'[1:3] }} {{ 'héllo'[::-1] }} {{ xs[5:] }}"),
            "[2, 3, 4] [1, 2, 3] [4, 3, 2, 1] [1, 3] [3, 4] el olléh []");
}

TEST(JinjaRenderTest, FiltersBehaveAsJinjas) {
  EXPECT_EQ(render("{{ '  a b  ' | trim }}|{{ 'xxhixx' | trim('x') }}|{{ 'Hello World' | lower "
                   "}}|{{ 'hello' | upper }}|{{ 'hello world' | capitalize }}|{{ 'hello "
                   "big-world' | title }}|{{ 'a-b-c' | replace('-', '+', 1) }}|{{ xs | join(',') "
                   "}}|{{ xs | first }}|{{ xs | last }}|{{ xs | length }}|{{ 'héllo' | count }}"),
            "a b|hi|hello world|HELLO|Hello world|Hello Big-World|a+b-c|1,2,3,4|1|4|4|5");
  EXPECT_EQ(render("{{ [3, 1, 2] | sort }} {{ ['b', 'A', 'c'] | sort }} {{ [3, 1, 2] | "
                   "sort(reverse=true) }} {{ [1, 2, 1, 3] | unique | list }} {{ xs | reverse | "
                   "list }} {{ [-1.5] | map('abs') | list }} {{ 2.5 | round }} {{ 3.14159 | "
                   "round(3) }} {{ '42' | int }} {{ 'x' | int(7) }} {{ '2.5' | float }} {{ 5 | "
                   "string }}"),
            "[1, 2, 3] ['A', 'b', 'c'] [3, 2, 1] [1, 2, 3] [4, 3, 2, 1] [1.5] 2.0 3.142 42 7 "
            "2.5 5");
  EXPECT_EQ(render("{{ users | selectattr('admin') | map(attribute='name') | join(' ') }}|{{ "
                   "users | rejectattr('admin') | map(attribute='name') | list }}|{{ users | "
                   "selectattr('name', 'equalto', 'b') | list | length }}|{{ users | "
                   "map(attribute='missing', default='?') | list }}"),
            "a c|['b']|1|['?', '?', '?']");
  EXPECT_EQ(render("{{ 'one\\ntwo\\n\\nthree' | indent(2) }}|{{ 'one\\ntwo' | indent(2, true) "
                   "}}|{{ 'a\\n\\nb' | indent(width='> ', blank=true) }}"),
            "one\n  two\n\n  three|  one\n  two|a\n> \n> b");
}

TEST(JinjaRenderTest, TojsonIsJsonDumpsWithoutHtmlEscaping) {
  EXPECT_EQ(render("{{ {'a': '</script>', 'b': [1, 2.0, none, true, 1e20]} | tojson }}"),
            R"({"a": "</script>", "b": [1, 2.0, null, true, 1e+20]})");
  EXPECT_EQ(render("{{ 'é\\n\"' | tojson }}"), R"("é\n\"")");
  EXPECT_EQ(render("{{ {'k': [1, {}], 'e': []} | tojson(indent=2) }}"),
            "{\n  \"k\": [\n    1,\n    {}\n  ],\n  \"e\": []\n}");
  EXPECT_EQ(render("{{ {'b': 1, 'a': 2} | tojson(sort_keys=true, separators=(',', ':')) }}"),
            R"({"a":2,"b":1})");
}

TEST(JinjaRenderTest, StringsMethodsAndTests) {
  EXPECT_EQ(render(R"({{ 'it\'s' }} {{ "tab\there" }} {{ 'a\\b' }} {{ '\u00e9\x41' }} )"
                   R"({{ 'adjacent' 'strings' }})"),
            "it's tab\there a\\b éA adjacentstrings");
  EXPECT_EQ(render("{{ '  x  '.strip() }}|{{ '--x--'.lstrip('-') }}|{{ 'a b  c'.split() }}|{{ "
                   "'a,b,,c'.split(',') }}|{{ 'a,b,c'.split(',', 1) }}|{{ 'abc'.startswith('ab') "
                   "}}|{{ 'abc'.endswith(('x', 'c')) }}|{{ 'hello world'.title() }}|{{ "
                   "'aaa'.replace('a', 'b', 2) }}|{{ 'abc'.upper() }}|{{ d.get('a') }}|{{ "
                   "d.get('zz', 'no') }}|{{ d.keys() | list }}|{{ d.values() | list }}"),
            "x|x--|['a', 'b', 'c']|['a', 'b', '', 'c']|['a', 'b,c']|True|True|Hello "
            "World|bba|ABC|1|no|['a', 'b']|[1, 2]");
  EXPECT_EQ(render("{{ 1 is odd }} {{ 2 is even }} {{ 9 is divisibleby 3 }} {{ 9 is "
                   "divisibleby(4) }} {{ none is none }} {{ 'a' is string }} {{ 1 is number }} {{ "
                   "1.0 is integer }} {{ true is boolean }} {{ d is mapping }} {{ xs is sequence "
                   "}} {{ xs is iterable }} {{ true is true }} {{ 0 is false }} {{ 1 is not "
                   "string }} {{ 'a' in 'cat' }} {{ 2 in xs }} {{ 'a' in d }} {{ 5 not in xs }}"),
            "True True True False True True True False True True True True True False True True "
            "True True True");
  EXPECT_EQ(render("{{ [1, 'a', none, true, 1.5, {'k': 'v'}] }} {{ {'q': \"it's\"} }}"),
            "[1, 'a', None, True, 1.5, {'k': 'v'}] {'q': \"it's\"}");
}

TEST(JinjaErrorTest, SyntaxErrorsSayWhereAndWhat) {
  const auto syntax_error = [](const std::string& source) {
    try {
      Template parsed(source);
    } catch (const JinjaError& error) {
      EXPECT_EQ(error.kind(), JinjaError::Kind::syntax) << error.what();
      return std::string(error.what());
    }
    ADD_FAILURE() << "parsed: " << source;
    return std::string();
  };
  EXPECT_EQ(syntax_error("ok\n  {{ name "),
            "2:3: the '{{' tag is not closed: expected '}}' before the end of the template");
  EXPECT_EQ(syntax_error("{% if x %}\n{{ 'open }}"),
            "2:4: the string is not closed: a ' is missing");
  EXPECT_EQ(syntax_error("a {# never closed"), "1:3: the comment is not closed: '#}' is missing");
  EXPECT_EQ(syntax_error("{% frobnicate %}"), "1:4: unknown tag 'frobnicate'");
  EXPECT_EQ(syntax_error("{% for m in messages %}\n  {% endif %}"),
            "2:6: unexpected '{% endif %}': expected 'else' or 'endfor' (the innermost open "
            "block is the 'for' at 1:1)");
  EXPECT_EQ(syntax_error("{% if a %}{% for m in ms %}{% endif %}"),
            "1:31: unexpected '{% endif %}': expected 'else' or 'endfor' (the innermost open "
            "block is the 'for' at 1:11)");
  EXPECT_EQ(syntax_error("{% if a %}text"),
            "1:15: unexpected end of template: expected 'elif', 'else' or 'endif' (the innermost "
            "open block is the 'if' at 1:1)");
  EXPECT_EQ(syntax_error("{% endfor %}"), "1:4: unexpected '{% endfor %}': no open block takes it");
  EXPECT_EQ(syntax_error("{{ x | shout }}"), "1:8: no filter named 'shout'");
  EXPECT_EQ(syntax_error("{{ x is loud }}"), "1:9: no test named 'loud'");
  EXPECT_EQ(syntax_error("{{ x $ y }}"), "1:6: unexpected character '$' inside a tag");
  EXPECT_EQ(syntax_error("{{ (1 + 2 }}"), "1:11: unexpected '}', expected ')'");
  EXPECT_EQ(syntax_error("{{ 1 + }}"), "1:8: expected an expression, found '}}'");
  EXPECT_EQ(syntax_error("{% break %}"), "1:1: '{% break %}' outside a for loop");
  // Found by fuzz_jinja_template: a literal beyond 64 bits threw std::out_of_range.
  EXPECT_EQ(syntax_error("{{ 10000000000000000000 }}"),
            "1:4: the integer 10000000000000000000 is too large (integers here are 64-bit)");
  EXPECT_EQ(render("{{ 9223372036854775807 }} {{ 0000000000000000000000042 }}"),
            "9223372036854775807 42");
  EXPECT_EQ(render("{{ 1e999 > 1 }} {{ 1e-999 == 0 }}"), "True True");
  EXPECT_EQ(syntax_error("{% include 'other.jinja' %}"),
            "1:4: the '{% include %}' tag is not supported (Paddock's Jinja engine renders "
            "self-contained chat templates)");
}

std::string repeated(const std::string& text, int times) {
  std::string result;
  for (int i = 0; i < times; ++i) result += text;
  return result;
}

TEST(JinjaErrorTest, NestingBeyondTheLimitIsASyntaxErrorNotACrash) {
  // Each of these crashed the process (stack overflow) or took seconds before the limit.
  const std::vector<std::string> too_deep = {
      "{{ " + repeated("(", 10000) + "1" + repeated(")", 10000) + " }}",
      "{{ " + repeated("[", 10000) + repeated("]", 10000) + " }}",
      "{{ " + repeated("{'a': ", 10000) + "1" + repeated("}", 10000) + " }}",
      "{{ " + repeated("not ", 10000) + "x }}",
      "{{ " + repeated("-", 10000) + "1 }}",
      "{{ 'a'" + repeated(" ~ 'a'", 32000) + " }}",
      "{{ 1" + repeated(" + 1", 32000) + " }}",
      "{{ 'a'" + repeated(" | trim", 32000) + " }}",
      "{{ xs" + repeated(".a", 32000) + " }}",
      "{{ xs" + repeated("[0]", 32000) + " }}",
      "{{ f" + repeated("()", 32000) + " }}",
      "{{ x" + repeated(" is defined", 32000) + " }}",
      "{{ 1" + repeated(" if 1", 32000) + " }}",
      repeated("{% if x %}", 10000) + repeated("{% endif %}", 10000),
      repeated("{% for x in xs %}", 10000) + repeated("{% endfor %}", 10000),
  };
  for (const std::string& source : too_deep) {
    try {
      Template parsed(source);
      ADD_FAILURE() << "parsed: " << source.substr(0, 60);
    } catch (const JinjaError& error) {
      EXPECT_EQ(error.kind(), JinjaError::Kind::syntax);
      EXPECT_TRUE(error.has_position()) << error.what();
      EXPECT_NE(std::string(error.what()).find("nests deeper than 256 levels"), std::string::npos)
          << error.what();
    }
  }
  // Within the limit, deep templates render as jinja2 renders them.
  EXPECT_EQ(render("{{ " + repeated("(", 200) + "1" + repeated(")", 200) + " }}"), "1");
  EXPECT_EQ(render("{{ 'a'" + repeated(" ~ 'a'", 200) + " }}"), std::string(201, 'a'));
  EXPECT_EQ(render("{{ " + repeated("not ", 200) + "false }}"), "False");
  EXPECT_EQ(render(repeated("{% if xs %}", 100) + "in" + repeated("{% endif %}", 100)), "in");
}

TEST(JinjaErrorTest, RenderErrorsAndLimitsNeverCrash) {
  const JinjaError raised =
      error_of("{% if xs %}\n{{ raise_exception('no ' ~ 'way') }}{% endif %}");
  EXPECT_EQ(raised.kind(), JinjaError::Kind::raised);
  EXPECT_EQ(raised.message(), "no way");
  EXPECT_EQ(std::string(error_of("{{ 'a' + 1 }}").what()),
            "1:8: can only concatenate str (not \"int\") to str");
  EXPECT_EQ(std::string(error_of("{{ 1 + 'a' }}").what()),
            "1:6: unsupported operand type(s) for +: 'int' and 'str'");
  EXPECT_EQ(std::string(error_of("{{ nothing() }}").what()), "1:11: 'nothing' is undefined");
  EXPECT_EQ(std::string(error_of("{{ 1 // 0 }}").what()),
            "1:6: integer division or modulo by zero");
  EXPECT_EQ(std::string(error_of("{{ xs | tojson(indent='x', bogus=1) }}").what()),
            "1:9: tojson() got an unexpected keyword argument 'bogus'");
  EXPECT_EQ(std::string(error_of("{{ 3 < 'a' }}").what()),
            "1:6: '<' not supported between instances of 'int' and 'str'");
  EXPECT_EQ(std::string(error_of("{% set x = 1 %}{% set x.a = 2 %}").what()),
            "1:16: cannot assign attribute on non-namespace object ('x' is a int)");
  EXPECT_EQ(std::string(error_of("{{ range(1000000) }}").what()),
            "1:9: range too big: the sandbox allows at most 100000 items");

  RenderLimits limits;
  limits.max_steps = 1000;
  EXPECT_NE(std::string(error_of("{% for i in range(100) %}{% for j in range(100) %}{% endfor %}"
                                 "{% endfor %}",
                                 limits)
                            .what())
                .find("ran more than 1000 steps"),
            std::string::npos);
  limits = {};
  limits.max_output_bytes = 100;
  EXPECT_NE(std::string(error_of("{% for i in range(50) %}abcdef{% endfor %}", limits).what())
                .find("the output would be longer than 100 bytes"),
            std::string::npos);
  EXPECT_NE(std::string(error_of("{% set ns = namespace(s='ab') %}{% for i in range(20) %}{% set "
                                 "ns.s = ns.s ~ ns.s %}{% endfor %}",
                                 limits)
                            .what())
                .find("a string grew longer than 100 bytes"),
            std::string::npos);
  EXPECT_NE(std::string(error_of("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}").what())
                .find("macro calls nest deeper than 64"),
            std::string::npos);
}

}  // namespace
}  // namespace paddock::serve::jinja
