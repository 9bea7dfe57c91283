// sentencepiece_bench: how fast Paddock's SentencePieceTokenizer encodes compared with
// libsentencepiece, on LLaMA-sized settings the library trains here from a text file (by
// default the licence texts under /usr/share/common-licenses): a BPE model with byte
// fallback and the identity normalizer (LLaMA's), and a unigram model with nmt_nfkc. Every
// line is encoded by both; the ids must agree, and the bench says how many lines differ.
//
//   sentencepiece_bench [TEXT_FILE]
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "paddock/transformer/sentencepiece_tokenizer.hpp"

namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> read_lines(const std::vector<std::filesystem::path>& files) {
  std::vector<std::string> lines;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) lines.push_back(line);
    }
  }
  return lines;
}

template <class Work>
double seconds_for(const Work& work) {
  work();  // warm-up
  const auto start = Clock::now();
  work();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void compare(const char* name, const std::string& options, const std::filesystem::path& corpus,
             const std::vector<std::string>& lines, std::size_t bytes) {
  const std::filesystem::path prefix = std::filesystem::temp_directory_path() / name;
  const auto status = sentencepiece::SentencePieceTrainer::Train(
      "--input=" + corpus.string() + " --model_prefix=" + prefix.string() + " " + options +
      " --character_coverage=1.0 --hard_vocab_limit=false --num_threads=2 --minloglevel=2");
  if (!status.ok()) {
    std::printf("%s: training failed: %s\n", name, status.ToString().c_str());
    return;
  }
  const std::string model_file = prefix.string() + ".model";
  sentencepiece::SentencePieceProcessor reference;
  if (!reference.Load(model_file).ok()) return;
  const auto tokenizer = paddock::transformer::SentencePieceTokenizer::load(model_file);

  std::size_t differing_lines = 0;
  for (const std::string& line : lines) {
    std::vector<int> expected;
    (void)reference.Encode(line, &expected);
    const auto ids = tokenizer.encode_ignoring_added_tokens(line);  // libsentencepiece's Encode
    if (std::vector<int>(ids.begin(), ids.end()) != expected) ++differing_lines;
  }
  std::size_t sink = 0;
  const double paddock_seconds = seconds_for([&] {
    for (const std::string& line : lines)
      sink += tokenizer.encode_ignoring_added_tokens(line).size();
  });
  const double reference_seconds = seconds_for([&] {
    std::vector<int> ids;
    for (const std::string& line : lines) {
      ids.clear();
      (void)reference.Encode(line, &ids);
      sink += ids.size();
    }
  });
  const double megabytes = static_cast<double>(bytes) / 1e6;
  std::printf(
      "%-12s vocab %6d  Paddock %6.2f MB/s  libsentencepiece %6.2f MB/s  lines differing: %zu of "
      "%zu%s\n",
      name, reference.GetPieceSize(), megabytes / paddock_seconds, megabytes / reference_seconds,
      differing_lines, lines.size(), sink == 0 ? " (empty)" : "");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::filesystem::path> files;
  if (argc > 1) {
    files.push_back(argv[1]);
  } else {
    for (const auto& entry : std::filesystem::directory_iterator("/usr/share/common-licenses")) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
  }
  const std::vector<std::string> lines = read_lines(files);
  std::size_t bytes = 0;
  std::ostringstream text;
  for (const std::string& line : lines) {
    bytes += line.size();
    text << line << '\n';
  }
  const std::filesystem::path corpus =
      std::filesystem::temp_directory_path() / "spm_bench_corpus.txt";
  std::ofstream(corpus) << text.str();
  std::printf("%zu lines, %.2f MB\n", lines.size(), static_cast<double>(bytes) / 1e6);
  compare("llama_bpe",
          "--model_type=bpe --vocab_size=8000 --normalization_rule_name=identity "
          "--remove_extra_whitespaces=false --split_digits=true --byte_fallback=true",
          corpus, lines, bytes);
  compare("unigram_nfkc", "--model_type=unigram --vocab_size=8000", corpus, lines, bytes);
  return 0;
}
