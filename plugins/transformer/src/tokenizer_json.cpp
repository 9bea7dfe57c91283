// Reading and writing Hugging Face tokenizer.json files for byte-level BPE.
#include "paddock/transformer/tokenizer_json.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "paddock/core/files.hpp"
#include "paddock/error.hpp"

namespace paddock::transformer {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// Real tokenizer.json files nest a handful of levels (a post_processor Sequence of
// TemplateProcessing is about eight). Deeper JSON is refused while it is parsed: nlohmann's
// copies and dump() recurse once per level, so a file of a million '[' would otherwise
// overflow the stack.
constexpr int kMaxJsonNesting = 64;

// object[key] when it is a string, `fallback` when it is absent, and "" when it is anything
// else, so that a mistyped value fails the same check as a wrong one. (json::value() throws
// json::type_error for a mistyped value instead.)
std::string string_or(const json& object, const char* key, const std::string& fallback) {
  const auto found = object.find(key);
  if (found == object.end()) return fallback;
  return found->is_string() ? found->get<std::string>() : std::string();
}

class TokenizerJsonReader {
 public:
  TokenizerJsonReader(const json& root, std::string_view label) : root_(root), label_(label) {}

  // The vocabulary, merges and added tokens of any BPE model, byte fallback allowed; the
  // normalizer, pre-tokenizer and decoder are left to the caller.
  BpeTokenizer read_vocabulary() {
    if (!root_.is_object()) fail("(top level)", "must be a JSON object");
    allow_byte_fallback_ = true;
    read_model();
    read_added_tokens();
    BpeSourceNames names;
    names.file = label_;
    return BpeTokenizer::build(std::move(parts_), names);
  }

  BpeTokenizer read() {
    if (!root_.is_object()) fail("(top level)", "must be a JSON object");
    read_model();
    read_added_tokens();
    read_normalizer();
    read_pre_tokenizer();
    read_decoder();
    parts_.post_processor = value_or_null("post_processor");
    parts_.truncation = value_or_null("truncation");
    parts_.padding = value_or_null("padding");
    BpeSourceNames names;
    names.file = label_;
    return BpeTokenizer::build(std::move(parts_), names);
  }

 private:
  [[noreturn]] void fail(const std::string& field, const std::string& message) const {
    throw Error(label_ + ": " + field + ": " + message);
  }

  json value_or_null(const char* key) const {
    const auto found = root_.find(key);
    return found == root_.end() ? json() : *found;
  }

  bool read_bool(const json& object, const char* key, const std::string& field,
                 bool fallback) const {
    const auto found = object.find(key);
    if (found == object.end() || found->is_null()) return fallback;
    if (!found->is_boolean()) fail(field + "." + key, "must be true or false");
    return found->get<bool>();
  }

  void read_model() {
    const auto model = root_.find("model");
    if (model == root_.end()) fail("model", "missing");
    if (!model->is_object()) fail("model", "must be an object");
    const auto type = model->find("type");
    if (type != model->end()) {
      if (!type->is_string()) fail("model.type", "must be a string");
      if (type->get_ref<const std::string&>() != "BPE") {
        fail("model.type", "'" + type->get<std::string>() +
                               "' is not supported; only byte-level 'BPE' models are (for "
                               "SentencePiece use tokenizer.model)");
      }
    } else if (!model->contains("merges")) {
      fail("model.type", "missing, and the model has no merges, so it is not BPE");
    }
    if (read_bool(*model, "byte_fallback", "model", false) && !allow_byte_fallback_) {
      fail("model.byte_fallback", "true (SentencePiece-style BPE) is not byte-level BPE");
    }
    for (const char* affix : {"continuing_subword_prefix", "end_of_word_suffix"}) {
      const auto found = model->find(affix);
      if (found != model->end() && !found->is_null() &&
          !(found->is_string() && found->get_ref<const std::string&>().empty())) {
        fail(std::string("model.") + affix,
             "is not supported by byte-level BPE; expected null or \"\"");
      }
    }
    parts_.ignore_merges = read_bool(*model, "ignore_merges", "model", false);
    if (const auto unk = model->find("unk_token"); unk != model->end() && !unk->is_null()) {
      if (!unk->is_string()) fail("model.unk_token", "must be a string or null");
      parts_.unk_token = unk->get<std::string>();
    }

    const auto vocab = model->find("vocab");
    if (vocab == model->end()) fail("model.vocab", "missing");
    if (!vocab->is_object()) fail("model.vocab", "must be an object of token -> id");
    parts_.vocab.reserve(vocab->size());
    for (const auto& [token, id] : vocab->items()) {
      if (!id.is_number_integer()) {
        fail("model.vocab", "token '" + token + "' has id " + id.dump() + ", not an integer");
      }
      const auto value = id.get<std::int64_t>();
      if (value < 0 || value > INT32_MAX) {
        fail("model.vocab",
             "token '" + token + "' has id " + std::to_string(value) + " outside [0, 2^31)");
      }
      parts_.vocab.emplace_back(token, static_cast<std::int32_t>(value));
    }

    const auto merges = model->find("merges");
    if (merges == model->end()) fail("model.merges", "missing");
    if (!merges->is_array()) fail("model.merges", "must be an array");
    parts_.merges.reserve(merges->size());
    for (std::size_t i = 0; i < merges->size(); ++i) {
      const json& merge = (*merges)[i];
      const std::string field = "model.merges[" + std::to_string(i) + "]";
      if (merge.is_string()) {
        const std::string& text = merge.get_ref<const std::string&>();
        const std::size_t space = text.find(' ');
        if (space == std::string::npos || space == 0 || space + 1 == text.size() ||
            text.find(' ', space + 1) != std::string::npos) {
          fail(field, "\"" + text + "\" is not two tokens separated by one space");
        }
        parts_.merges.emplace_back(text.substr(0, space), text.substr(space + 1));
      } else if (merge.is_array() && merge.size() == 2 && merge[0].is_string() &&
                 merge[1].is_string() && !merge[0].get_ref<const std::string&>().empty() &&
                 !merge[1].get_ref<const std::string&>().empty()) {
        parts_.merges.emplace_back(merge[0].get<std::string>(), merge[1].get<std::string>());
      } else {
        fail(field, merge.dump() + " is neither \"left right\" nor [\"left\", \"right\"]");
      }
    }
  }

