// The pieces of a SentencePiece model, indexed the way libsentencepiece indexes them: normal,
// user-defined and unused pieces in one map (the ones segmentation builds), control, unknown
// and byte pieces in another (looked up first). Construction checks what libsentencepiece
// checks when it loads a model: no piece twice within a map, exactly one unknown piece, byte
// pieces only with byte_fallback and then all 256 of them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "paddock/transformer/byte_trie.hpp"
#include "paddock/transformer/sentencepiece_model_proto.hpp"

namespace paddock::transformer {

class SentencePieceVocabulary {
 public:
  // Throws paddock::Error naming `label` and the offending piece.
  SentencePieceVocabulary(std::vector<SentencePieceEntry> pieces, bool byte_fallback,
                          std::string_view label);

  // Not copyable: the maps point into the pieces.
  SentencePieceVocabulary(const SentencePieceVocabulary&) = delete;
  SentencePieceVocabulary& operator=(const SentencePieceVocabulary&) = delete;

  std::size_t size() const { return pieces_.size(); }
  // `id` must be in [0, size()).
  const SentencePieceEntry& entry(std::int32_t id) const { return pieces_[id]; }
  SentencePieceType type(std::int32_t id) const { return pieces_[id].type; }

  // A normal, user-defined or unused piece spelled `piece`.
  std::optional<std::int32_t> find_segment_piece(std::string_view piece) const;
  // Any piece spelled `piece`, control/unknown/byte ones first.
  std::optional<std::int32_t> find(std::string_view piece) const;
  // libsentencepiece's PieceToId: find(), else the unknown piece.
  std::int32_t piece_to_id(std::string_view piece) const;

  std::int32_t unk_id() const { return unk_id_; }
  bool byte_fallback() const { return byte_fallback_; }
  // The id of byte piece <0xXX>; only with byte_fallback.
  std::int32_t byte_id(unsigned char byte) const { return byte_ids_[byte]; }
  // The byte a BYTE piece stands for.
  unsigned char byte_value(std::int32_t id) const;

  const ByteTrie& user_defined_symbols() const { return user_defined_symbols_; }
  const std::vector<SentencePieceEntry>& pieces() const { return pieces_; }

 private:
  std::vector<SentencePieceEntry> pieces_;
  std::unordered_map<std::string_view, std::int32_t> segment_pieces_;
  std::unordered_map<std::string_view, std::int32_t> reserved_pieces_;
  std::int32_t unk_id_ = -1;
  bool byte_fallback_ = false;
  std::vector<std::int32_t> byte_ids_;
  std::unordered_map<std::int32_t, unsigned char> byte_values_;
  ByteTrie user_defined_symbols_;
};

// The byte a piece spelled "<0xXX>" (two upper-case hex digits) stands for, or nullopt.
std::optional<unsigned char> sentencepiece_byte_piece_value(std::string_view piece);
// The piece that spells `byte`: "<0x0A>" for a newline.
std::string sentencepiece_byte_piece(unsigned char byte);

// A piece with its "▁" written as spaces.
std::string sentencepiece_spaces_restored(std::string_view piece);

// The text a piece stands for where it sits in a text: a byte piece is its byte, any other
// its spaces restored (a word-initial "▁the" is " the", which decoding it alone drops).
std::string sentencepiece_piece_text(std::string_view piece);

}  // namespace paddock::transformer
