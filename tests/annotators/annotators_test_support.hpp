// Helpers for the annotators tests: simple judges and the scripted judge answers the
// loopback server gives; nodes run in the shared TestNodeContext (node_harness.hpp).
#pragma once

#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "node_harness.hpp"
#include "paddock/annotator.hpp"
#include "paddock/context.hpp"
#include "paddock/node.hpp"
#include "paddock/seed.hpp"

namespace paddock::annotators::testing {

using paddock::testing::CapturedLog;
using paddock::testing::TestNodeContext;

inline PreferencePair make_pair(std::string instruction, std::string output_1, std::string output_2,
                                std::string input = "") {
  PreferencePair pair;
  pair.instruction = std::move(instruction);
  pair.input = std::move(input);
  pair.output_1 = std::move(output_1);
  pair.output_2 = std::move(output_2);
  return pair;
}

// A judge given by a function of the pair, counting the pairs it was asked about.
class FunctionJudge : public Annotator {
 public:
  FunctionJudge(std::string name, std::function<int(const PreferencePair&)> decide)
      : name_(std::move(name)), decide_(std::move(decide)) {}
  std::string name() const override { return name_; }
  std::vector<Annotation> annotate(std::span<const PreferencePair> pairs) override {
    std::vector<Annotation> out;
    for (const auto& pair : pairs) {
      ++asked;
      Annotation annotation;
      annotation.preference = decide_(pair);
      annotation.annotator = name_;
      out.push_back(annotation);
    }
    return out;
  }
  std::size_t asked = 0;

 private:
  std::string name_;
  std::function<int(const PreferencePair&)> decide_;
};

// A pool whose members() are the given judges.
class PoolOf : public Annotator {
 public:
  explicit PoolOf(std::vector<std::shared_ptr<Annotator>> members) : members_(std::move(members)) {}
  std::string name() const override { return "pool"; }
  std::vector<Annotation> annotate(std::span<const PreferencePair> pairs) override {
    return members_.front()->annotate(pairs);
  }
  std::vector<std::shared_ptr<Annotator>> members() const override { return members_; }

 private:
  std::vector<std::shared_ptr<Annotator>> members_;
};

// An OpenAI chat completion response body.
inline std::string chat_response(const std::string& content, int prompt_tokens = 100,
                                 int completion_tokens = 10) {
  return nlohmann::json{
      {"id", "test"},
      {"object", "chat.completion"},
      {"choices",
       {{{"index", 0},
         {"message", {{"role", "assistant"}, {"content", content}}},
         {"finish_reason", "stop"}}}},
      {"usage", {{"prompt_tokens", prompt_tokens}, {"completion_tokens", completion_tokens}}}}
      .dump();
}

// The prompt text of a chat or completions request body.
inline std::string prompt_of(const std::string& request_body) {
  const auto body = nlohmann::json::parse(request_body);
  if (body.contains("prompt")) return body["prompt"].get<std::string>();
  std::string text;
  for (const auto& message : body["messages"]) text += message["content"].get<std::string>() + "\n";
  return text;
}

// The scripted judge: for each "A: ..." / "B: ..." example of the test template, prefers
// the output containing "GOOD" ("Output (a)" or "Output (b)"), one line per example.
inline std::string scripted_labels(const std::string& prompt, std::size_t drop = 0) {
  std::vector<std::string> labels;
  std::istringstream lines(prompt);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("A: ", 0) == 0) {
      labels.push_back(line.find("GOOD") != std::string::npos ? "Output (a)" : "Output (b)");
    }
  }
  std::string answer;
  for (std::size_t i = drop; i < labels.size(); ++i) answer += labels[i] + "\n";
  return answer;
}

}  // namespace paddock::annotators::testing
