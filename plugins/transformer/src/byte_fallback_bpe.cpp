// SentencePiece-style BPE from tokenizer.json: reading its settings, encoding and decoding.
#include "paddock/transformer/byte_fallback_bpe.hpp"

#include <algorithm>
#include <cctype>
#include <queue>

#include "paddock/core/files.hpp"
#include "paddock/error.hpp"
#include "paddock/transformer/sentencepiece_vocabulary.hpp"
#include "paddock/transformer/text_replace.hpp"
#include "paddock/transformer/tokenizer_json.hpp"
#include "paddock/transformer/utf8.hpp"

namespace paddock::transformer {
namespace {

using nlohmann::json;

std::string type_of(const json& step) {
  if (!step.is_object()) return "";
  const auto type = step.find("type");
  return type != step.end() && type->is_string() ? type->get<std::string>() : "";
}

// The byte a "<0xXX>" token stands for; the library's decoder reads the two digits in
// either case, SentencePiece spells them in upper case.
std::optional<unsigned char> byte_token_value(std::string token) {
  if (token.size() == 6)
    for (std::size_t i = 3; i < 5; ++i)
      token[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(token[i])));
  return sentencepiece_byte_piece_value(token);
}

// The code points of `text` as UTF-8 pieces (an invalid byte is a piece of its own).
std::vector<std::string_view> characters(std::string_view text) {
  std::vector<std::string_view> pieces;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t length = decode_utf8(text, at).length;
    pieces.push_back(text.substr(at, length));
    at += length;
  }
  return pieces;
}

// A pair of adjacent symbols waiting to be merged: the lowest rank first, then the leftmost.
struct Candidate {
  std::int32_t rank;
  std::size_t position;
  std::int32_t result;
  bool operator<(const Candidate& other) const {  // "less" is merged later
    if (rank != other.rank) return rank > other.rank;
    return position > other.position;
  }
};

}  // namespace

ByteFallbackBpeTokenizer ByteFallbackBpeTokenizer::load(const std::filesystem::path& file) {
  return parse(core::read_file(file), file.string());
}

ByteFallbackBpeTokenizer ByteFallbackBpeTokenizer::parse(std::string_view json_text,
                                                         std::string_view label) {
  ByteFallbackBpeTokenizer tokenizer;
  tokenizer.source_ = std::string(label);
  const json root = parse_tokenizer_json_document(json_text, label);
  tokenizer.table_ = read_bpe_vocabulary(root, label);
  tokenizer.read_settings(root);
  tokenizer.file_text_ = std::string(json_text);
  return tokenizer;
}

void ByteFallbackBpeTokenizer::fail(const std::string& field, const std::string& message) const {
  throw Error(source_ + ": " + field + ": " + message);
}

void ByteFallbackBpeTokenizer::read_settings(const json& root) {
  const json& model = root.at("model");  // read_bpe_vocabulary checked it is an object
  if (!is_byte_fallback_bpe(root)) fail("model.byte_fallback", "must be true");
  const auto flag = [&](const char* key) {
    const auto found = model.find(key);
    if (found == model.end() || found->is_null()) return false;
    if (!found->is_boolean()) fail(std::string("model.") + key, "must be true or false");
    return found->get<bool>();
  };
  fuse_unk_ = flag("fuse_unk");
  ignore_merges_ = flag("ignore_merges");
  if (const auto dropout = model.find("dropout"); dropout != model.end() && !dropout->is_null()) {
    if (!dropout->is_number() || dropout->get<double>() != 0.0)
      fail("model.dropout", "must be null or 0 (BPE dropout makes encoding random)");
  }
  if (const auto unk = model.find("unk_token"); unk != model.end() && unk->is_string()) {
    model_unk_id_ = table_.vocab_id(unk->get<std::string>());
  }
  for (unsigned byte = 0; byte < 256; ++byte)
    byte_ids_[byte] =
        table_.vocab_id(sentencepiece_byte_piece(static_cast<unsigned char>(byte))).value_or(-1);
  const json normalizer = root.value("normalizer", json());
  if (type_of(normalizer) == "Sequence") {
    const auto steps = normalizer.find("normalizers");
    if (steps == normalizer.end() || !steps->is_array())
      fail("normalizer.normalizers", "must be a list");
    for (std::size_t i = 0; i < steps->size(); ++i)
      read_normalizer_step((*steps)[i], "normalizer.normalizers[" + std::to_string(i) + "]");
  } else if (!normalizer.is_null()) {
    read_normalizer_step(normalizer, "normalizer");
  }

  const json pre_tokenizer = root.value("pre_tokenizer", json());
  if (type_of(pre_tokenizer) == "Metaspace") {
    metaspace_ = read_metaspace(pre_tokenizer, "pre_tokenizer");
  } else if (!pre_tokenizer.is_null()) {
    fail("pre_tokenizer",
         pre_tokenizer.dump() +
             " is not supported; SentencePiece-style BPE expects null or Metaspace");
  }

  const json decoder = root.value("decoder", json());
  has_decoder_ = !decoder.is_null();
  if (type_of(decoder) == "Sequence") {
    const auto steps = decoder.find("decoders");
    if (steps == decoder.end() || !steps->is_array()) fail("decoder.decoders", "must be a list");
    for (std::size_t i = 0; i < steps->size(); ++i)
      read_decoder_step((*steps)[i], "decoder.decoders[" + std::to_string(i) + "]");
  } else if (!decoder.is_null()) {
    read_decoder_step(decoder, "decoder");
  }
  index_added_tokens();
}

