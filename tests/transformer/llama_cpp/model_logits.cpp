// Paddock's logits for rows of token ids, for the cross-check with llama.cpp (compare.sh):
//
//   model_logits CHECKPOINT_DIR < ROWS > LOGITS
//
// ROWS: one row of space-separated token ids per line. LOGITS: for every row and every
// position, the vocabulary's logits as float32 in the machine's byte order, rows one after
// the other; each row is run alone through Decoder::forward, as training and scoring do.
#include <torch/torch.h>

#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "paddock/transformer/decoder_checkpoint.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: model_logits CHECKPOINT_DIR < ROWS > LOGITS\n";
    return 2;
  }
  try {
    torch::NoGradGuard no_grad;
    const auto checkpoint = paddock::transformer::load_decoder_checkpoint(argv[1], torch::kCPU);
    const auto& decoder = checkpoint.decoder;
    std::string line;
    while (std::getline(std::cin, line)) {
      std::vector<std::int64_t> ids;
      std::istringstream fields(line);
      for (std::int64_t id; fields >> id;) ids.push_back(id);
      if (ids.empty()) continue;
      const auto count = static_cast<std::int64_t>(ids.size());
      const auto row = torch::tensor(ids, torch::kLong).view({1, count});
      const auto mask = torch::ones_like(row);
      const auto hidden =
          decoder.forward(row, paddock::transformer::positions_from_mask(mask), mask);
      const auto logits = decoder.logits(hidden).contiguous();
      std::fwrite(logits.data_ptr<float>(), sizeof(float), static_cast<std::size_t>(logits.numel()),
                  stdout);
    }
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "model_logits: " << error.what() << "\n";
    return 1;
  }
}
