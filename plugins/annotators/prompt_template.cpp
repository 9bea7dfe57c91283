// Parsing and rendering prompt templates; see prompt_template.hpp for the format.
#include "prompt_template.hpp"

#include <fstream>
#include <sstream>
#include <vector>

#include "paddock/core/files.hpp"
#include "paddock/error.hpp"

namespace paddock::annotators {
namespace {

struct Field {
  std::string_view name;
  std::string value;
};

// One left-to-right pass: each known {name} is replaced, everything else copied.
std::string substitute(std::string_view text, const std::vector<Field>& fields) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '{') {
      bool replaced = false;
      for (const Field& field : fields) {
        const std::size_t length = field.name.size();
        if (text.compare(i + 1, length, field.name) == 0 && i + 1 + length < text.size() &&
            text[i + 1 + length] == '}') {
          out += field.value;
          i += length + 2;
          replaced = true;
          break;
        }
      }
      if (replaced) continue;
    }
    out += text[i++];
  }
  return out;
}

std::string trim_trailing_newlines(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

}  // namespace

std::string RenderedPrompt::as_single_text() const {
  return system.empty() ? user : system + "\n\n" + user;
}

PromptTemplate PromptTemplate::parse(std::string_view text, const std::string& origin) {
  PromptTemplate result;
  result.source_ = std::string(text);
  enum class Part { user, system };
  Part part = Part::user;
  int block_state = 0;  // 0 before the block, 1 inside, 2 after
  std::size_t line_number = 0, start = 0;
  const auto fail = [&](const std::string& message) {
    throw Error(origin + ":" + std::to_string(line_number) + ": " + message);
  };
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    ++line_number;
    const bool last = end == text.size();
    std::string_view bare = line;
    if (!bare.empty() && bare.back() == '\r') bare.remove_suffix(1);
    if (bare.starts_with("{{!")) {
      // comment
    } else if (bare == "{{system}}") {
      if (block_state == 1) fail("{{system}} inside the {{#examples}} block");
      part = Part::system;
    } else if (bare == "{{user}}") {
      if (block_state == 1) fail("{{user}} inside the {{#examples}} block");
      part = Part::user;
    } else if (bare == "{{#examples}}") {
      if (part != Part::user) fail("the {{#examples}} block must be in the user message");
      if (block_state != 0) fail("a second {{#examples}} block");
      block_state = 1;
    } else if (bare == "{{/examples}}") {
      if (block_state != 1) fail("{{/examples}} without {{#examples}}");
      block_state = 2;
    } else if (!(last && line.empty())) {
      std::string with_newline = std::string(line) + (last ? "" : "\n");
      if (part == Part::system) {
        result.system_ += with_newline;
      } else if (block_state == 0) {
        result.user_before_ += with_newline;
      } else if (block_state == 1) {
        result.example_block_ += with_newline;
      } else {
        result.user_after_ += with_newline;
      }
    }
    if (last) break;
    start = end + 1;
  }
  if (block_state == 0) fail("no {{#examples}} ... {{/examples}} block");
  if (block_state == 1) fail("the {{#examples}} block is not closed with {{/examples}}");
  result.system_ = trim_trailing_newlines(result.system_);
  return result;
}

PromptTemplate PromptTemplate::load(const std::filesystem::path& file) {
  core::refuse_special_file(file);  // a FIFO or a device would never end
  std::ifstream stream(file, std::ios::binary);
  if (!stream) throw Error("cannot open prompt template '" + file.string() + "'");
  std::ostringstream buffer;
  buffer << stream.rdbuf();
  return parse(buffer.str(), file.string());
}

RenderedPrompt PromptTemplate::render(std::span<const PreferencePair> examples) const {
  const std::vector<Field> outer = {{"batch_size", std::to_string(examples.size())}};
  RenderedPrompt prompt;
  prompt.system = substitute(system_, outer);
  std::string user = substitute(user_before_, outer);
  for (std::size_t i = 0; i < examples.size(); ++i) {
    const PreferencePair& pair = examples[i];
    user += substitute(example_block_, {{"index", std::to_string(i + 1)},
                                        {"instruction", pair.instruction},
                                        {"input", pair.input},
                                        {"output_1", pair.output_1},
                                        {"output_2", pair.output_2},
                                        {"batch_size", std::to_string(examples.size())}});
  }
  user += substitute(user_after_, outer);
  prompt.user = trim_trailing_newlines(std::move(user));
  return prompt;
}

}  // namespace paddock::annotators