void ByteFallbackBpeTokenizer::index_added_tokens() {
  added_matcher_ = {};
  normalized_matcher_ = {};
  for (const AddedToken& token : table_.added_tokens()) {
    if (token.normalized && !normalizer_.empty()) {
      normalized_matcher_.add(normalize(token.content), token.id);
    } else {
      added_matcher_.add(token.content, token.id);
    }
  }
}

std::pair<std::string, std::string> ByteFallbackBpeTokenizer::read_replace(
    const json& step, const std::string& field) const {
  const auto pattern = step.find("pattern");
  if (pattern == step.end() || !pattern->is_object() || !pattern->contains("String") ||
      !(*pattern)["String"].is_string() || (*pattern)["String"].get<std::string>().empty()) {
    fail(field + ".pattern", "must be {\"String\": \"...\"} (a Regex pattern is not supported)");
  }
  if (!step.contains("content") || !step["content"].is_string())
    fail(field + ".content", "must be a string");
  return {(*pattern)["String"].get<std::string>(), step["content"].get<std::string>()};
}

void ByteFallbackBpeTokenizer::read_normalizer_step(const json& step, const std::string& field) {
  const std::string type = type_of(step);
  if (type == "Prepend") {
    if (!step.contains("prepend") || !step["prepend"].is_string())
      fail(field + ".prepend", "must be a string");
    normalizer_.push_back({TextStep::Kind::prepend, "", step["prepend"].get<std::string>()});
  } else if (type == "Replace") {
    auto [pattern, text] = read_replace(step, field);
    normalizer_.push_back({TextStep::Kind::replace, std::move(pattern), std::move(text)});
  } else {
    fail(field, step.dump() + " is not supported (Prepend and Replace are)");
  }
}

