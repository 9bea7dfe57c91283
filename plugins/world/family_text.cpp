// Text families: case conversion (easy), string reversal and counting (medium).
#include <algorithm>
#include <string>

#include "draw.hpp"
#include "families.hpp"
#include "vocabulary.hpp"

namespace paddock::world {
namespace {

// `count` distinct words, nouns with an occasional adjective.
std::vector<std::string> draw_words(std::mt19937_64& rng, std::size_t count) {
  std::vector<std::string> words;
  while (words.size() < count) {
    std::string word(bernoulli(rng, 0.3) ? pick(rng, adjectives()) : pick(rng, nouns()));
    if (std::find(words.begin(), words.end(), word) == words.end()) words.push_back(word);
  }
  return words;
}

std::vector<std::string> numbers_as_text(std::initializer_list<long> values) {
  std::vector<std::string> out;
  for (long v : values) {
    if (v >= 0) out.push_back(std::to_string(v));
  }
  return out;
}

}  // namespace

Task generate_case_conversion(FamilyDraw& draw) {
  struct Mode {
    std::span<const std::string_view> inline_templates;
    std::span<const std::string_view> input_templates;
    std::string_view rationale;
  };
  static constexpr std::string_view kUpper[] = {
      "Write '{p}' in capital letters.",
      "Convert the phrase \"{p}\" to upper case.",
      "Rewrite {p} using only uppercase letters.",
      "Make every letter of '{p}' a capital.",
      "Shout this phrase by writing it in all caps: {p}",
  };
  static constexpr std::string_view kUpperInput[] = {
      "Convert the text below to upper case.",
      "Rewrite the following phrase in capital letters.",
      "Turn every letter of the input into a capital.",
  };
  static constexpr std::string_view kLower[] = {
      "Write '{p}' in lower case.",
      "Convert \"{p}\" to lowercase letters.",
      "Rewrite '{p}' with no capital letters.",
      "Put the phrase {p} entirely in small letters.",
  };
  static constexpr std::string_view kLowerInput[] = {
      "Convert the text below to lower case.",
      "Rewrite the following phrase without any capital letters.",
  };
  static constexpr std::string_view kTitle[] = {
      "Capitalize the first letter of each word in '{p}'.",
      "Put '{p}' in title case.",
      "Rewrite \"{p}\" so that every word starts with a capital letter.",
      "Turn the phrase {p} into a title.",
  };
  static constexpr std::string_view kTitleInput[] = {
      "Convert the phrase below to title case.",
      "Capitalize the first letter of every word in the following text.",
  };
  static const Mode kModes[] = {
      {kUpper, kUpperInput, "Changing every letter to upper case gives {answer}."},
      {kLower, kLowerInput, "Writing every letter in lower case gives {answer}."},
      {kTitle, kTitleInput, "Starting each word with a capital letter gives {answer}."},
  };
  const std::size_t mode = uniform_below(draw.rng, 3);
  const std::string phrase = join(draw_words(draw.rng, uniform_int(draw.rng, 2, 4)), " ");
  std::string source = phrase;
  if (mode == 1) source = bernoulli(draw.rng, 0.5) ? to_upper(phrase) : to_title(phrase);
  const std::string upper = to_upper(phrase), lower = to_lower(phrase), title = to_title(phrase);
  Task task;
  task.family = "case_conversion";
  task.difficulty = 1;
  task.case_sensitive = true;
  phrase_task(draw, task, kModes[mode].inline_templates, kModes[mode].input_templates,
              {{"p", source}}, source);
  task.answer = mode == 0 ? upper : mode == 1 ? lower : title;
  task.keys = {task.answer};
  task.wrong_answers = {upper, lower, title, source};
  task.wrong_keys = task.wrong_answers;
  task.rationale = std::string(kModes[mode].rationale);
  return task;
}

Task generate_string_reversal(FamilyDraw& draw) {
  static constexpr std::string_view kLetters[] = {
      "Reverse the letters of the word '{w}'.",
      "Spell '{w}' backwards.",
      "Write the word {w} in reverse order.",
      "What is '{w}' spelled from the last letter to the first?",
      "Flip the word \"{w}\" so it reads backwards.",
      "Give the word {w} with its letters reversed.",
  };
  static constexpr std::string_view kLettersInput[] = {
      "Reverse the word given below.",
      "Spell the following word backwards.",
      "Write the input word with its letters in reverse order.",
  };
  static constexpr std::string_view kWords[] = {
      "Reverse the order of the words in '{w}'.",
      "Write the words of \"{w}\" from last to first.",
      "Put the words in '{w}' in reverse order.",
      "Say the phrase {w} backwards, word by word.",
  };
  static constexpr std::string_view kWordsInput[] = {
      "Reverse the order of the words below.",
      "List the words of the following phrase from last to first.",
  };
  Task task;
  task.family = "string_reversal";
  task.difficulty = 2;
  if (bernoulli(draw.rng, 0.5)) {
    const std::string word(pick(draw.rng, nouns()));
    std::string reversed(word.rbegin(), word.rend());
    std::string swapped = reversed;
    const std::size_t at = uniform_below(draw.rng, swapped.size() - 1);
    std::swap(swapped[at], swapped[at + 1]);
    std::string dropped = reversed;
    dropped.erase(uniform_below(draw.rng, dropped.size()), 1);
    phrase_task(draw, task, kLetters, kLettersInput, {{"w", word}}, word);
    task.answer = reversed;
    task.wrong_answers = {swapped, word, dropped};
    task.rationale = "Reading the letters from the end gives {answer}.";
  } else {
    std::vector<std::string> words = draw_words(draw.rng, uniform_int(draw.rng, 3, 5));
    const std::string phrase = join(words, " ");
    std::vector<std::string> reversed_words(words.rbegin(), words.rend());
    std::vector<std::string> slipped = reversed_words;
    std::swap(slipped[0], slipped[1]);
    std::vector<std::string> rotated(words.begin() + 1, words.end());
    rotated.push_back(words.front());
    phrase_task(draw, task, kWords, kWordsInput, {{"w", phrase}}, phrase);
    task.answer = join(reversed_words, " ");
    task.wrong_answers = {join(slipped, " "), phrase, join(rotated, " ")};
    task.rationale = "Taking the words from last to first gives {answer}.";
  }
  task.keys = {task.answer};
  task.wrong_keys = task.wrong_answers;
  return task;
}

Task generate_counting(FamilyDraw& draw) {
  static constexpr std::string_view kWordsInline[] = {
      "How many words are in the sentence '{s}'?",
      "Count the words in \"{s}\".",
      "Tell me the number of words in this sentence: {s}",
      "What is the word count of '{s}'?",
  };
  static constexpr std::string_view kWordsInput[] = {
      "Count the words in the text below.",
      "How many words does the following sentence have?",
  };
  static constexpr std::string_view kLettersInline[] = {
      "How many times does the letter '{l}' appear in '{w}'?",
      "Count the letter {l} in the word {w}.",
      "In the word '{w}', how often does '{l}' occur?",
      "How many '{l}' characters are there in \"{w}\"?",
  };
  static constexpr std::string_view kLettersInput[] = {
      "How many times does the letter '{l}' occur in the word below?",
      "Count the occurrences of '{l}' in the given word.",
  };
  static constexpr std::string_view kItemsInline[] = {
      "How many items are in this list: {s}?",
      "Count the items in the list {s}.",
      "How many things are named here: {s}?",
  };
  static constexpr std::string_view kItemsInput[] = {
      "How many items does the list below contain?",
      "Count the entries in the following list.",
  };
  static constexpr std::string_view kRationales[] = {
      "Counting them one by one gives {answer}.",
      "Going through them in order and counting each once gives {answer}.",
  };
  Task task;
  task.family = "counting";
  task.difficulty = 2;
  long count = 0;
  const std::size_t mode = uniform_below(draw.rng, 3);
  if (mode == 0) {
    const std::vector<std::string> words = draw_words(draw.rng, uniform_int(draw.rng, 4, 9));
    std::string sentence = join(words, " ");
    sentence[0] = static_cast<char>(sentence[0] - 'a' + 'A');
    count = static_cast<long>(words.size());
    phrase_task(draw, task, kWordsInline, kWordsInput, {{"s", sentence}}, sentence);
  } else if (mode == 1) {
    const std::string word(pick(draw.rng, nouns()));
    const char letter = bernoulli(draw.rng, 0.85)
                            ? word[uniform_below(draw.rng, word.size())]
                            : static_cast<char>('a' + uniform_below(draw.rng, 26));
    count = static_cast<long>(std::count(word.begin(), word.end(), letter));
    phrase_task(draw, task, kLettersInline, kLettersInput,
                {{"l", std::string(1, letter)}, {"w", word}}, word);
  } else {
    const std::vector<std::string> items = draw_words(draw.rng, uniform_int(draw.rng, 3, 9));
    count = static_cast<long>(items.size());
    phrase_task(draw, task, kItemsInline, kItemsInput, {{"s", join(items, ", ")}},
                join(items, ", "));
  }
  task.answer = std::to_string(count);
  task.keys = {task.answer};
  task.wrong_answers = numbers_as_text({count + 1, count - 1, count + 2});
  task.wrong_keys = task.wrong_answers;
  task.rationale = std::string(pick(draw.rng, std::span(kRationales)));
  return task;
}

}  // namespace paddock::world
