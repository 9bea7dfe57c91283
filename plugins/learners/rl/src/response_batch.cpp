// Building response batches and reading log-probabilities and values over them.
#include "paddock/rl/response_batch.hpp"

#include <torch/torch.h>

#include "paddock/error.hpp"

namespace paddock::rl {

PromptPool make_prompt_pool(const Dataset& data, CausalLanguageModel& tokens, TextGenerator& format,
                            std::int64_t max_prompt_tokens, const std::string& source) {
  PromptPool pool;
  for (std::size_t row = 0; row < data.size(); ++row) {
    const Record& record = data[row];
    InstructionPrompt prompt;
    prompt.instruction = text_column(record, "instruction", row);
    if (auto input = record.find("input"); input != record.end() && input->is_string())
      prompt.input = *input;
    std::string text = format.format_prompt(prompt);
    std::vector<std::int64_t> ids = tokens.sequence_prefix();
    const auto body = tokens.tokenize(text);
    ids.insert(ids.end(), body.begin(), body.end());
    if (static_cast<std::int64_t>(ids.size()) > max_prompt_tokens) {
      ++pool.dropped;
      continue;
    }
    pool.prompts.push_back(std::move(prompt));
    pool.texts.push_back(std::move(text));
    pool.ids.push_back(std::move(ids));
    pool.rows.push_back(row);
  }
  if (pool.prompts.empty()) {
    throw Error(source + ": no prompt is within " + std::to_string(max_prompt_tokens) +
                " tokens (" + std::to_string(pool.dropped) + " dropped)");
  }
  return pool;
}

ResponseBatch make_response_batch(const std::vector<std::vector<std::int64_t>>& prompt_ids,
                                  const std::vector<std::size_t>& prompt_of,
                                  const std::vector<Generation>& generations,
                                  std::int64_t pad_token_id, torch::Device device) {
  const std::int64_t batch = static_cast<std::int64_t>(generations.size());
  std::int64_t prompt_width = 0, response_width = 1;
  for (std::int64_t b = 0; b < batch; ++b) {
    prompt_width = std::max<std::int64_t>(prompt_width, prompt_ids[prompt_of[b]].size());
    response_width = std::max<std::int64_t>(response_width, generations[b].token_ids.size());
  }
  const std::int64_t width = prompt_width + response_width;
  std::vector<std::int64_t> ids(batch * width, pad_token_id), mask(batch * width, 0), last(batch);
  std::vector<float> response_mask(batch * response_width, 0.0f);
  ResponseBatch result;
  for (std::int64_t b = 0; b < batch; ++b) {
    const auto& prompt = prompt_ids[prompt_of[b]];
    const auto& response = generations[b].token_ids;
    if (response.empty()) throw Error("a generation has no tokens");
    const std::int64_t offset = prompt_width - static_cast<std::int64_t>(prompt.size());
    std::copy(prompt.begin(), prompt.end(), ids.begin() + b * width + offset);
    std::copy(response.begin(), response.end(), ids.begin() + b * width + prompt_width);
    const std::int64_t length = static_cast<std::int64_t>(response.size());
    std::fill_n(mask.begin() + b * width + offset, prompt_width - offset + length, 1);
    std::fill_n(response_mask.begin() + b * response_width, length, 1.0f);
    last[b] = length - 1;
    result.response_texts.push_back(generations[b].text);
    result.response_lengths.push_back(length);
  }
  result.prompt_width = prompt_width;
  // clone(): from_blob borrows the vectors, which die with this function.
  result.ids = torch::from_blob(ids.data(), {batch, width}, torch::kLong).clone().to(device);
  result.attention_mask =
      torch::from_blob(mask.data(), {batch, width}, torch::kLong).clone().to(device);
  result.response_mask =
      torch::from_blob(response_mask.data(), {batch, response_width}, torch::kFloat32)
          .clone()
          .to(device);
  result.last_index = torch::from_blob(last.data(), {batch}, torch::kLong).clone().to(device);
  return result;
}

ResponseBatch select_rows(const ResponseBatch& batch, const torch::Tensor& rows) {
  ResponseBatch subset;
  const auto device_rows = rows.to(batch.ids.device());
  subset.ids = batch.ids.index_select(0, device_rows);
  subset.attention_mask = batch.attention_mask.index_select(0, device_rows);
  subset.prompt_width = batch.prompt_width;
  subset.response_mask = batch.response_mask.index_select(0, device_rows);
  subset.last_index = batch.last_index.index_select(0, device_rows);
  const auto cpu_rows = rows.to(torch::kCPU);
  for (std::int64_t i = 0; i < cpu_rows.size(0); ++i) {
    const std::int64_t row = cpu_rows[i].item<std::int64_t>();
    subset.response_texts.push_back(batch.response_texts[row]);
    subset.response_lengths.push_back(batch.response_lengths[row]);
  }
  return subset;
}

namespace {

// Hidden states at the columns that predict response tokens: P - 1 ... P + R - 2.
torch::Tensor predicting_hidden(CausalLanguageModel& model, const ResponseBatch& batch) {
  const auto hidden = model.hidden_states(batch.ids, batch.attention_mask);
  return hidden.narrow(1, batch.prompt_width - 1, batch.response_width());
}

}  // namespace

torch::Tensor response_logprobs(CausalLanguageModel& model, const ResponseBatch& batch,
                                torch::Tensor* entropy) {
  const auto logits = model.lm_logits(predicting_hidden(model, batch)).to(torch::kFloat32);
  const auto log_distribution = torch::log_softmax(logits, -1);
  const auto targets = batch.ids.narrow(1, batch.prompt_width, batch.response_width());
  if (entropy) {
    // A statistic, never differentiated: no graph for it.
    torch::NoGradGuard no_grad;
    *entropy = -(log_distribution.exp() * log_distribution).sum(-1);
  }
  return log_distribution.gather(-1, targets.unsqueeze(-1)).squeeze(-1);
}

torch::Tensor response_values(CausalLanguageModel& model, const ResponseBatch& batch) {
  return model.values(predicting_hidden(model, batch)).to(torch::kFloat32);
}

}  // namespace paddock::rl
