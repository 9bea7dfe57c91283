// tiktoken BPE rank files (`*.tiktoken`, e.g. cl100k_base.tiktoken for OpenAI's chat models):
// one token per line, "BASE64(token bytes) RANK", the rank being the token's id. Special
// tokens such as <|endoftext|> are not in these files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace paddock::annotators {

class TiktokenRanks {
 public:
  // Throws paddock::Error naming FILE:LINE:COL for: a line that is not two fields, invalid
  // base64, a rank that is not a non-negative integer, a token or rank given twice; and for
  // a file that cannot be read or holds no tokens.
  static TiktokenRanks load(const std::filesystem::path& file);
  // `label` names the source in errors.
  static TiktokenRanks parse(std::string_view text, const std::string& label);

  std::optional<std::int64_t> rank_of(std::string_view token_bytes) const;
  std::size_t size() const { return ranks_.size(); }

  // The pieces byte-pair merging by rank gives for `bytes` taken as one piece (tiktoken's
  // merge, without the encoding's pre-tokenizer regex, which the rank file does not carry);
  // a piece without a rank has id -1.
  std::vector<std::pair<std::string, std::int64_t>> merge_pieces(std::string_view bytes) const;

 private:
  std::unordered_map<std::string, std::int64_t> ranks_;
};

// Standard base64 (A-Z a-z 0-9 + /, '=' padding) -> bytes; nullopt when malformed, with the
// 0-based offset of the first bad character in `bad_offset`.
std::optional<std::string> decode_base64(std::string_view text, std::size_t& bad_offset);

}  // namespace paddock::annotators