ByteFallbackBpeTokenizer::Metaspace ByteFallbackBpeTokenizer::read_metaspace(
    const json& settings, const std::string& field) const {
  Metaspace metaspace;
  const auto replacement = settings.find("replacement");
  if (replacement == settings.end() || !replacement->is_string() ||
      replacement->get<std::string>().empty() ||
      decode_utf8(replacement->get<std::string>(), 0).length !=
          replacement->get<std::string>().size()) {
    fail(field + ".replacement", "must be one character");
  }
  metaspace.replacement = replacement->get<std::string>();
  const auto unset = [&](const char* key) {
    const auto found = settings.find(key);
    return found == settings.end() || found->is_null();
  };
  // Files from before prepend_scheme say add_prefix_space; the library refuses the two when
  // they disagree.
  std::optional<bool> add_prefix_space;
  if (!unset("add_prefix_space")) {
    if (!settings["add_prefix_space"].is_boolean())
      fail(field + ".add_prefix_space", "must be true or false");
    add_prefix_space = settings["add_prefix_space"].get<bool>();
  }
  if (const auto scheme = settings.find("prepend_scheme");
      scheme != settings.end() && !scheme->is_null()) {
    const std::string name = scheme->is_string() ? scheme->get<std::string>() : "";
    if (name == "always") {
      metaspace.prepend = PrependScheme::always;
    } else if (name == "first") {
      metaspace.prepend = PrependScheme::first;
    } else if (name == "never") {
      metaspace.prepend = PrependScheme::never;
    } else {
      fail(field + ".prepend_scheme", "must be \"always\", \"first\" or \"never\"");
    }
    if (add_prefix_space == false && metaspace.prepend != PrependScheme::never)
      fail(field + ".add_prefix_space", "false contradicts prepend_scheme \"" + name + "\"");
  } else if (add_prefix_space) {
    metaspace.prepend = *add_prefix_space ? PrependScheme::always : PrependScheme::never;
  }
  if (!unset("split")) {
    if (!settings["split"].is_boolean()) fail(field + ".split", "must be true or false");
    metaspace.split = settings["split"].get<bool>();
  }
  return metaspace;
}

void ByteFallbackBpeTokenizer::read_decoder_step(const json& step, const std::string& field) {
  const std::string type = type_of(step);
  DecoderStep decoded;
  if (type == "Replace") {
    auto [pattern, text] = read_replace(step, field);
    decoded = {DecoderStep::Kind::replace, std::move(pattern), std::move(text)};
  } else if (type == "ByteFallback") {
    decoded.kind = DecoderStep::Kind::byte_fallback;
  } else if (type == "Fuse") {
    decoded.kind = DecoderStep::Kind::fuse;
  } else if (type == "Strip") {
    decoded.kind = DecoderStep::Kind::strip;
    const auto content = step.find("content");
    if (content == step.end() || !content->is_string() || content->get<std::string>().empty() ||
        decode_utf8(content->get<std::string>(), 0).length != content->get<std::string>().size()) {
      fail(field + ".content", "must be one character");
    }
    decoded.text = content->get<std::string>();
    for (const auto& [key, target] :
         {std::pair<const char*, std::size_t*>{"start", &decoded.start}, {"stop", &decoded.stop}}) {
      const auto value = step.find(key);
      if (value == step.end() || !value->is_number_unsigned())
        fail(field + "." + key, "must be a count (0 or more)");
      *target = value->get<std::size_t>();
    }
  } else if (type == "Metaspace") {
    decoded.kind = DecoderStep::Kind::metaspace;
    const Metaspace settings = read_metaspace(step, field);
    decoded.text = settings.replacement;
    decoded.prepend = settings.prepend;
  } else {
    fail(field,
         step.dump() + " is not supported (Replace, ByteFallback, Fuse, Strip and Metaspace are)");
  }
  decoder_.push_back(std::move(decoded));
}

std::vector<std::int32_t> ByteFallbackBpeTokenizer::encode(std::string_view text) const {
  std::vector<std::int32_t> ids;
  std::size_t segment_start = 0;
  while (const auto match = added_matcher_.find_next(text, segment_start)) {
    encode_segment(text.substr(segment_start, match->position - segment_start), segment_start == 0,
                   ids);
    ids.push_back(match->id);
    segment_start = match->position + match->length;
  }
  encode_segment(text.substr(segment_start), segment_start == 0, ids);
  return ids;
}

std::string ByteFallbackBpeTokenizer::normalize(std::string_view text) const {
  std::string normalized(text);
  for (const TextStep& step : normalizer_) {
    if (step.kind == TextStep::Kind::prepend) {
      if (!normalized.empty()) normalized.insert(0, step.text);
    } else {
      replace_all(normalized, step.pattern, step.text);
    }
  }
  return normalized;
}

void ByteFallbackBpeTokenizer::encode_segment(std::string_view text, bool at_start,
                                              std::vector<std::int32_t>& out) const {
  if (text.empty()) return;
  const std::string normalized = normalize(text);
  if (normalized_matcher_.empty()) {
    encode_normalized(normalized, at_start, out);
    return;
  }
  std::size_t start = 0;
  while (const auto match = normalized_matcher_.find_next(normalized, start)) {
    encode_normalized(normalized.substr(start, match->position - start), at_start && start == 0,
                      out);
    out.push_back(match->id);
    start = match->position + match->length;
  }
  encode_normalized(normalized.substr(start), at_start && start == 0, out);
}

