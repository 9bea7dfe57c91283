// TransformerModel: tokenizer, prompt template, generation, scoring and the learner-facing
// tensor interface around a Decoder.
#include "paddock/transformer/transformer_model.hpp"

#include <torch/torch.h>

#include <map>

#include "paddock/error.hpp"
#include "paddock/torch/shared_prompt_rows.hpp"
#include "paddock/torch/side_by_side.hpp"
#include "paddock/transformer/decoder_checkpoint.hpp"
#include "paddock/transformer/sampler.hpp"
#include "paddock/transformer/utf8.hpp"

namespace paddock::transformer {

TransformerModel::TransformerModel(Decoder decoder, Decoder::WeightMap heads,
                                   BpeTokenizer tokenizer, PromptTemplate prompt_template)
    : TransformerModel(std::move(decoder), std::move(heads),
                       make_bpe_tokenizer(std::move(tokenizer)), std::move(prompt_template)) {}

TransformerModel::TransformerModel(Decoder decoder, Decoder::WeightMap heads,
                                   std::unique_ptr<Tokenizer> tokenizer,
                                   PromptTemplate prompt_template)
    : decoder_(std::move(decoder)),
      heads_(std::move(heads)),
      tokenizer_(std::move(tokenizer)),
      prompt_template_(std::move(prompt_template)) {
  if (static_cast<std::int64_t>(tokenizer_->vocab_size()) > decoder_.config().vocab_size) {
    throw Error("the tokenizer has " + std::to_string(tokenizer_->vocab_size()) +
                " tokens but the model's embedding only " +
                std::to_string(decoder_.config().vocab_size));
  }
  if (!tokenizer_->eos_id())
    throw Error("the tokenizer names no end-of-sequence token (eos_token)");
}

std::shared_ptr<TransformerModel> TransformerModel::load(const std::filesystem::path& directory,
                                                         torch::Device device) {
  DecoderCheckpoint checkpoint = load_decoder_checkpoint(directory, device);
  return std::make_shared<TransformerModel>(
      std::move(checkpoint.decoder), std::move(checkpoint.heads),
      load_checkpoint_tokenizer(directory), read_prompt_template(directory));
}

std::vector<std::string> TransformerModel::capabilities() const {
  // Concurrent generate calls share only the weights and the tokenizer, which they read.
  std::vector<std::string> list = {"generate", "logprobs", "train", "concurrent_generate"};
  if (has_reward_head()) list.push_back("reward");
  if (has_value_head()) list.push_back("value");
  return list;
}

void TransformerModel::save(const std::filesystem::path& directory) const {
  save_decoder_checkpoint(decoder_, heads_, directory);
  tokenizer_->save(directory);
  write_prompt_template(prompt_template_, directory);
}

std::string TransformerModel::format_prompt(const InstructionPrompt& prompt) const {
  return prompt_template_.format(prompt);
}

InstructionTemplate TransformerModel::instruction_template() const {
  return {prompt_template_.with_input, prompt_template_.without_input};
}

void TransformerModel::set_instruction_template(const InstructionTemplate& replacement) {
  prompt_template_.with_input = replacement.with_input;
  prompt_template_.without_input = replacement.without_input;
}

std::vector<std::int64_t> TransformerModel::tokenize(const std::string& text) const {
  const auto ids = tokenizer_->encode(text);
  return {ids.begin(), ids.end()};
}

std::string TransformerModel::detokenize(const std::vector<std::int64_t>& ids) const {
  // Valid UTF-8 always: the text goes into JSON datasets and HTTP answers.
  return repair_utf8(tokenizer_->decode(std::vector<std::int32_t>(ids.begin(), ids.end()),
                                        /*skip_special_tokens=*/true));
}

std::vector<std::int64_t> TransformerModel::sequence_prefix() const {
  // LLaMA-style models start every sequence with BOS; GPT-2 does not.
  if (decoder_.config().family == ModelFamily::llama && tokenizer_->bos_id())
    return {*tokenizer_->bos_id()};
  return {};
}

std::int64_t TransformerModel::eos_token_id() const {
  return *tokenizer_->eos_id();
}

std::int64_t TransformerModel::pad_token_id() const {
  return tokenizer_->pad_id() ? *tokenizer_->pad_id() : eos_token_id();
}

std::vector<std::int64_t> TransformerModel::prompt_tokens(const std::string& prompt) const {
  std::vector<std::int64_t> tokens = sequence_prefix();
  const auto body = tokenize(prompt);
  tokens.insert(tokens.end(), body.begin(), body.end());
  return tokens;
}

SamplingVocabulary TransformerModel::sampling_vocabulary() const {
  SamplingVocabulary vocabulary;
  vocabulary.eos_token_id = eos_token_id();
  vocabulary.pad_token_id = pad_token_id();
  if (padded_ids() > 0)
    vocabulary.sampled_ids = static_cast<std::int64_t>(tokenizer_->vocab_size());
  vocabulary.decode = [this](const std::vector<std::int64_t>& tokens) {
    return detokenize(tokens);
  };
  vocabulary.encode = [this](const std::string& prompt) { return prompt_tokens(prompt); };
  return vocabulary;
}

std::int64_t TransformerModel::padded_ids() const {
  return decoder_.config().vocab_size - static_cast<std::int64_t>(tokenizer_->vocab_size());
}

std::string TransformerModel::vocabulary_note() const {
  if (padded_ids() <= 0) return "";
  return "the embedding has " + std::to_string(decoder_.config().vocab_size) +
         " rows but the tokenizer " + std::to_string(tokenizer_->vocab_size()) +
         " tokens: the last " + std::to_string(padded_ids()) +
         " ids are padding, never sampled (their log-probabilities still count, as in Hugging "
         "Face's model)";
}

std::vector<std::string> TransformerModel::load_notes() const {
  if (const std::string note = vocabulary_note(); !note.empty()) return {note};
  return {};
}

std::vector<std::vector<Generation>> TransformerModel::generate(
    const std::vector<std::string>& prompts, const GenerationOptions& options) {
  std::vector<std::vector<std::int64_t>> ids;
  ids.reserve(prompts.size());
  for (const std::string& prompt : prompts) ids.push_back(prompt_tokens(prompt));
  return sample_continuations(decoder_, ids, options, sampling_vocabulary());
}

std::vector<std::vector<Generation>> TransformerModel::generate_requests(
    const std::vector<GenerationRequest>& requests, GenerationListener* listener) {
  return sample_requests(decoder_, requests, sampling_vocabulary(), listener);
}

void TransformerModel::generate_continuously(RequestFeed& feed, GenerationListener* listener) {
  sample_continuously(decoder_, feed, sampling_vocabulary(), listener);
}

std::string TransformerModel::token_bytes(std::int64_t token_id) const {
  if (token_id < 0 || token_id >= static_cast<std::int64_t>(tokenizer_->vocab_size()))
    throw Error("token id " + std::to_string(token_id) + " is not in the tokenizer");
  return tokenizer_->token_text(static_cast<std::int32_t>(token_id));
}

std::vector<double> TransformerModel::score(std::span<const InstructionPrompt> prompts,
                                            std::span<const std::string> responses) {
  if (!has_reward_head())
    throw Error("this model has no reward head; train one with the reward_model learner");
  if (prompts.size() != responses.size())
    throw Error("score: prompts and responses differ in number");
  if (prompts.empty()) return {};
  torch::NoGradGuard no_grad;
  const std::size_t limit = static_cast<std::size_t>(max_sequence_length());
  std::vector<std::vector<std::int64_t>> sequences;
  std::vector<std::int64_t> prompt_lengths;
  std::map<std::string, std::vector<std::int64_t>> prompt_ids;  // a prompt is tokenized once
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    const std::string prompt = format_prompt(prompts[i]);
    auto found = prompt_ids.find(prompt);
    if (found == prompt_ids.end()) {
      std::vector<std::int64_t> tokens = sequence_prefix();
      const auto ids = tokenize(prompt);
      tokens.insert(tokens.end(), ids.begin(), ids.end());
      found = prompt_ids.emplace(prompt, std::move(tokens)).first;
    }
    std::vector<std::int64_t> tokens = found->second;
    std::int64_t prompt_length = static_cast<std::int64_t>(tokens.size());
    const auto response = tokenize(responses[i]);
    tokens.insert(tokens.end(), response.begin(), response.end());
    if (tokens.size() > limit) {  // keep the end; the prompt is no longer whole
      tokens.erase(tokens.begin(), tokens.end() - static_cast<std::ptrdiff_t>(limit));
      prompt_length = 0;
    }
    sequences.push_back(std::move(tokens));
    prompt_lengths.push_back(prompt_length);
  }
  // Rows of up to kResponsesPerSharedPrompt responses behind their prompt, longest first so
  // that a batch's rows are of similar length: little padding.
  std::vector<PromptedSequence> all;
  for (std::size_t i = 0; i < sequences.size(); ++i)
    all.push_back({&sequences[i], prompt_lengths[i]});
  const auto rows = plan_shared_prompt_rows(all);
  std::vector<std::size_t> row_length;
  for (const auto& row : rows) row_length.push_back(shared_prompt_row_length(all, row));
  std::vector<std::size_t> row_order(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) row_order[r] = r;
  std::stable_sort(row_order.begin(), row_order.end(),
                   [&](std::size_t a, std::size_t b) { return row_length[a] > row_length[b]; });
  std::vector<double> rewards(sequences.size());
  // Batches of whole rows holding up to 16 responses: four rows of a best-of-n group's
  // responses, or sixteen single responses.
  constexpr std::size_t kResponsesPerBatch = 16;
  std::vector<std::size_t> batch_starts = {0};  // into row_order; the last is its end
  for (std::size_t k = 0, held = 0; k < row_order.size(); ++k) {
    const std::size_t responses = rows[row_order[k]].size();
    if (held > 0 && held + responses > kResponsesPerBatch) {
      batch_starts.push_back(k);
      held = 0;
    }
    held += responses;
  }
  batch_starts.push_back(row_order.size());
  const auto score_batch = [&](std::size_t piece) {
    torch::NoGradGuard no_grad_here;  // on a worker thread too
    std::vector<std::size_t> members;
    std::vector<PromptedSequence> batch;
    std::vector<std::vector<std::size_t>> batch_rows;  // as planned, indices into `batch`
    for (std::size_t k = batch_starts[piece]; k < batch_starts[piece + 1]; ++k) {
      batch_rows.emplace_back();
      for (std::size_t i : rows[row_order[k]]) {
        batch_rows.back().push_back(batch.size());
        members.push_back(i);
        batch.push_back(all[i]);
      }
    }
    const auto values =
        shared_prompt_rewards(*this, pack_planned_rows(batch, batch_rows, pad_token_id(), device()))
            .to(torch::kCPU, torch::kFloat64);
    const auto value = values.accessor<double, 1>();
    for (std::size_t k = 0; k < members.size(); ++k)
      rewards[members[k]] = value[static_cast<std::int64_t>(k)];
  };
  // On the CPU the batches are scored side by side, one intra-op thread each: at these sizes
  // two single-threaded forward passes get more done than one on two threads.
  run_pieces(batch_starts.size() - 1, score_batch, device().is_cpu());
  return rewards;
}

