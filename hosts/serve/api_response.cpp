// Response bodies and stream chunks.
#include "api_response.hpp"

#include <algorithm>

namespace paddock::serve {
namespace {

using nlohmann::ordered_json;

const char* object_name(Endpoint endpoint, bool chunk) {
  if (endpoint == Endpoint::completions) return "text_completion";
  return chunk ? "chat.completion.chunk" : "chat.completion";
}

ordered_json header(const ResponseContext& context, bool chunk) {
  return {{"id", context.id},
          {"object", object_name(context.endpoint, chunk)},
          {"created", context.created},
          {"model", context.model}};
}

// A token's text for JSON: itself when valid UTF-8, else OpenAI's "bytes:\xNN" spelling.
std::string printable_token(const std::string& bytes) {
  if (is_valid_utf8(bytes)) return bytes;
  static const char* digits = "0123456789abcdef";
  std::string text = "bytes:";
  for (const unsigned char byte : bytes) {
    text += "\\x";
    text += digits[byte >> 4];
    text += digits[byte & 15];
  }
  return text;
}

std::string bytes_of(const ResponseContext& context, std::int64_t token) {
  return context.token_bytes ? context.token_bytes(token) : "token_id:" + std::to_string(token);
}

// The alternatives listed at token `i` of a sample (none when not asked or not known).
const std::vector<TokenAlternative>& alternatives_at(const SampleProgress& sample, std::size_t i) {
  static const std::vector<TokenAlternative> none;
  return i < sample.top_logprobs.size() ? sample.top_logprobs[i] : none;
}

// Chat's description of one token: its text, log-probability and bytes.
ordered_json chat_token(const ResponseContext& context, std::int64_t token, float logprob) {
  const std::string bytes = bytes_of(context, token);
  ordered_json byte_list = ordered_json::array();
  for (const unsigned char byte : bytes) byte_list.push_back(byte);
  return {{"token", printable_token(bytes)}, {"logprob", logprob}, {"bytes", byte_list}};
}

// Log-probabilities of tokens [from, end) of a sample of prompt `prompt`: the completions
// shape (parallel arrays; text_offset counts characters from the prompt's start, as OpenAI's
// does) or the chat shape (one object per token).
ordered_json logprobs_of(const ResponseContext& context, const SampleProgress& sample,
                         std::size_t from, std::size_t prompt) {
  const std::size_t end = std::min(sample.token_ids.size(), sample.token_logprobs.size());
  if (context.endpoint == Endpoint::chat) {
    ordered_json content = ordered_json::array();
    for (std::size_t i = from; i < end; ++i) {
      ordered_json item = chat_token(context, sample.token_ids[i], sample.token_logprobs[i]);
      ordered_json top = ordered_json::array();
      for (const TokenAlternative& alternative : alternatives_at(sample, i))
        top.push_back(chat_token(context, alternative.token_id, alternative.logprob));
      item["top_logprobs"] = std::move(top);
      content.push_back(std::move(item));
    }
    return {{"content", content}};
  }
  ordered_json tokens = ordered_json::array(), logprobs = ordered_json::array(),
               offsets = ordered_json::array(), top = ordered_json::array();
  std::size_t offset =
      prompt < context.prompt_characters.size() ? context.prompt_characters[prompt] : 0;
  for (std::size_t i = 0; i < end; ++i) {
    const std::string bytes = bytes_of(context, sample.token_ids[i]);
    if (i >= from) {
      tokens.push_back(printable_token(bytes));
      logprobs.push_back(sample.token_logprobs[i]);
      offsets.push_back(offset);
      if (context.top_logprobs > 0) {
        // The likeliest tokens and, as OpenAI adds it, the sampled one: up to logprobs + 1.
        ordered_json likeliest = ordered_json::object();
        for (const TokenAlternative& alternative : alternatives_at(sample, i)) {
          const std::string text = printable_token(bytes_of(context, alternative.token_id));
          if (!likeliest.contains(text)) likeliest[text] = alternative.logprob;
        }
        if (const std::string text = printable_token(bytes); !likeliest.contains(text))
          likeliest[text] = sample.token_logprobs[i];
        top.push_back(std::move(likeliest));
      }
    }
    offset += character_count(bytes);
  }
  return {{"tokens", tokens},
          {"token_logprobs", logprobs},
          {"top_logprobs", context.top_logprobs > 0 ? top : ordered_json()},
          {"text_offset", offsets}};
}

ordered_json usage_json(const Usage& usage) {
  return {{"prompt_tokens", usage.prompt_tokens},
          {"completion_tokens", usage.completion_tokens},
          {"total_tokens", usage.prompt_tokens + usage.completion_tokens}};
}

}  // namespace

ordered_json full_response(const ResponseContext& context,
                           const std::vector<std::vector<SampleProgress>>& results,
                           const Usage& usage) {
  ordered_json response = header(context, /*chunk=*/false);
  ordered_json choices = ordered_json::array();
  std::size_t index = 0;
  for (std::size_t prompt = 0; prompt < results.size(); ++prompt) {
    for (const SampleProgress& sample : results[prompt]) {
      ordered_json choice = {{"index", index++}};
      if (context.endpoint == Endpoint::chat) {
        choice["message"] = {{"role", "assistant"}, {"content", sample.text}};
      } else {
        choice["text"] = sample.text;
      }
      choice["logprobs"] =
          context.logprobs ? logprobs_of(context, sample, 0, prompt) : ordered_json();
      choice["finish_reason"] = sample.finish_reason;
      choices.push_back(std::move(choice));
    }
  }
  response["choices"] = std::move(choices);
  response["usage"] = usage_json(usage);
  return response;
}

ordered_json stream_chunk(const ResponseContext& context, std::size_t index,
                          const std::string& text, const SampleProgress& sample,
                          std::size_t from_token, bool first, const std::string& finish_reason) {
  ordered_json chunk = header(context, /*chunk=*/true);
  ordered_json choice = {{"index", index}};
  if (context.endpoint == Endpoint::chat) {
    ordered_json delta = ordered_json::object();
    if (first) delta["role"] = "assistant";
    if (!text.empty() || (first && finish_reason.empty())) delta["content"] = text;
    choice["delta"] = std::move(delta);
  } else {
    choice["text"] = text;
  }
  const auto prompt =
      index / static_cast<std::size_t>(std::max<std::int64_t>(1, context.samples_per_prompt));
  choice["logprobs"] =
      context.logprobs ? logprobs_of(context, sample, from_token, prompt) : ordered_json();
  choice["finish_reason"] = finish_reason.empty() ? ordered_json() : ordered_json(finish_reason);
  chunk["choices"] = ordered_json::array({choice});
  return chunk;
}

ordered_json usage_chunk(const ResponseContext& context, const Usage& usage) {
  ordered_json chunk = header(context, /*chunk=*/true);
  chunk["choices"] = ordered_json::array();
  chunk["usage"] = usage_json(usage);
  return chunk;
}

std::size_t stable_text_length(const std::string& text, const std::vector<std::string>& stop) {
  std::size_t length = text.size();
  // An unfinished character is shown as U+FFFD (EF BF BD) until its last byte arrives.
  static const std::string replacement = "\xEF\xBF\xBD";
  if (length >= 3 && text.compare(length - 3, 3, replacement) == 0) length -= 3;
  // Hold back the longest tail that is the start of a stop string.
  std::size_t hold = 0;
  for (const std::string& sequence : stop) {
    for (std::size_t size = std::min(sequence.size() - 1, length); size > hold; --size) {
      if (text.compare(length - size, size, sequence, 0, size) == 0) {
        hold = size;
        break;
      }
    }
  }
  length -= hold;
  // Never cut inside a character.
  while (length > 0 && length < text.size() &&
         (static_cast<unsigned char>(text[length]) & 0xC0) == 0x80)
    --length;
  return length;
}

std::size_t character_count(std::string_view text) {
  std::size_t count = 0;
  for (const char byte : text)
    if ((static_cast<unsigned char>(byte) & 0xC0) != 0x80) ++count;
  return count;
}

bool is_valid_utf8(const std::string& bytes) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    const unsigned char lead = static_cast<unsigned char>(bytes[i]);
    std::size_t extra = 0;
    std::uint32_t code = 0;
    if (lead < 0x80) {
      ++i;
      continue;
    } else if ((lead & 0xE0) == 0xC0) {
      extra = 1, code = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
      extra = 2, code = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
      extra = 3, code = lead & 0x07;
    } else {
      return false;
    }
    if (i + extra >= bytes.size()) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      const unsigned char next = static_cast<unsigned char>(bytes[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    const std::uint32_t smallest[] = {0, 0x80, 0x800, 0x10000};
    if (code < smallest[extra] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
      return false;
    i += extra + 1;
  }
  return true;
}

}  // namespace paddock::serve