  void read_added_tokens() {
    const auto added = root_.find("added_tokens");
    if (added == root_.end() || added->is_null()) return;
    if (!added->is_array()) fail("added_tokens", "must be an array");
    for (std::size_t i = 0; i < added->size(); ++i) {
      const json& item = (*added)[i];
      const std::string field = "added_tokens[" + std::to_string(i) + "]";
      if (!item.is_object()) fail(field, "must be an object");
      AddedToken token;
      const auto id = item.find("id");
      if (id == item.end() || !id->is_number_integer()) fail(field + ".id", "must be an integer");
      const auto id_value = id->get<std::int64_t>();
      if (id_value < 0 || id_value > INT32_MAX) fail(field + ".id", "is outside [0, 2^31)");
      token.id = static_cast<std::int32_t>(id_value);
      const auto content = item.find("content");
      if (content == item.end() || !content->is_string())
        fail(field + ".content", "must be a string");
      token.content = content->get<std::string>();
      token.special = read_bool(item, "special", field, false);
      token.single_word = read_bool(item, "single_word", field, false);
      token.lstrip = read_bool(item, "lstrip", field, false);
      token.rstrip = read_bool(item, "rstrip", field, false);
      token.normalized = read_bool(item, "normalized", field, !token.special);
      parts_.added_tokens.push_back(std::move(token));
    }
  }

  void read_normalizer() {
    const json normalizer = value_or_null("normalizer");
    if (normalizer.is_null()) return;
    const bool empty_sequence =
        normalizer.is_object() && string_or(normalizer, "type", "") == "Sequence" &&
        normalizer.contains("normalizers") && normalizer["normalizers"].is_array() &&
        normalizer["normalizers"].empty();
    if (!empty_sequence) {
      fail("normalizer", normalizer.dump() + " is not supported; byte-level BPE expects null");
    }
  }

  // Returns use_regex.
  bool read_byte_level(const json& settings, const std::string& field) {
    parts_.pre_tokenizer.add_prefix_space = read_bool(settings, "add_prefix_space", field, false);
    return read_bool(settings, "use_regex", field, true);
  }