torch::Tensor TransformerModel::hidden_states(const torch::Tensor& ids, const torch::Tensor& mask) {
  return decoder_.forward(ids, positions_from_mask(mask), mask);
}

torch::Tensor TransformerModel::reward(const torch::Tensor& hidden, const torch::Tensor& mask) {
  if (!has_reward_head()) throw Error("this model has no reward head");
  const std::int64_t steps = mask.size(1);
  // Each row's last token: the largest position whose mask is 1.
  const auto index =
      (mask.to(torch::kLong) * torch::arange(1, steps + 1, mask.options().dtype(torch::kLong)))
          .argmax(1);
  const auto last =
      hidden.gather(1, index.view({-1, 1, 1}).expand({-1, 1, hidden.size(2)})).squeeze(1);
  return torch::linear(last, heads_.at("score.weight"), heads_.at("score.bias")).squeeze(-1);
}

torch::Tensor TransformerModel::values(const torch::Tensor& hidden) {
  if (!has_value_head()) throw Error("this model has no value head");
  return torch::linear(hidden, heads_.at("value_head.weight"), heads_.at("value_head.bias"))
      .squeeze(-1);
}

void TransformerModel::add_head(const std::string& name) {
  if (heads_.count(name + ".weight")) return;
  const auto options = torch::TensorOptions().dtype(torch::kFloat32).device(device());
  // Zero-initialised, so a new head starts by predicting 0 for everything.
  heads_[name + ".weight"] =
      torch::zeros({1, decoder_.config().hidden_size}, options).set_requires_grad(training_);
  heads_[name + ".bias"] = torch::zeros({1}, options).set_requires_grad(training_);
}

