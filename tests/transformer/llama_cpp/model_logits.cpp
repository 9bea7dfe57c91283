// Paddock's side of the cross-check with llama.cpp (compare.sh):
//
//   model_logits CHECKPOINT_DIR < ROWS > LOGITS
//   model_logits --greedy N CHECKPOINT_DIR < ROWS > CONTINUATIONS
//   model_logits --resave OUT_DIR CHECKPOINT_DIR
//
// ROWS: one row of space-separated token ids per line. LOGITS: for every row and every
// position, the vocabulary's logits as float32 in the machine's byte order, rows one after
// the other; each row is run alone through Decoder::forward, as training and scoring do.
// CONTINUATIONS: each row's N greedy tokens, one line per row, from the sampler every node
// uses (KV cache, rows of different lengths left-padded in one continuous batch of two,
// a finished row's slot refilled), never stopping at an end-of-sequence token. --resave
// writes the checkpoint back as Paddock saves models (config.json, safetensors in shards of
// about a third of the weights, their index), for another program to read.
#include <torch/torch.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "paddock/transformer/decoder_checkpoint.hpp"
#include "paddock/transformer/sampler.hpp"

namespace {

using paddock::transformer::Decoder;

std::vector<std::vector<std::int64_t>> read_rows() {
  std::vector<std::vector<std::int64_t>> rows;
  std::string line;
  while (std::getline(std::cin, line)) {
    std::vector<std::int64_t> ids;
    std::istringstream fields(line);
    for (std::int64_t id; fields >> id;) ids.push_back(id);
    if (!ids.empty()) rows.push_back(std::move(ids));
  }
  return rows;
}

void write_logits(const Decoder& decoder, const std::vector<std::vector<std::int64_t>>& rows) {
  torch::NoGradGuard no_grad;
  for (const auto& ids : rows) {
    const auto count = static_cast<std::int64_t>(ids.size());
    const auto row = torch::tensor(ids, torch::kLong).view({1, count});
    const auto mask = torch::ones_like(row);
    const auto hidden = decoder.forward(row, paddock::transformer::positions_from_mask(mask), mask);
    const auto logits = decoder.logits(hidden).contiguous();
    std::fwrite(logits.data_ptr<float>(), sizeof(float), static_cast<std::size_t>(logits.numel()),
                stdout);
  }
}

void write_greedy(const Decoder& decoder, const std::vector<std::vector<std::int64_t>>& rows,
                  std::int64_t new_tokens) {
  paddock::GenerationOptions options;
  options.temperature = 0;
  options.max_new_tokens = new_tokens;
  options.batch_size = 2;
  paddock::transformer::SamplingVocabulary vocabulary;  // no end token, every id may be chosen
  vocabulary.decode = [](const std::vector<std::int64_t>&) { return std::string(); };
  const auto generated =
      paddock::transformer::sample_continuations(decoder, rows, options, vocabulary);
  for (const auto& samples : generated) {
    const auto& ids = samples.at(0).token_ids;
    for (std::size_t i = 0; i < ids.size(); ++i) std::cout << (i ? " " : "") << ids[i];
    std::cout << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  const bool greedy = argc == 4 && std::strcmp(argv[1], "--greedy") == 0;
  const bool resave = argc == 4 && std::strcmp(argv[1], "--resave") == 0;
  if (argc != 2 && !greedy && !resave) {
    std::cerr << "usage: model_logits [--greedy N | --resave OUT_DIR] CHECKPOINT_DIR\n";
    return 2;
  }
  try {
    const auto checkpoint =
        paddock::transformer::load_decoder_checkpoint(argv[argc - 1], torch::kCPU);
    if (resave) {
      const auto bytes = 4 * checkpoint.decoder.config().parameter_count();
      paddock::transformer::save_decoder_checkpoint(checkpoint.decoder, checkpoint.heads, argv[2],
                                                    static_cast<std::uint64_t>(bytes / 3));
      return 0;
    }
    const auto rows = read_rows();
    if (greedy) {
      write_greedy(checkpoint.decoder, rows, std::stoll(argv[2]));
    } else {
      write_logits(checkpoint.decoder, rows);
    }
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "model_logits: " << error.what() << "\n";
    return 1;
  }
}