  void read_pre_tokenizer() {
    const json pre = value_or_null("pre_tokenizer");
    if (pre.is_null()) {
      fail("pre_tokenizer", "missing; byte-level BPE needs the ByteLevel pre-tokenizer");
    }
    if (!pre.is_object() || !pre.contains("type") || !pre["type"].is_string()) {
      fail("pre_tokenizer", "must be an object with a string 'type'");
    }
    const std::string type = pre["type"].get<std::string>();
    if (type == "ByteLevel") {
      parts_.pre_tokenizer.pattern = read_byte_level(pre, "pre_tokenizer")
                                         ? PreTokenizerPattern::gpt2
                                         : PreTokenizerPattern::whole_text;
      return;
    }
    if (type != "Sequence") {
      fail("pre_tokenizer.type", "'" + type +
                                     "' is not supported (ByteLevel, or a Sequence of an "
                                     "optional Digits, an optional Split and ByteLevel)");
    }
    const auto found = pre.find("pretokenizers");
    if (found == pre.end() || !found->is_array() || found->empty()) {
      fail("pre_tokenizer.pretokenizers", "must be a non-empty list");
    }
    const json& steps = *found;
    auto step_type = [&](std::size_t index) {
      return index < steps.size() && steps[index].is_object() ? string_or(steps[index], "type", "")
                                                              : std::string();
    };
    auto step_field = [](std::size_t index) {
      return "pre_tokenizer.pretokenizers[" + std::to_string(index) + "]";
    };
    std::size_t next = 0;
    if (step_type(0) == "Digits") {
      parts_.pre_tokenizer.digits = read_bool(steps[0], "individual_digits", step_field(0), false)
                                        ? DigitSplitting::individual
                                        : DigitSplitting::runs;
      next = 1;
    }
    if (steps.size() == next + 1 && step_type(next) == "ByteLevel") {
      parts_.pre_tokenizer.pattern = read_byte_level(steps[next], step_field(next))
                                         ? PreTokenizerPattern::gpt2
                                         : PreTokenizerPattern::whole_text;
    } else if (steps.size() == next + 2 && step_type(next) == "Split" &&
               step_type(next + 1) == "ByteLevel") {
      read_split(steps[next], step_field(next));
      if (read_byte_level(steps[next + 1], step_field(next + 1))) {
        fail(step_field(next + 1) + ".use_regex", "must be false after a Split");
      }
    } else {
      fail("pre_tokenizer.pretokenizers",
           "only [ByteLevel] or [Split, ByteLevel], optionally after Digits, is supported");
    }
    // Hugging Face's ByteLevel prefixes a space to every piece the Digits step made.
    if (parts_.pre_tokenizer.digits != DigitSplitting::none &&
        parts_.pre_tokenizer.add_prefix_space) {
      fail(step_field(steps.size() - 1) + ".add_prefix_space",
           "must be false after a Digits step (it would put a space before every digit)");
    }
  }

  // A Split step with a regex Paddock implements; sets the pattern.
  void read_split(const json& split, const std::string& field) {
    const auto pattern = split.find("pattern");
    if (pattern == split.end() || !pattern->is_object() || !pattern->contains("Regex") ||
        !(*pattern)["Regex"].is_string()) {
      fail(field + ".pattern", "must be {\"Regex\": \"...\"}");
    }
    const auto known = pretokenizer_pattern_for_regex((*pattern)["Regex"].get<std::string>());
    if (!known) {
      fail(field + ".pattern.Regex",
           "not a pattern Paddock implements (the GPT-2 and LLaMA-3 patterns are)");
    }
    if (string_or(split, "behavior", "Isolated") != "Isolated" ||
        read_bool(split, "invert", field, false)) {
      fail(field, "only behavior \"Isolated\" without invert is supported");
    }
    parts_.pre_tokenizer.pattern = *known;
  }

  void read_decoder() {
    parts_.decoder = value_or_null("decoder");
    if (parts_.decoder.is_null()) return;
    if (!parts_.decoder.is_object() || string_or(parts_.decoder, "type", "") != "ByteLevel") {
      fail("decoder", parts_.decoder.dump() + " is not supported; expected ByteLevel or null");
    }
  }