void TransformerModel::add_reward_head() {
  add_head("score");
}
void TransformerModel::add_value_head() {
  add_head("value_head");
}

std::vector<std::int64_t> TransformerModel::add_special_tokens(
    const std::vector<std::string>& tokens) {
  const auto ids = tokenizer_->add_special_tokens(tokens);
  decoder_.grow_vocabulary(static_cast<std::int64_t>(tokenizer_->vocab_size()));
  return {ids.begin(), ids.end()};
}

std::vector<torch::Tensor> TransformerModel::parameters() {
  std::vector<torch::Tensor> list;
  for (auto& [name, tensor] : decoder_.weights()) list.push_back(tensor);
  for (auto& [name, tensor] : heads_) list.push_back(tensor);
  return list;
}

void TransformerModel::set_training(bool training) {
  training_ = training;
  for (auto& tensor : parameters()) tensor.set_requires_grad(training);
}

std::shared_ptr<Model> TransformerModel::clone() const {
  Decoder::WeightMap weights, heads;
  for (const auto& [name, tensor] : decoder_.weights()) weights[name] = tensor.detach().clone();
  for (const auto& [name, tensor] : heads_) heads[name] = tensor.detach().clone();
  return std::make_shared<TransformerModel>(Decoder(decoder_.config(), std::move(weights)),
                                            std::move(heads), tokenizer_->clone(),
                                            prompt_template_);
}

}  // namespace paddock::transformer
