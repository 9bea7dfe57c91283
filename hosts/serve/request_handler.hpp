// What the server does with a request: authentication, routing to /v1/models,
// /v1/completions and /v1/chat/completions, submitting generation jobs to the scheduler,
// and answering whole or streamed, with OpenAI-style errors for everything that goes wrong.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "api_request.hpp"
#include "chat_template.hpp"
#include "exchange.hpp"
#include "generation_scheduler.hpp"
#include "paddock/request_generator.hpp"

namespace paddock::serve {

struct ServedModel {
  std::string name;                                     // the id clients send as "model"
  const RequestGenerator* request_generator = nullptr;  // for token texts and prompt counts
  const ChatFormatter* chat = nullptr;
};

struct HandlerOptions {
  RequestLimits limits;
  std::optional<std::string> api_key;  // required as "Authorization: Bearer KEY" when set
  std::uint64_t seed = 0;              // requests without a seed get derive_seed(seed, "request N")
  int retry_after_seconds = 1;         // sent with 429 when the queue is full
};

class RequestHandler {
 public:
  RequestHandler(ServedModel model, GenerationScheduler& scheduler, HandlerOptions options);

  void handle(Exchange& exchange, AccessRecord& record);

 private:
  bool authorized(const HttpRequestView& request) const;
  void list_models(Exchange& exchange, AccessRecord& record, const std::string& only);
  void generate(Exchange& exchange, AccessRecord& record, Endpoint endpoint);
  void send_error(Exchange& exchange, AccessRecord& record, int status,
                  const nlohmann::ordered_json& body,
                  const std::vector<std::pair<std::string, std::string>>& headers = {});

  ServedModel model_;
  GenerationScheduler& scheduler_;
  HandlerOptions options_;
  std::int64_t started_;
  std::atomic<std::uint64_t> requests_{0};
};

}  // namespace paddock::serve
