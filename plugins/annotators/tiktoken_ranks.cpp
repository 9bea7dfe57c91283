// Reading tiktoken rank files and merging bytes by rank.
#include "tiktoken_ranks.hpp"

#include <charconv>
#include <fstream>
#include <limits>
#include <sstream>
#include <unordered_set>

#include "paddock/core/files.hpp"
#include "paddock/error.hpp"

namespace paddock::annotators {
namespace {

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::optional<std::string> decode_base64(std::string_view text, std::size_t& bad_offset) {
  std::string out;
  if (text.empty() || text.size() % 4 != 0) {
    bad_offset = text.size();  // the text ends too early (or is empty)
    return std::nullopt;
  }
  std::size_t padding = 0;
  if (text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  std::uint32_t buffer = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool in_padding = i >= text.size() - padding;
    const int value = in_padding ? 0 : base64_value(text[i]);
    if (value < 0 || (in_padding && text[i] != '=')) {
      bad_offset = i;
      return std::nullopt;
    }
    buffer = (buffer << 6) | static_cast<std::uint32_t>(value);
    if (i % 4 == 3) {
      out.push_back(static_cast<char>((buffer >> 16) & 0xff));
      out.push_back(static_cast<char>((buffer >> 8) & 0xff));
      out.push_back(static_cast<char>(buffer & 0xff));
      buffer = 0;
    }
  }
  out.resize(out.size() - padding);
  return out;
}

TiktokenRanks TiktokenRanks::load(const std::filesystem::path& file) {
  core::refuse_special_file(file);  // a FIFO or a device would never end
  std::ifstream stream(file, std::ios::binary);
  if (!stream) throw Error(file.string() + ": cannot read the tiktoken rank file");
  std::ostringstream text;
  text << stream.rdbuf();
  return parse(text.str(), file.string());
}

TiktokenRanks TiktokenRanks::parse(std::string_view text, const std::string& label) {
  TiktokenRanks ranks;
  std::unordered_set<std::int64_t> seen_ranks;
  std::size_t line_number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;  // tiktoken skips blank lines too
    const auto where = [&](std::size_t column) {
      return label + ":" + std::to_string(line_number) + ":" + std::to_string(column + 1) + ": ";
    };
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos || line.find(' ', space + 1) != std::string_view::npos) {
      throw Error(where(0) + "expected 'BASE64_TOKEN RANK' (two fields separated by one space)");
    }
    std::size_t bad = 0;
    const auto token = decode_base64(line.substr(0, space), bad);
    if (!token) {
      throw Error(where(bad) + "invalid base64 in the token '" +
                  std::string(line.substr(0, space)) + "'");
    }
    const std::string_view rank_text = line.substr(space + 1);
    std::int64_t rank = -1;
    const auto [rest, error] =
        std::from_chars(rank_text.data(), rank_text.data() + rank_text.size(), rank);
    if (error != std::errc() || rest != rank_text.data() + rank_text.size() || rank < 0 ||
        rank > std::numeric_limits<std::int32_t>::max()) {
      throw Error(where(space + 1) + "the rank '" + std::string(rank_text) +
                  "' is not a non-negative integer");
    }
    if (!seen_ranks.insert(rank).second) {
      throw Error(where(space + 1) + "rank " + std::to_string(rank) + " is given twice");
    }
    if (!ranks.ranks_.emplace(*token, rank).second) {
      throw Error(where(0) + "the token '" + std::string(line.substr(0, space)) +
                  "' is given twice (ranks " + std::to_string(ranks.ranks_[*token]) + " and " +
                  std::to_string(rank) + ")");
    }
  }
  if (ranks.ranks_.empty()) throw Error(label + ": the tiktoken rank file holds no tokens");
  return ranks;
}

std::optional<std::int64_t> TiktokenRanks::rank_of(std::string_view token_bytes) const {
  const auto found = ranks_.find(std::string(token_bytes));
  if (found == ranks_.end()) return std::nullopt;
  return found->second;
}

std::vector<std::pair<std::string, std::int64_t>> TiktokenRanks::merge_pieces(
    std::string_view bytes) const {
  std::vector<std::string> parts;
  for (char byte : bytes) parts.emplace_back(1, byte);
  // Repeatedly merge the adjacent pair whose joined bytes have the lowest rank (the
  // leftmost on a tie), until no joined pair is a token. Quadratic; the texts are words.
  while (parts.size() > 1) {
    std::int64_t best_rank = -1;
    std::size_t best = 0;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      const auto rank = rank_of(parts[i] + parts[i + 1]);
      if (rank && (best_rank < 0 || *rank < best_rank)) {
        best_rank = *rank;
        best = i;
      }
    }
    if (best_rank < 0) break;
    parts[best] += parts[best + 1];
    parts.erase(parts.begin() + static_cast<std::ptrdiff_t>(best) + 1);
  }
  std::vector<std::pair<std::string, std::int64_t>> pieces;
  for (std::string& part : parts) {
    const std::int64_t id = rank_of(part).value_or(-1);
    pieces.emplace_back(std::move(part), id);
  }
  return pieces;
}

}  // namespace paddock::annotators