  const json& root_;
  std::string label_;
  BpeTokenizerParts parts_;
  bool allow_byte_fallback_ = false;
};

ordered_json byte_level_settings(bool add_prefix_space, bool use_regex) {
  return {{"type", "ByteLevel"},
          {"add_prefix_space", add_prefix_space},
          {"trim_offsets", true},
          {"use_regex", use_regex}};
}

ordered_json pre_tokenizer_json(const PreTokenizerSettings& settings) {
  ordered_json steps = ordered_json::array();
  if (settings.digits != DigitSplitting::none) {
    steps.push_back(
        {{"type", "Digits"}, {"individual_digits", settings.digits == DigitSplitting::individual}});
  }
  switch (settings.pattern) {
    case PreTokenizerPattern::gpt2:
      steps.push_back(byte_level_settings(settings.add_prefix_space, /*use_regex=*/true));
      break;
    case PreTokenizerPattern::whole_text:
      steps.push_back(byte_level_settings(settings.add_prefix_space, /*use_regex=*/false));
      break;
    case PreTokenizerPattern::llama3:
      steps.push_back({{"type", "Split"},
                       {"pattern", {{"Regex", pretokenizer_regex(settings.pattern)}}},
                       {"behavior", "Isolated"},
                       {"invert", false}});
      steps.push_back(byte_level_settings(settings.add_prefix_space, /*use_regex=*/false));
      break;
  }
  if (steps.size() == 1) return steps[0];
  return {{"type", "Sequence"}, {"pretokenizers", steps}};
}

// nlohmann's json -> ordered_json keeps the (sorted) key order of the source.
ordered_json ordered(const json& value) {
  return ordered_json::parse(value.dump());
}

// Builds the JSON; nlohmann throws for text that is not UTF-8.
std::string tokenizer_json_text_unchecked(const BpeTokenizer& tokenizer) {
  const BpeTokenizerParts& parts = tokenizer.parts();
  ordered_json root;
  root["version"] = "1.0";
  root["truncation"] = ordered(parts.truncation);
  root["padding"] = ordered(parts.padding);

  root["added_tokens"] = added_tokens_json<ordered_json>(parts.added_tokens);
  root["normalizer"] = nullptr;
  root["pre_tokenizer"] = pre_tokenizer_json(parts.pre_tokenizer);
  root["post_processor"] = parts.post_processor.is_null()
                               ? byte_level_settings(/*add_prefix_space=*/true, /*use_regex=*/true)
                               : ordered(parts.post_processor);
  if (parts.post_processor.is_null()) root["post_processor"]["trim_offsets"] = false;
  root["decoder"] = parts.decoder.is_null()
                        ? byte_level_settings(/*add_prefix_space=*/true, /*use_regex=*/true)
                        : ordered(parts.decoder);

  ordered_json model;
  model["type"] = "BPE";
  model["dropout"] = nullptr;
  model["unk_token"] = parts.unk_token.empty() ? ordered_json() : ordered_json(parts.unk_token);
  model["continuing_subword_prefix"] = nullptr;
  model["end_of_word_suffix"] = nullptr;
  model["fuse_unk"] = false;
  model["byte_fallback"] = false;
  if (parts.ignore_merges) model["ignore_merges"] = true;
  std::vector<std::pair<std::string, std::int32_t>> vocab = parts.vocab;
  std::sort(vocab.begin(), vocab.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
  ordered_json vocab_json = ordered_json::object();
  for (const auto& [token, id] : vocab) vocab_json[token] = id;
  model["vocab"] = std::move(vocab_json);
  const bool spaces_inside =
      std::any_of(parts.merges.begin(), parts.merges.end(), [](const auto& merge) {
        return merge.first.find(' ') != std::string::npos ||
               merge.second.find(' ') != std::string::npos;
      });
  ordered_json merges = ordered_json::array();
  for (const auto& [left, right] : parts.merges) {
    if (spaces_inside) {
      merges.push_back({left, right});
    } else {
      merges.push_back(left + " " + right);
    }
  }
  model["merges"] = std::move(merges);
  root["model"] = std::move(model);
  return root.dump(2) + "\n";
}

}  // namespace

nlohmann::json parse_tokenizer_json_document(std::string_view json_text, std::string_view label) {
  const json::parser_callback_t limit_nesting = [&](int depth, json::parse_event_t event, json&) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        depth >= kMaxJsonNesting) {
      throw Error(std::string(label) + ": JSON nested more than " +
                  std::to_string(kMaxJsonNesting) + " levels deep");
    }
    return true;
  };
  json root;
  try {
    root = json::parse(json_text, limit_nesting);
  } catch (const json::exception& error) {
    throw Error(std::string(label) + ": not valid JSON: " + error.what());
  }
  return root;
}

BpeTokenizer parse_tokenizer_json(std::string_view json_text, std::string_view label) {
  return TokenizerJsonReader(parse_tokenizer_json_document(json_text, label), label).read();
}

BpeTokenizer read_bpe_vocabulary(const nlohmann::json& root, std::string_view label) {
  return TokenizerJsonReader(root, label).read_vocabulary();
}

bool is_byte_fallback_bpe(const nlohmann::json& root) {
  if (!root.is_object()) return false;
  const auto model = root.find("model");
  if (model == root.end() || !model->is_object()) return false;
  if (const auto type = model->find("type");
      type != model->end() && !(type->is_string() && type->get<std::string>() == "BPE"))
    return false;
  const auto flag = model->find("byte_fallback");
  return flag != model->end() && flag->is_boolean() && flag->get<bool>();
}

BpeTokenizer load_tokenizer_json(const std::filesystem::path& file) {
  return parse_tokenizer_json(core::read_file(file), file.string());
}

std::string tokenizer_json_text(const BpeTokenizer& tokenizer) {
  try {
    return tokenizer_json_text_unchecked(tokenizer);
  } catch (const json::exception& error) {
    throw Error(std::string("cannot write tokenizer.json: ") + error.what());
  }
}

void save_tokenizer_json(const BpeTokenizer& tokenizer, const std::filesystem::path& file) {
  core::write_file_atomically(file, tokenizer_json_text(tokenizer));
}

}  // namespace paddock::transformer
