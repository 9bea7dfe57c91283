// Indexing and checking the pieces of a SentencePiece model.
#include "paddock/transformer/sentencepiece_vocabulary.hpp"

#include <string>

#include "paddock/error.hpp"
#include "paddock/transformer/sentencepiece_normalizer.hpp"
#include "paddock/transformer/text_replace.hpp"

namespace paddock::transformer {
namespace {

bool is_segment_piece(SentencePieceType type) {
  return type == SentencePieceType::normal || type == SentencePieceType::user_defined ||
         type == SentencePieceType::unused;
}

int hex_digit(char character) {
  if (character >= '0' && character <= '9') return character - '0';
  if (character >= 'A' && character <= 'F') return character - 'A' + 10;
  return -1;  // SentencePiece writes upper case only, and matches exactly
}

}  // namespace

std::optional<unsigned char> sentencepiece_byte_piece_value(std::string_view piece) {
  if (piece.size() != 6 || piece.substr(0, 3) != "<0x" || piece[5] != '>') return std::nullopt;
  const int high = hex_digit(piece[3]);
  const int low = hex_digit(piece[4]);
  if (high < 0 || low < 0) return std::nullopt;
  return static_cast<unsigned char>(high * 16 + low);
}

std::string sentencepiece_byte_piece(unsigned char byte) {
  constexpr char kDigits[] = "0123456789ABCDEF";
  return std::string("<0x") + kDigits[byte >> 4] + kDigits[byte & 15] + ">";
}

std::string sentencepiece_spaces_restored(std::string_view piece) {
  std::string text(piece);
  replace_all(text, kSentencePieceSpace, " ");
  return text;
}

std::string sentencepiece_piece_text(std::string_view piece) {
  if (const auto byte = sentencepiece_byte_piece_value(piece))
    return std::string(1, static_cast<char>(*byte));
  return sentencepiece_spaces_restored(piece);
}

SentencePieceVocabulary::SentencePieceVocabulary(std::vector<SentencePieceEntry> pieces,
                                                 bool byte_fallback, std::string_view label)
    : pieces_(std::move(pieces)), byte_fallback_(byte_fallback), byte_ids_(256, -1) {
  const std::string where(label);
  for (std::size_t index = 0; index < pieces_.size(); ++index) {
    const auto id = static_cast<std::int32_t>(index);
    const SentencePieceEntry& entry = pieces_[index];
    const std::string named =
        where + ": pieces[" + std::to_string(index) + "] '" + entry.piece + "'";
    if (entry.piece.empty())
      throw Error(where + ": pieces[" + std::to_string(index) + "] is empty");
    auto& map = is_segment_piece(entry.type) ? segment_pieces_ : reserved_pieces_;
    const auto [existing, inserted] = map.emplace(entry.piece, id);
    if (!inserted) {
      throw Error(named + " is already pieces[" + std::to_string(existing->second) + "]");
    }
    switch (entry.type) {
      case SentencePieceType::user_defined:
        user_defined_symbols_.insert(entry.piece, id);
        break;
      case SentencePieceType::unknown:
        if (unk_id_ >= 0) {
          throw Error(named + " is a second unknown piece (the first is pieces[" +
                      std::to_string(unk_id_) + "])");
        }
        unk_id_ = id;
        break;
      case SentencePieceType::byte: {
        if (!byte_fallback_) {
          throw Error(named + " is a byte piece, but trainer_spec.byte_fallback is false");
        }
        const auto value = sentencepiece_byte_piece_value(entry.piece);
        if (!value) throw Error(named + " is a byte piece not spelled <0xXX>");
        byte_ids_[*value] = id;
        byte_values_[id] = *value;
        break;
      }
      default:
        break;
    }
  }
  if (unk_id_ < 0) throw Error(where + ": the model has no unknown piece (type UNKNOWN)");
  if (byte_fallback_) {
    for (int byte = 0; byte < 256; ++byte) {
      if (byte_ids_[byte] < 0) {
        static const char* hex = "0123456789ABCDEF";
        throw Error(where + ": trainer_spec.byte_fallback is true, but the byte piece <0x" +
                    hex[byte / 16] + hex[byte % 16] + "> is missing (all 256 are needed)");
      }
    }
  }
}

std::optional<std::int32_t> SentencePieceVocabulary::find_segment_piece(
    std::string_view piece) const {
  const auto found = segment_pieces_.find(piece);
  if (found == segment_pieces_.end()) return std::nullopt;
  return found->second;
}

std::optional<std::int32_t> SentencePieceVocabulary::find(std::string_view piece) const {
  if (const auto found = reserved_pieces_.find(piece); found != reserved_pieces_.end()) {
    return found->second;
  }
  return find_segment_piece(piece);
}

std::int32_t SentencePieceVocabulary::piece_to_id(std::string_view piece) const {
  return find(piece).value_or(unk_id_);
}

unsigned char SentencePieceVocabulary::byte_value(std::int32_t id) const {
  return byte_values_.at(id);
}

}  // namespace paddock::transformer
