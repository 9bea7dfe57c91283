// A SentencePieceTokenizer as a Tokenizer.
#pragma once

#include <memory>

#include "paddock/transformer/sentencepiece_tokenizer.hpp"
#include "paddock/transformer/tokenizer.hpp"

namespace paddock::transformer {

std::unique_ptr<Tokenizer> make_sentencepiece_tokenizer(SentencePieceTokenizer tokenizer);

}  // namespace paddock::transformer