void ByteFallbackBpeTokenizer::encode_normalized(std::string normalized, bool at_start,
                                                 std::vector<std::int32_t>& out) const {
  if (normalized.empty()) return;
  if (!metaspace_) {
    encode_word(normalized, out);
    return;
  }
  const std::string& mark = metaspace_->replacement;
  replace_all(normalized, " ", mark);
  const bool prepend = metaspace_->prepend == PrependScheme::always ||
                       (metaspace_->prepend == PrependScheme::first && at_start);
  if (prepend && normalized.compare(0, mark.size(), mark) != 0) normalized.insert(0, mark);
  if (!metaspace_->split) {
    encode_word(normalized, out);
    return;
  }
  // Words start at each replacement character (which stays with the word it starts).
  std::size_t word_start = 0;
  for (std::size_t at = normalized.find(mark, 1); at != std::string::npos;
       at = normalized.find(mark, at + 1)) {
    encode_word(std::string_view(normalized).substr(word_start, at - word_start), out);
    word_start = at;
  }
  encode_word(std::string_view(normalized).substr(word_start), out);
}

std::vector<std::int32_t> ByteFallbackBpeTokenizer::initial_symbols(std::string_view word) const {
  std::vector<std::int32_t> symbols;
  // An unknown character waits before it is added, so that fuse_unk can join the next one to
  // it; characters spelled in bytes do not flush it, as in the tokenizers library.
  std::optional<std::int32_t> pending_unk;
  for (std::string_view character : characters(word)) {
    if (const auto id = table_.vocab_id(character)) {
      if (pending_unk) symbols.push_back(*pending_unk);
      pending_unk.reset();
      symbols.push_back(*id);
      continue;
    }
    const bool all_bytes = std::all_of(character.begin(), character.end(), [&](char byte) {
      return byte_ids_[static_cast<unsigned char>(byte)] >= 0;
    });
    if (all_bytes) {
      for (char byte : character) symbols.push_back(byte_ids_[static_cast<unsigned char>(byte)]);
      continue;
    }
    if (!model_unk_id_) continue;  // nothing to write it with: dropped, as in the library
    if (pending_unk && !fuse_unk_) symbols.push_back(*pending_unk);
    pending_unk = model_unk_id_;
  }
  if (pending_unk) symbols.push_back(*pending_unk);
  return symbols;
}

void ByteFallbackBpeTokenizer::encode_word(std::string_view word,
                                           std::vector<std::int32_t>& out) const {
  if (word.empty()) return;
  if (ignore_merges_) {
    if (const auto whole = table_.vocab_id(word)) {
      out.push_back(*whole);
      return;
    }
  }
  // Symbols in a linked list; the queue holds candidate merges of neighbours, checked again
  // when taken because a neighbour may have changed since.
  std::vector<std::int32_t> id = initial_symbols(word);
  const std::size_t count = id.size();
  std::vector<std::size_t> next(count), previous(count);
  std::vector<bool> removed(count, false);
  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  for (std::size_t i = 0; i < count; ++i) {
    next[i] = i + 1 < count ? i + 1 : kNone;
    previous[i] = i > 0 ? i - 1 : kNone;
  }
  std::priority_queue<Candidate> queue;
  const auto offer = [&](std::size_t left) {
    if (left == kNone || next[left] == kNone) return;
    if (const auto merge = table_.merge_of(id[left], id[next[left]]))
      queue.push({merge->rank, left, merge->result});
  };
  for (std::size_t i = 0; i + 1 < count; ++i) offer(i);
  while (!queue.empty()) {
    const Candidate top = queue.top();
    queue.pop();
    if (removed[top.position] || next[top.position] == kNone) continue;
    const std::size_t right = next[top.position];
    const auto merge = table_.merge_of(id[top.position], id[right]);
    if (!merge || merge->result != top.result) continue;  // stale
    id[top.position] = top.result;
    removed[right] = true;
    next[top.position] = next[right];
    if (next[right] != kNone) previous[next[right]] = top.position;
    offer(previous[top.position]);
    offer(top.position);
  }
  for (std::size_t i = 0; i < count; ++i)
    if (!removed[i]) out.push_back(id[i]);
}

