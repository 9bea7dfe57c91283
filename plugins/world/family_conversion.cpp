// Conversion families: metric and time units, and date formats (both medium).
#include <string>

#include "draw.hpp"
#include "families.hpp"

namespace paddock::world {

Task generate_unit_conversion(FamilyDraw& draw) {
  struct Conversion {
    std::string_view from;
    std::string_view from_singular;
    std::string_view to;
    long factor;
  };
  static constexpr Conversion kConversions[] = {
      {"kilometers", "kilometer", "meters", 1000},
      {"meters", "meter", "centimeters", 100},
      {"hours", "hour", "minutes", 60},
      {"minutes", "minute", "seconds", 60},
      {"kilograms", "kilogram", "grams", 1000},
      {"days", "day", "hours", 24},
      {"weeks", "week", "days", 7},
      {"liters", "liter", "milliliters", 1000},
      {"centimeters", "centimeter", "millimeters", 10},
  };
  static constexpr std::string_view kInline[] = {
      "Convert {v} {from} to {to}.",
      "How many {to} are there in {v} {from}?",
      "Express {v} {from} in {to}.",
      "What is {v} {from} in {to}?",
      "Change {v} {from} into {to}.",
      "Tell me how many {to} make up {v} {from}.",
      "A recipe calls for {v} {from}. How much is that in {to}?",
  };
  static constexpr std::string_view kWithInput[] = {
      "Convert the quantity below to {to}.",
      "Express the following amount in {to}.",
      "How many {to} is the given quantity?",
      "Rewrite this measurement in {to}.",
  };
  const Conversion& conversion = pick(draw.rng, std::span(kConversions));
  const long value = uniform_int(draw.rng, 2, 60);
  const long result = value * conversion.factor;
  const Substitutions values = {{"v", std::to_string(value)},
                                {"from", std::string(conversion.from)},
                                {"one", std::string(conversion.from_singular)},
                                {"to", std::string(conversion.to)},
                                {"f", std::to_string(conversion.factor)}};
  Task task;
  task.family = "unit_conversion";
  task.difficulty = 2;
  phrase_task(draw, task, kInline, kWithInput, values, fill("{v} {from}", values));
  const std::string unit(conversion.to);
  task.answer = std::to_string(result) + " " + unit;
  task.keys = {std::to_string(result)};
  for (long wrong : {result * 10, value + conversion.factor, result + conversion.factor,
                     result - conversion.factor}) {
    task.wrong_answers.push_back(std::to_string(wrong) + " " + unit);
    task.wrong_keys.push_back(std::to_string(wrong));
  }
  if (result % 10 == 0) {
    task.wrong_answers.push_back(std::to_string(result / 10) + " " + unit);
    task.wrong_keys.push_back(std::to_string(result / 10));
  }
  task.rationale = fill("One {one} is {f} {to}, so {v} {from} is {answer}.", values);
  return task;
}

Task generate_date_format(FamilyDraw& draw) {
  static constexpr std::string_view kMonths[] = {"January",   "February", "March",    "April",
                                                 "May",       "June",     "July",     "August",
                                                 "September", "October",  "November", "December"};
  struct Format {
    std::string_view code;   // how the instruction names it
    std::string_view style;  // {d}, {m} (two digits), {day}, {month}, {y}
  };
  static constexpr Format kFormats[] = {
      {"DD/MM/YYYY", "{dd}/{mm}/{y}"},
      {"MM/DD/YYYY", "{mm}/{dd}/{y}"},
      {"Month D, YYYY", "{month} {day}, {y}"},
      {"D Month YYYY", "{day} {month} {y}"},
  };
  static constexpr std::string_view kInline[] = {
      "Rewrite the date {iso} in the format {fmt}.",
      "Convert {iso} to the {fmt} format.",
      "Express the date {iso} as {fmt}.",
      "Write the date {iso} using the pattern {fmt}.",
      "Change {iso} into a date of the form {fmt}.",
  };
  static constexpr std::string_view kWithInput[] = {
      "Rewrite the date below in the format {fmt}.",
      "Convert the following ISO date to {fmt}.",
      "Format the given date as {fmt}.",
      "Change the date in the input to the form {fmt}.",
  };
  const int year = uniform_int(draw.rng, 1950, 2030);
  const int month = uniform_int(draw.rng, 1, 12);
  const int day = uniform_int(draw.rng, 1, 28);
  const std::size_t format_index = uniform_below(draw.rng, std::size(kFormats));
  auto two_digits = [](int v) { return (v < 10 ? "0" : "") + std::to_string(v); };
  auto render = [&](std::size_t format, int y, int m, int d) {
    return fill(kFormats[format].style, {{"dd", two_digits(d)},
                                         {"mm", two_digits(m)},
                                         {"day", std::to_string(d)},
                                         {"month", std::string(kMonths[m - 1])},
                                         {"y", std::to_string(y)}});
  };
  const std::string iso = std::to_string(year) + "-" + two_digits(month) + "-" + two_digits(day);
  const Substitutions values = {{"iso", iso},
                                {"fmt", std::string(kFormats[format_index].code)},
                                {"day", std::to_string(day)},
                                {"month", std::string(kMonths[month - 1])},
                                {"y", std::to_string(year)}};
  Task task;
  task.family = "date_format";
  task.difficulty = 2;
  phrase_task(draw, task, kInline, kWithInput, values, iso);
  task.answer = render(format_index, year, month, day);
  task.keys = {task.answer};
  if (day <= 12 && day != month) {
    task.wrong_answers.push_back(render(format_index, year, day, month));
  }
  task.wrong_answers.push_back(render(format_index, year, month % 12 + 1, day));
  task.wrong_answers.push_back(render(format_index, year + 1, month, day));
  task.wrong_answers.push_back(render(format_index ^ 1, year, month, day));
  task.wrong_keys = task.wrong_answers;
  task.rationale = fill("Since {iso} is day {day} of {month} {y}, it becomes {answer}.", values);
  return task;
}

}  // namespace paddock::world
