// Arithmetic families: addition (easy), multi-step arithmetic and sequences (hard).
#include <string>

#include "draw.hpp"
#include "families.hpp"

namespace paddock::world {
namespace {

std::vector<std::string> numbers_as_text(std::initializer_list<long> values) {
  std::vector<std::string> out;
  for (long v : values) out.push_back(std::to_string(v));
  return out;
}

}  // namespace

Task generate_addition(FamilyDraw& draw) {
  static constexpr std::string_view kInline[] = {
      "What is {a} plus {b}?",
      "Add {a} and {b}.",
      "Compute the sum of {a} and {b}.",
      "Calculate {a} + {b}.",
      "What do {a} and {b} add up to?",
      "Find the total of {a} and {b}.",
      "If you have {a} marbles and are given {b} more, how many marbles do you have?",
      "Work out {a} + {b} and give the result.",
      "Tell me the sum when {b} is added to {a}.",
  };
  static constexpr std::string_view kWithInput[] = {
      "Add the two numbers below.",
      "Give the sum of these numbers.",
      "What do the following numbers add up to?",
      "Compute the total of the numbers in the input.",
      "Return the sum of the two values provided.",
  };
  static constexpr std::string_view kRationales[] = {
      "{a} + {b} equals {answer}.",
      "Adding {b} to {a} gives {answer}.",
      "Since {a} and {b} together make {answer}, that is the sum.",
  };
  const long a = uniform_int(draw.rng, 2, 99);
  const long b = uniform_int(draw.rng, 2, 99);
  const long sum = a + b;
  Task task;
  task.family = "addition";
  task.difficulty = 1;
  const Substitutions values = {{"a", std::to_string(a)}, {"b", std::to_string(b)}};
  const std::string input =
      bernoulli(draw.rng, 0.5) ? fill("{a}, {b}", values) : fill("{a} and {b}", values);
  phrase_task(draw, task, kInline, kWithInput, values, input);
  task.answer = std::to_string(sum);
  task.keys = {task.answer};
  task.wrong_answers = numbers_as_text({sum + 1, sum - 1, sum + 10, sum - 10});
  task.wrong_keys = task.wrong_answers;
  task.rationale = fill(pick(draw.rng, std::span(kRationales)), values);
  return task;
}

Task generate_multi_step_arithmetic(FamilyDraw& draw) {
  struct Form {
    std::span<const std::string_view> inline_templates;
    std::string_view expression;
    std::string_view rationale;
  };
  static constexpr std::string_view kTimesPlus[] = {
      "What is {a} times {b}, plus {c}?",
      "Multiply {a} by {b}, then add {c}.",
      "Evaluate {a} * {b} + {c}.",
      "A crate holds {b} rows of {a} jars, and {c} more jars stand beside it. How many jars are "
      "there in all?",
      "Take the product of {a} and {b} and add {c} to it.",
  };
  static constexpr std::string_view kTimesMinus[] = {
      "What is {a} times {b}, minus {c}?",
      "Multiply {a} by {b}, then subtract {c}.",
      "Evaluate {a} * {b} - {c}.",
      "A shop has {b} boxes of {a} pens and sells {c} pens. How many pens are left?",
      "Take the product of {a} and {b} and remove {c} from it.",
  };
  static constexpr std::string_view kSumTimes[] = {
      "Add {a} and {b}, then multiply the result by {c}.",
      "Evaluate ({a} + {b}) * {c}.",
      "What is the sum of {a} and {b}, times {c}?",
      "Each of {c} teams has {a} players and {b} coaches. How many people is that in total?",
  };
  static constexpr std::string_view kWithInput[] = {
      "Evaluate the expression below.",
      "Work out the value of this expression.",
      "Compute the following.",
      "What does the expression in the input equal?",
      "Give the result of the calculation below.",
  };
  static const Form kForms[] = {
      {kTimesPlus, "{a} * {b} + {c}", "{a} times {b} is {p}, and {p} plus {c} gives {answer}."},
      {kTimesMinus, "{a} * {b} - {c}", "{a} times {b} is {p}, and {p} minus {c} gives {answer}."},
      {kSumTimes, "({a} + {b}) * {c}", "{a} plus {b} is {p}, and {p} times {c} gives {answer}."},
  };
  const std::size_t form_index = uniform_below(draw.rng, 3);
  const Form& form = kForms[form_index];
  const long a = uniform_int(draw.rng, 2, 12);
  const long b = uniform_int(draw.rng, 2, 12);
  long c = uniform_int(draw.rng, 2, 30);
  long partial = 0, result = 0, slip = 0;
  if (form_index == 0) {
    partial = a * b;
    result = partial + c;
    slip = a * (b + c);
  } else if (form_index == 1) {
    partial = a * b;
    if (c >= partial) c = partial / 2 + 1;
    result = partial - c;
    slip = a * (b - c);
  } else {
    c = uniform_int(draw.rng, 2, 9);
    partial = a + b;
    result = partial * c;
    slip = a + b * c;
  }
  const Substitutions values = {{"a", std::to_string(a)},
                                {"b", std::to_string(b)},
                                {"c", std::to_string(c)},
                                {"p", std::to_string(partial)}};
  Task task;
  task.family = "multi_step_arithmetic";
  task.difficulty = 3;
  phrase_task(draw, task, form.inline_templates, kWithInput, values, fill(form.expression, values));
  task.answer = std::to_string(result);
  task.keys = {task.answer};
  task.wrong_answers = numbers_as_text({partial, result + 1, result - 1, slip, result + 10});
  task.wrong_keys = task.wrong_answers;
  task.rationale = fill(form.rationale, values);
  return task;
}

Task generate_sequence(FamilyDraw& draw) {
  static constexpr std::string_view kInline[] = {
      "What number comes next in the sequence {seq}?",
      "Continue the pattern: {seq}, ...",
      "Give the next term of {seq}.",
      "Find the number that follows in {seq}.",
      "Here is a sequence: {seq}. What is the next number?",
      "Which number should come after {seq}?",
      "Extend the sequence {seq} by one more term.",
  };
  static constexpr std::string_view kWithInput[] = {
      "What is the next number in the sequence below?",
      "Continue this sequence by one term.",
      "Give the term that follows the numbers in the input.",
      "Find the next value in the following pattern.",
  };
  const bool rising = bernoulli(draw.rng, 0.7);
  const long step = uniform_int(draw.rng, 2, 12);
  const int length = uniform_int(draw.rng, 4, 6);
  long start = uniform_int(draw.rng, 1, 60);
  if (!rising) start += step * (length + 1);
  std::vector<std::string> terms;
  long term = start;
  for (int i = 0; i < length; ++i) {
    terms.push_back(std::to_string(term));
    term += rising ? step : -step;
  }
  const long next = term;
  const long previous = rising ? next - step : next + step;
  const std::string sequence = join(terms, ", ");
  const Substitutions values = {{"seq", sequence}, {"d", std::to_string(step)}};
  Task task;
  task.family = "sequence";
  task.difficulty = 3;
  phrase_task(draw, task, kInline, kWithInput, values, sequence);
  task.answer = std::to_string(next);
  task.keys = {task.answer};
  task.wrong_answers =
      numbers_as_text({next + 1, next - 1, rising ? previous + step + 1 : previous - step - 1,
                       rising ? next + step : next - step});
  task.wrong_keys = task.wrong_answers;
  task.rationale = rising ? "The terms go up by {d} each time, so the next one is {answer}."
                          : "The terms go down by {d} each time, so the next one is {answer}.";
  task.rationale = fill(task.rationale, values);
  return task;
}

}  // namespace paddock::world
