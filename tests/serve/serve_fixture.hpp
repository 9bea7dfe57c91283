// An in-process `paddock serve` on 127.0.0.1 (an ephemeral port) around the tiny model,
// with the options a test chooses.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "api_server.hpp"
#include "chat_template.hpp"
#include "gated_generator.hpp"
#include "generation_scheduler.hpp"
#include "paddock/capabilities.hpp"
#include "paddock/request_generator.hpp"
#include "request_handler.hpp"
#include "serve_test_model.hpp"

namespace paddock::serve::testing {

inline constexpr const char* kModelName = "tiny";

struct ServeSetup {
  SchedulerOptions scheduler;
  HandlerOptions handler;
  ServerOptions server;
  bool hide_request_generator = false;        // serve through TextGenerator alone
  std::optional<ChatTemplate> chat_template;  // default: the model's instruction template
  // >= 0: serve through a GatedGenerator that holds the first continuous call before this
  // decoding step (see gated_generator.hpp).
  std::int64_t pause_at_step = -1;
  std::int64_t max_positions = 512;  // the tiny model's context
};

class ServedTinyModel {
 public:
  explicit ServedTinyModel(ServeSetup setup = {}) : model_(make_tiny_model(setup.max_positions)) {
    generator_ = model_->as<TextGenerator>();
    request_generator_ = setup.hide_request_generator ? nullptr : model_->as<RequestGenerator>();
    if (request_generator_ != nullptr && setup.pause_at_step >= 0) {
      gate_ = std::make_unique<GatedGenerator>(*request_generator_, setup.pause_at_step);
      request_generator_ = gate_.get();
    }
    chat_ = std::make_unique<ChatFormatter>(*generator_, setup.chat_template);
    scheduler_ = std::make_unique<GenerationScheduler>(*generator_, request_generator_,
                                                       setup.scheduler, nullptr);
    handler_ = std::make_unique<RequestHandler>(
        ServedModel{kModelName, request_generator_, chat_.get()}, *scheduler_, setup.handler);
    setup.server.port = 0;
    server_ = std::make_unique<ApiServer>(setup.server, *handler_, nullptr);
    server_->start();
  }
  ~ServedTinyModel() { stop(); }

  void stop() {
    if (gate_) gate_->release();
    if (server_) server_->stop();
    if (scheduler_) scheduler_->drain_and_stop();
  }

  unsigned short port() const { return server_->port(); }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port()) + "/v1"; }
  TextGenerator& generator() { return *generator_; }
  Model& model() { return *model_; }
  GenerationScheduler& scheduler() { return *scheduler_; }
  GatedGenerator& gate() { return *gate_; }

 private:
  std::shared_ptr<Model> model_;
  TextGenerator* generator_ = nullptr;
  RequestGenerator* request_generator_ = nullptr;
  std::unique_ptr<GatedGenerator> gate_;
  std::unique_ptr<ChatFormatter> chat_;
  std::unique_ptr<GenerationScheduler> scheduler_;
  std::unique_ptr<RequestHandler> handler_;
  std::unique_ptr<ApiServer> server_;
};

}  // namespace paddock::serve::testing