std::string ByteFallbackBpeTokenizer::decode(const std::vector<std::int32_t>& ids,
                                             bool skip_special_tokens) const {
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  const auto& added = table_.added_tokens();
  for (std::int32_t id : ids) {
    const auto token = table_.id_to_token(id);
    if (!token) {
      throw Error(source_ + ": cannot decode id " + std::to_string(id) +
                  ": it is not in the vocabulary (" + std::to_string(vocab_size()) + " ids)");
    }
    if (skip_special_tokens) {
      const bool special = std::any_of(added.begin(), added.end(), [&](const AddedToken& entry) {
        return entry.id == id && entry.special;
      });
      if (special) continue;
    }
    tokens.push_back(*token);
  }
  std::string text;
  for (const std::string& piece : decode_steps(std::move(tokens))) {
    if (!has_decoder_ && !text.empty()) text += ' ';
    text += piece;
  }
  return text;
}

std::vector<std::string> ByteFallbackBpeTokenizer::decode_steps(
    std::vector<std::string> tokens) const {
  for (const DecoderStep& step : decoder_) {
    switch (step.kind) {
      case DecoderStep::Kind::replace:
        for (std::string& token : tokens) replace_all(token, step.pattern, step.text);
        break;
      case DecoderStep::Kind::byte_fallback: {
        // Runs of byte tokens become their text, or one U+FFFD per byte when not UTF-8.
        std::vector<std::string> joined;
        std::string bytes;
        std::size_t run = 0;
        const auto flush = [&] {
          if (run == 0) return;
          if (is_valid_utf8(bytes)) {
            joined.push_back(bytes);
          } else {
            for (std::size_t i = 0; i < run; ++i) joined.emplace_back("\xEF\xBF\xBD");
          }
          bytes.clear();
          run = 0;
        };
        for (std::string& token : tokens) {
          if (const auto byte = byte_token_value(token)) {
            bytes.push_back(static_cast<char>(*byte));
            ++run;
            continue;
          }
          flush();
          joined.push_back(std::move(token));
        }
        flush();
        tokens = std::move(joined);
        break;
      }
      case DecoderStep::Kind::fuse: {
        std::string whole;
        for (const std::string& token : tokens) whole += token;
        tokens = {whole};
        break;
      }
      case DecoderStep::Kind::strip:
        for (std::string& token : tokens) {
          std::vector<std::string_view> chars = characters(token);
          std::size_t begin = 0, end = chars.size();
          while (begin < std::min(step.start, chars.size()) && chars[begin] == step.text) ++begin;
          std::size_t stripped = 0;
          while (stripped < step.stop && end > begin && chars[end - 1] == step.text) {
            --end;
            ++stripped;
          }
          std::string kept;
          for (std::size_t i = begin; i < end; ++i) kept += chars[i];
          token = std::move(kept);
        }
        break;
      case DecoderStep::Kind::metaspace:
        // The first token loses its replacement characters when the encoder put one before
        // the text; elsewhere they are spaces (the tokenizers library's rule).
        for (std::size_t i = 0; i < tokens.size(); ++i) {
          const bool drop = i == 0 && step.prepend != PrependScheme::never;
          replace_all(tokens[i], step.text, drop ? "" : " ");
        }
        break;
    }
  }
  return tokens;
}

std::vector<std::int32_t> ByteFallbackBpeTokenizer::add_special_tokens(
    const std::vector<std::string>& contents) {
  const auto ids =
      table_.add_special_tokens(contents, BpeTokenizer::VocabularySpelling::as_written);
  index_added_tokens();
  return ids;
}

std::string ByteFallbackBpeTokenizer::json_text() const {
  auto root = nlohmann::ordered_json::parse(file_text_);  // it parsed once already
  root["added_tokens"] = added_tokens_json<nlohmann::ordered_json>(table_.added_tokens());
  return root.dump(2) + "\n";
}

}  // namespace paddock::transformer
