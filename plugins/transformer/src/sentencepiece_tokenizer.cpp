// SentencePiece tokenizer.model files through libsentencepiece: loading with errors that
// name the file, and the BpeTokenizer-shaped methods over SentencePieceProcessor.
#include "paddock/transformer/sentencepiece_tokenizer.hpp"

#include <sentencepiece_processor.h>

#include <utility>

#include "paddock/core/files.hpp"
#include "paddock/error.hpp"

namespace paddock::transformer {
namespace {

// SentencePiece answers -1 for a role the model does not reserve.
std::optional<std::int32_t> reserved(int id) {
  if (id < 0) return std::nullopt;
  return id;
}

}  // namespace

SentencePieceTokenizer SentencePieceTokenizer::load(const std::filesystem::path& model_file) {
  return from_serialized(core::read_file(model_file), model_file.string());
}

SentencePieceTokenizer SentencePieceTokenizer::from_serialized(std::string_view model_bytes,
                                                               std::string_view label) {
  auto processor = std::make_unique<sentencepiece::SentencePieceProcessor>();
  const sentencepiece::util::Status status = processor->LoadFromSerializedProto(model_bytes);
  if (!status.ok()) {
    std::string reason = status.ToString();
    // The library reports a protobuf parse failure as a source location.
    if (reason.find("ParseFromArray") != std::string::npos) {
      reason =
          "its bytes are not a serialized SentencePiece ModelProto (truncated, or another "
          "kind of file)";
    }
    throw Error(std::string(label) + ": not a valid SentencePiece model: " + reason +
                "; expected the tokenizer.model file of a SentencePiece tokenizer");
  }
  if (processor->GetPieceSize() <= 0) {
    throw Error(std::string(label) + ": the SentencePiece model has no pieces");
  }
  return SentencePieceTokenizer(std::move(processor), std::string(label));
}

SentencePieceTokenizer::SentencePieceTokenizer(
    std::unique_ptr<sentencepiece::SentencePieceProcessor> processor, std::string source)
    : processor_(std::move(processor)), source_(std::move(source)) {}

SentencePieceTokenizer::SentencePieceTokenizer(const SentencePieceTokenizer& other)
    : SentencePieceTokenizer(from_serialized(other.serialized_model(), other.source_)) {}

SentencePieceTokenizer& SentencePieceTokenizer::operator=(const SentencePieceTokenizer& other) {
  if (this != &other) *this = SentencePieceTokenizer(other);
  return *this;
}

SentencePieceTokenizer::SentencePieceTokenizer(SentencePieceTokenizer&&) noexcept = default;
SentencePieceTokenizer& SentencePieceTokenizer::operator=(SentencePieceTokenizer&&) noexcept =
    default;
SentencePieceTokenizer::~SentencePieceTokenizer() = default;

std::string SentencePieceTokenizer::serialized_model() const {
  return processor_->serialized_model_proto();
}

void SentencePieceTokenizer::save(const std::filesystem::path& model_file) const {
  core::write_file_atomically(model_file, serialized_model());
}

std::vector<std::int32_t> SentencePieceTokenizer::encode(std::string_view text) const {
  std::vector<int> ids;
  const sentencepiece::util::Status status = processor_->Encode(text, &ids);
  if (!status.ok()) throw Error(source_ + ": cannot encode text: " + status.ToString());
  return {ids.begin(), ids.end()};
}

std::string SentencePieceTokenizer::decode(const std::vector<std::int32_t>& ids,
                                           bool skip_special_tokens) const {
  for (std::int32_t id : ids) {
    if (id < 0 || static_cast<std::size_t>(id) >= vocab_size()) {
      throw Error(source_ + ": cannot decode id " + std::to_string(id) +
                  ": it is not in the vocabulary (" + std::to_string(vocab_size()) + " ids)");
    }
  }
  // SentencePiece drops control tokens when decoding, which is what skipping them means.
  if (skip_special_tokens) return decode_pieces({ids.begin(), ids.end()});
  std::string text;
  std::vector<int> run;  // ids between control tokens, decoded together
  for (std::int32_t id : ids) {
    if (is_control(id)) {
      text += decode_pieces(run);
      run.clear();
      text += processor_->IdToPiece(id);
    } else {
      run.push_back(id);
    }
  }
  return text + decode_pieces(run);
}

std::string SentencePieceTokenizer::decode_pieces(const std::vector<int>& ids) const {
  std::string text;
  if (ids.empty()) return text;
  const sentencepiece::util::Status status = processor_->Decode(ids, &text);
  if (!status.ok()) throw Error(source_ + ": cannot decode ids: " + status.ToString());
  return text;
}

bool SentencePieceTokenizer::is_control(std::int32_t id) const {
  return processor_->IsControl(id);
}

std::optional<std::int32_t> SentencePieceTokenizer::token_to_id(std::string_view piece) const {
  const int id = processor_->PieceToId(piece);
  // PieceToId answers unk's id for a piece the model lacks.
  if (id < 0 || (processor_->IsUnknown(id) && processor_->IdToPiece(id) != piece)) {
    return std::nullopt;
  }
  return id;
}

std::optional<std::string> SentencePieceTokenizer::id_to_token(std::int32_t id) const {
  if (id < 0 || static_cast<std::size_t>(id) >= vocab_size()) return std::nullopt;
  return processor_->IdToPiece(id);
}

std::size_t SentencePieceTokenizer::vocab_size() const {
  return static_cast<std::size_t>(processor_->GetPieceSize());
}

std::optional<std::int32_t> SentencePieceTokenizer::bos_id() const {
  return reserved(processor_->bos_id());
}
std::optional<std::int32_t> SentencePieceTokenizer::eos_id() const {
  return reserved(processor_->eos_id());
}
std::optional<std::int32_t> SentencePieceTokenizer::pad_id() const {
  return reserved(processor_->pad_id());
}
std::optional<std::int32_t> SentencePieceTokenizer::unk_id() const {
  return reserved(processor_->unk_id());
}

}  // namespace paddock::transformer
