// The scripted systems' writing; see responder.hpp.
#include "responder.hpp"

#include "draw.hpp"
#include "paddock/seed.hpp"
#include "text_util.hpp"
#include "vocabulary.hpp"

namespace paddock::world {
namespace {

// Accuracy by difficulty, style weights (terse, helpful, rambling, list, detailed),
// truncation, follow. Version 1's writers never write detailed answers.
constexpr SystemProfile kVersion1Profiles[] = {
    {"teacher", {0.88, 0.74, 0.56}, {0.30, 0.30, 0.25, 0.15, 0.0}, 0.06, 1.0},
    {"reference", {0.88, 0.76, 0.58}, {0.25, 0.40, 0.20, 0.15, 0.0}, 0.04, 1.0},
    {"strong", {0.99, 0.97, 0.94}, {0.00, 0.85, 0.00, 0.15, 0.0}, 0.00, 1.0},
    {"medium", {0.78, 0.58, 0.36}, {0.30, 0.30, 0.25, 0.15, 0.0}, 0.08, 1.0},
    {"weak", {0.55, 0.30, 0.12}, {0.45, 0.10, 0.35, 0.10, 0.0}, 0.20, 0.95},
    {"base", {0.50, 0.30, 0.15}, {0.70, 0.00, 0.30, 0.00, 0.0}, 0.50, 0.15},
};
constexpr SystemProfile kVersion2Profiles[] = {
    {"teacher", {0.88, 0.74, 0.56}, {0.25, 0.25, 0.10, 0.15, 0.25}, 0.05, 1.0},
    {"reference", {0.88, 0.76, 0.58}, {0.20, 0.30, 0.10, 0.15, 0.25}, 0.04, 1.0},
    {"strong", {0.99, 0.97, 0.94}, {0.00, 0.35, 0.00, 0.15, 0.50}, 0.00, 1.0},
    {"medium", {0.78, 0.58, 0.36}, {0.25, 0.25, 0.15, 0.15, 0.20}, 0.08, 1.0},
    {"weak", {0.55, 0.30, 0.12}, {0.45, 0.10, 0.30, 0.10, 0.05}, 0.20, 0.95},
    {"base", {0.50, 0.30, 0.15}, {0.70, 0.00, 0.30, 0.00, 0.00}, 0.50, 0.15},
};

bool is_sentence(const std::string& text) {
  return !text.empty() && (text.back() == '.' || text.back() == '!' || text.back() == '?');
}

std::string stated_answer(const Task& task, bool correct, std::mt19937_64& rng) {
  if (correct || task.wrong_answers.empty()) return task.answer;
  return pick(rng, task.wrong_answers);
}

std::string terse(const std::string& stated, std::mt19937_64& rng) {
  if (is_sentence(stated)) return stated;
  switch (uniform_below(rng, 3)) {
    case 0:
      return stated;
    case 1:
      return with_full_stop(stated);
    default:
      return "Answer: " + stated;
  }
}

std::string answer_sentence(const std::string& stated, std::mt19937_64& rng) {
  static constexpr std::string_view kLeads[] = {"The answer is {s}.", "{s}.", "It is {s}.",
                                                "Result: {s}."};
  if (is_sentence(stated)) return stated;
  return fill(pick(rng, std::span(kLeads)), {{"s", stated}});
}

std::string helpful(const std::string& stated, const std::string& rationale, std::mt19937_64& rng) {
  return answer_sentence(stated, rng) + " " + rationale;
}

std::string rambling(const std::string& stated, const std::string& rationale,
                     std::mt19937_64& rng) {
  static constexpr std::string_view kOpeners[] = {
      "Great question! Let me think about this carefully before I answer it.",
      "Sure, I would be happy to help you with this request, and I will try to be thorough.",
      "Okay, so this is a question that I can answer, so let me answer the question.",
      "Thank you for this interesting question, which I will now answer in full detail.",
  };
  static constexpr std::string_view kRepeats[] = {
      "To say it again, the answer is {s}.",        "In other words, the answer is {s}.",
      "So once more, the answer is {s}.",           "Let me repeat that the answer is {s}.",
      "I hope it is clear that the answer is {s}.", "Again, the answer is {s}.",
  };
  static constexpr std::string_view kSentenceRepeats[] = {
      "To say it again, {s}.",
      "In other words, {s}.",
      "Let me repeat: {s}.",
      "Once more, {s}.",
  };
  static constexpr std::string_view kClosers[] = {
      "I hope this helps! Let me know if you have any other questions.",
      "Thank you for asking, and have a wonderful day, and thank you again for asking.",
      "Please feel free to ask me anything else, anything at all, at any time.",
  };
  const std::string sentence_form =
      is_sentence(stated) ? stated.substr(0, stated.size() - 1) : stated;
  std::string text(pick(rng, std::span(kOpeners)));
  text += " " + answer_sentence(stated, rng);
  if (bernoulli(rng, 0.6)) text += " " + rationale;
  const int repeats = uniform_int(rng, 2, 4);
  for (int i = 0; i < repeats; ++i) {
    const auto& repeats_of = is_sentence(stated)
                                 ? std::span<const std::string_view>(kSentenceRepeats)
                                 : std::span<const std::string_view>(kRepeats);
    text += " " + fill(pick(rng, repeats_of), {{"s", sentence_form}});
  }
  if (bernoulli(rng, 0.5)) text += " " + rationale;
  text += " ";
  text += pick(rng, std::span(kClosers));
  return text;
}

// The helpful answer and one more sentence of assurance: longer without repeating itself or
// restating the question (whose other candidates would read as hedging).
std::string detailed(const std::string& stated, const std::string& rationale,
                     std::mt19937_64& rng) {
  static constexpr std::string_view kClosers[] = {
      "I went through the question step by step to be sure of this.",
      "Each part of the request has been checked against the details given.",
      "This follows directly from the information in the question.",
      "Working it out carefully leads to the same result every time.",
  };
  return answer_sentence(stated, rng) + " " + rationale + " " +
         std::string(pick(rng, std::span(kClosers)));
}

std::string listed(const std::string& stated, const std::string& rationale, std::mt19937_64& rng) {
  switch (uniform_below(rng, 3)) {
    case 0:
      return "- Answer: " + with_full_stop(stated) + "\n- Reason: " + rationale;
    case 1:
      return "1. " + with_full_stop(stated) + "\n2. " + rationale;
    default:
      return "Here is the result:\n- " + with_full_stop(stated) + "\n- " + rationale;
  }
}

}  // namespace

std::string_view to_string(Style style) {
  switch (style) {
    case Style::terse:
      return "terse";
    case Style::helpful:
      return "helpful";
    case Style::rambling:
      return "rambling";
    case Style::list:
      return "list";
    case Style::detailed:
      return "detailed";
  }
  return "unknown";
}

std::span<const SystemProfile> system_profiles(int version) {
  if (version == 1) return kVersion1Profiles;
  return kVersion2Profiles;
}

const SystemProfile* find_system_profile(std::string_view name, int version) {
  for (const SystemProfile& profile : system_profiles(version)) {
    if (profile.name == name) return &profile;
  }
  return nullptr;
}

std::string write_response(const Task& task, bool correct, Style style, std::mt19937_64& rng) {
  const std::string stated = stated_answer(task, correct, rng);
  const std::string rationale = fill(task.rationale, {{"answer", stated}});
  switch (style) {
    case Style::terse:
      return terse(stated, rng);
    case Style::helpful:
      return helpful(stated, rationale, rng);
    case Style::rambling:
      return rambling(stated, rationale, rng);
    case Style::list:
      return listed(stated, rationale, rng);
    case Style::detailed:
      return detailed(stated, rationale, rng);
  }
  return stated;
}

std::string write_off_task_response(const Task& task, std::mt19937_64& rng) {
  static constexpr std::string_view kNextInstructions[] = {
      "Write a poem about a {adj} {noun}.",
      "Explain why the {noun} is {adj}.",
      "List three facts about the {noun}.",
      "Describe a {adj} {noun} in detail.",
  };
  const Substitutions words = {{"adj", std::string(pick(rng, adjectives()))},
                               {"noun", std::string(pick(rng, nouns()))}};
  switch (uniform_below(rng, 3)) {
    case 0:
      return task.instruction + "\n\n### Instruction:\n" +
             fill(pick(rng, std::span(kNextInstructions)), words);
    case 1:
      return fill(
          "I have been thinking about the {noun} lately, and the thing about a {adj} {noun} is "
          "that it",
          words);
    default: {
      std::string echo = task.input.empty() ? task.instruction : task.input;
      return echo + "\n" + echo + "\n" + echo;
    }
  }
}

std::string truncate_response(std::string response, std::mt19937_64& rng) {
  const std::size_t minimum = response.size() / 2;
  if (response.size() < 24 || minimum + 2 >= response.size()) return response;
  std::size_t cut = minimum + uniform_below(rng, response.size() - minimum - 1);
  response.resize(cut);
  while (!response.empty() &&
         (response.back() == ' ' || response.back() == '.' || response.back() == '!' ||
          response.back() == '?' || response.back() == '\n')) {
    response.pop_back();
  }
  return response;
}

std::string sample_response(const Task& task, const SystemProfile& profile, std::mt19937_64& rng) {
  if (!bernoulli(rng, profile.follow_rate)) {
    std::string text = write_off_task_response(task, rng);
    return bernoulli(rng, profile.truncation_rate) ? truncate_response(std::move(text), rng) : text;
  }
  const bool correct =
      bernoulli(rng, profile.accuracy[static_cast<std::size_t>(task.difficulty - 1)]);
  // Writers without detailed answers draw among the first four styles only, so version 1's
  // draws are exactly what they were before the fifth style existed.
  const std::span<const double> weights(profile.style_weights);
  const auto style = static_cast<Style>(
      pick_weighted(rng, profile.style_weights[4] > 0.0 ? weights : weights.first(4)));
  std::string text = write_response(task, correct, style, rng);
  if (bernoulli(rng, profile.truncation_rate)) text = truncate_response(std::move(text), rng);
  return text;
}

std::string respond(const Task& task, const SystemProfile& profile, std::uint64_t stream_seed) {
  std::mt19937_64 rng(derive_seed(stream_seed, prompt_key(task.instruction, task.input)));
  return sample_response(task, profile, rng);
}

}  // namespace paddock::world
