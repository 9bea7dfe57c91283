// Prompt templates for API judges. One template covers `batch_size` examples.
//
// Format (a plain text file):
//   - Lines starting with "{{!" are comments and are dropped.
//   - A line "{{system}}" starts the system message and a line "{{user}}" the user message;
//     text before either marker belongs to the user message. On the completions endpoint
//     the two are joined with a blank line.
//   - The user message holds exactly one block between the lines "{{#examples}}" and
//     "{{/examples}}"; it is repeated once per example, in order.
//   - Inside the block: {index} (1-based), {instruction}, {input}, {output_1}, {output_2}.
//     Anywhere: {batch_size}. Any other brace text is kept verbatim (JSON in a prompt is
//     safe), and substituted values are never scanned again.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "paddock/annotator.hpp"

namespace paddock::annotators {

struct RenderedPrompt {
  std::string system;  // empty when the template has no system part
  std::string user;
  // The completions endpoint's single prompt.
  std::string as_single_text() const;
};

class PromptTemplate {
 public:
  PromptTemplate() = default;
  // Throws paddock::Error naming `origin` when the format is broken.
  static PromptTemplate parse(std::string_view text, const std::string& origin);
  static PromptTemplate load(const std::filesystem::path& file);

  RenderedPrompt render(std::span<const PreferencePair> examples) const;
  // The template's text as parsed, for the judge's identity hash.
  const std::string& source() const { return source_; }
  bool empty() const { return source_.empty(); }

 private:
  std::string source_;
  std::string system_;
  std::string user_before_, example_block_, user_after_;
};

}  // namespace paddock::annotators
