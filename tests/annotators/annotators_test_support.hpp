// Helpers for the annotators tests: a NodeContext that runs one node with its declared
// defaults, a logger whose output the test can read, simple judges, and the scripted judge
// answers the loopback server gives.
#pragma once

#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "paddock/annotator.hpp"
#include "paddock/context.hpp"
#include "paddock/node.hpp"
#include "paddock/seed.hpp"

namespace paddock::annotators::testing {

class NullProgress : public Progress {
 public:
  void advance(std::uint64_t) override {}
  void add_tokens(std::uint64_t) override {}
  void set_status(std::string) override {}
  void finish() override {}
};

// A logger writing into a string stream.
struct CapturedLog {
  std::shared_ptr<std::ostringstream> text = std::make_shared<std::ostringstream>();
  std::shared_ptr<spdlog::logger> logger = std::make_shared<spdlog::logger>(
      "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(*text));
  std::string str() const {
    logger->flush();
    return text->str();
  }
};

class NodeHarness : public NodeContext {
 public:
  NodeHarness(const NodeTypeSpec& spec, const nlohmann::json& overrides,
              std::filesystem::path work_dir, std::string name = "node")
      : spec_(spec),
        name_(std::move(name)),
        work_dir_(std::move(work_dir)),
        rng_(derive_seed(7, name_)) {
    nlohmann::json values = nlohmann::json::object();
    for (const auto& param : spec.params) {
      if (!param.default_value.is_null()) values[param.name] = param.default_value;
    }
    for (const auto& [key, value] : overrides.items()) values[key] = value;
    params_ = Params(values);
  }

  void add_input(const std::string& port, std::shared_ptr<Artifact> artifact) {
    inputs_[port].push_back(std::move(artifact));
  }
  void run() { spec_.create()->run(*this); }
  template <class T>
  std::shared_ptr<T> output(const std::string& port) const {
    auto found = outputs_.find(port);
    return found == outputs_.end() ? nullptr : std::dynamic_pointer_cast<T>(found->second);
  }
  std::string log_text() const { return log_.str(); }

  const std::string& node_name() const override { return name_; }
  const Params& params() const override { return params_; }
  bool has_input(std::string_view port) const override {
    return inputs_.count(std::string(port)) > 0;
  }
  std::vector<std::shared_ptr<Artifact>> inputs(std::string_view port) const override {
    auto found = inputs_.find(std::string(port));
    return found == inputs_.end() ? std::vector<std::shared_ptr<Artifact>>{} : found->second;
  }
  void set_output(std::string_view port, std::shared_ptr<Artifact> artifact) override {
    outputs_[std::string(port)] = std::move(artifact);
  }
  spdlog::logger& log() override { return *log_.logger; }
  std::uint64_t seed() const override { return derive_seed(7, name_); }
  std::mt19937_64& rng() override { return rng_; }
  const std::string& device() const override { return device_; }
  const std::filesystem::path& work_dir() const override { return work_dir_; }
  const std::filesystem::path& run_directory() const override { return work_dir_; }
  std::unique_ptr<Progress> progress(std::string, std::uint64_t) override {
    return std::make_unique<NullProgress>();
  }
  void metric(std::int64_t, std::string_view key, double value) override {
    metrics[std::string(key)] = value;
  }
  bool cancelled() const override { return cancel; }

  std::map<std::string, double> metrics;
  bool cancel = false;

 private:
  NodeTypeSpec spec_;
  std::string name_;
  std::filesystem::path work_dir_;
  Params params_;
  std::mt19937_64 rng_;
  CapturedLog log_;
  std::string device_ = "cpu";
  std::map<std::string, std::vector<std::shared_ptr<Artifact>>> inputs_;
  std::map<std::string, std::shared_ptr<Artifact>> outputs_;
};

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
