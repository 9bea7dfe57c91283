// `paddock serve`: a model checkpoint behind OpenAI-compatible HTTP endpoints.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>
#include <thread>

#include "api_server.hpp"
#include "blas_setup.hpp"
#include "chat_template.hpp"
#include "commands.hpp"
#include "generation_scheduler.hpp"
#include "host_setup.hpp"
#include "paddock/core/run_output.hpp"
#include "paddock/error.hpp"
#include "paddock/request_generator.hpp"
#include "request_handler.hpp"
#include "served_model.hpp"

namespace paddock::host {
namespace {

constexpr const char* kServeUsage =
    "Usage: paddock serve MODEL_DIR [--port 8000] [--host 127.0.0.1] [--model-name NAME] "
    "[--api-key-env VAR] [--chat-template FILE|chatml] [--batching continuous|dynamic] "
    "[--max-batch 32] [--max-queue 256] ...";

// JSON lines only: the access log is for tools.
std::shared_ptr<spdlog::logger> make_access_log(const std::string& file) {
  std::vector<spdlog::sink_ptr> sinks;
  if (file.empty()) {
    sinks.push_back(std::make_shared<spdlog::sinks::stderr_sink_mt>());
  } else {
    sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(file));
  }
  auto log = std::make_shared<spdlog::logger>("access", sinks.begin(), sinks.end());
  log->set_pattern("%v");
  log->flush_on(spdlog::level::info);
  return log;
}

}  // namespace

int serve_command(const std::vector<std::string>& arguments) {
  po::positional_options_description positional;
  po::options_description options = common_options();
  options.add_options()("model", po::value<std::string>()->required(),
                        "the model checkpoint directory")(
      "backend", po::value<std::string>()->default_value(""),
      "the model backend that reads it (default: the one paddock_model.json names, else "
      "transformer)")("device", po::value<std::string>()->default_value("auto"),
                      "auto, cpu, cuda or cuda:N")(
      "model-name", po::value<std::string>()->default_value(""),
      "the model id clients send (default: the directory's name)")(
      "host", po::value<std::string>()->default_value("127.0.0.1"), "the address to listen on")(
      "port", po::value<int>()->default_value(8000), "the port (0: any free port)")(
      "api-key-env", po::value<std::string>()->default_value(""),
      "require 'Authorization: Bearer KEY', KEY read from this environment variable")(
      "chat-template", po::value<std::string>()->default_value(""),
      "a chat template: a TOML file, a .jinja file, or 'chatml' (default: the chat_template "
      "of MODEL_DIR/tokenizer_config.json, else the model's instruction template)")(
      "batching", po::value<std::string>()->default_value("continuous"),
      "continuous: requests join the running batch between decoding steps; dynamic: a call "
      "takes the requests waiting and the next ones wait for it to end (the only mode of a "
      "backend without RequestGenerator)")(
      "max-batch", po::value<int>()->default_value(32),
      "samples generated together (continuous: running at once; dynamic: in one call)")(
      "max-queue", po::value<int>()->default_value(256),
      "requests waiting beyond the running batch; more get 429")(
      "gather-ms", po::value<int>()->default_value(2),
      "after an idle spell, wait this long for more requests to batch")(
      "max-tokens-limit", po::value<int>()->default_value(2048), "the largest max_tokens accepted")(
      "max-n", po::value<int>()->default_value(16), "the largest n accepted")(
      "default-chat-max-tokens", po::value<int>()->default_value(256),
      "max_tokens of chat requests that give none")(
      "max-body-bytes", po::value<std::size_t>()->default_value(1 << 20),
      "the largest request body accepted (413 beyond)")(
      "max-connections", po::value<int>()->default_value(256),
      "open connections accepted (at the limit an idle one is closed to make room)")(
      "idle-timeout", po::value<double>()->default_value(60),
      "seconds a connection may stay silent between requests")(
      "header-timeout", po::value<double>()->default_value(10),
      "seconds a request's header may take from its first byte (408 beyond)")(
      "body-timeout", po::value<double>()->default_value(60),
      "seconds a request's body may take after its header (408 beyond)")(
      "access-log", po::value<std::string>()->default_value(""),
      "append the JSON-lines access log to this file (default: standard error)")(
      "seed", po::value<std::uint64_t>()->default_value(0),
      "seeds requests that send none: derive_seed(seed, \"request N\")");
  positional.add("model", 1);
  po::variables_map values;
  int exit_code = kSuccess;
  if (!parse_arguments(arguments, options, positional, kServeUsage, values, exit_code))
    return exit_code;
  const auto positive = [&values](const char* name, int minimum) {
    if (values[name].as<int>() < minimum) {
      throw po::error(std::string("--") + name + " must be at least " + std::to_string(minimum));
    }
    return values[name].as<int>();
  };

  // Signals are taken by sigwait below; every thread started from here on inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto log = core::make_logger("serve", "");
  try {
    const int port = values["port"].as<int>();
    if (port < 0 || port > 65535) throw po::error("--port must be between 0 and 65535");
    serve::HandlerOptions handler_options;
    handler_options.limits.max_tokens = positive("max-tokens-limit", 1);
    handler_options.limits.max_samples = positive("max-n", 1);
    handler_options.limits.default_chat_max_tokens =
        std::min(positive("default-chat-max-tokens", 1), positive("max-tokens-limit", 1));
    handler_options.seed = values["seed"].as<std::uint64_t>();
    const std::string key_variable = values["api-key-env"].as<std::string>();
    if (!key_variable.empty()) {
      const char* key = std::getenv(key_variable.c_str());
      if (key == nullptr || *key == '\0') {
        std::cerr << "paddock serve: --api-key-env " << key_variable
                  << ": the environment variable is not set or empty; export the key in it\n";
        return kUsageError;
      }
      handler_options.api_key = key;
    }
    serve::SchedulerOptions scheduler_options;
    scheduler_options.max_batch_rows = positive("max-batch", 1);
    scheduler_options.max_queued_jobs = static_cast<std::size_t>(positive("max-queue", 1));
    scheduler_options.gather_window = std::chrono::milliseconds(positive("gather-ms", 0));
    if (const auto batching = values["batching"].as<std::string>(); batching == "dynamic") {
      scheduler_options.batching = serve::BatchingMode::dynamic;
    } else if (batching != "continuous") {
      throw po::error("--batching must be continuous or dynamic, not '" + batching + "'");
    }
    serve::ServerOptions server_options;
    server_options.host = values["host"].as<std::string>();
    server_options.port = static_cast<std::uint16_t>(port);
    server_options.max_body_bytes = values["max-body-bytes"].as<std::size_t>();
    server_options.max_connections = static_cast<std::size_t>(positive("max-connections", 1));
    const auto seconds = [&values](const char* name) {
      const double value = values[name].as<double>();
      if (!(value > 0) || value > 86400)
        throw po::error(std::string("--") + name + " must be between 0 and 86400 seconds");
      return value;
    };
    server_options.idle_timeout_seconds = seconds("idle-timeout");
    server_options.header_timeout_seconds = seconds("header-timeout");
    server_options.body_timeout_seconds = seconds("body-timeout");
    const std::filesystem::path directory = values["model"].as<std::string>();
    std::optional<serve::ChatTemplate> chat_template =
        serve::ChatTemplate::select(values["chat-template"].as<std::string>(), directory);

    const core::KernelChoice blas_choice = choose_blas_before_loading();
    core::PluginRegistry registry;
    load_plugins(registry, values, {});
    serve::LoadedModel loaded =
        serve::load_served_model(registry, directory, values["backend"].as<std::string>(),
                                 values["device"].as<std::string>());
    std::string name = values["model-name"].as<std::string>();
    if (name.empty()) name = std::filesystem::weakly_canonical(directory).filename().string();

    log_blas_choice(blas_choice, *log);
    log_compute_environment(*log);
    for (const std::string& note : loaded.model->load_notes())
      log->warn("{}: {}", directory.string(), note);
    TextGenerator& generator = *loaded.model->as<TextGenerator>();
    RequestGenerator* request_generator = loaded.model->as<RequestGenerator>();
    // A backend whose every prompt starts with a token (BOS) adds it itself: a Jinja
    // template's leading bos_token text would make it twice.
    if (chat_template && chat_template->jinja_template && request_generator != nullptr)
      chat_template->drop_leading_bos = request_generator->prompt_token_count("") > 0;
    serve::ChatFormatter chat(generator, chat_template);
    serve::GenerationScheduler scheduler(generator, request_generator, scheduler_options, log);
    serve::RequestHandler handler({name, request_generator, &chat}, scheduler, handler_options);
    serve::ApiServer server(server_options, handler,
                            make_access_log(values["access-log"].as<std::string>()));
    server.start();
    if (!request_generator && scheduler_options.batching == serve::BatchingMode::continuous) {
      log->info("the '{}' backend has no RequestGenerator: batching is dynamic", loaded.backend);
    }
    log->info("serving '{}' ({} backend; {}; {}) at http://{}:{}/v1{}", name, loaded.backend,
              !request_generator ? "dynamic batching by equal options, no token streaming"
              : scheduler.batching() == serve::BatchingMode::continuous
                  ? "continuous batching with per-request options, token streaming"
                  : "dynamic batching with per-request options, token streaming",
              chat.description(), server_options.host, server.port(),
              handler_options.api_key ? ", API key required" : "");

    int received = 0;
    sigwait(&signals, &received);
    log->info("{} received: finishing the requests in flight (signal again to exit at once)",
              received == SIGTERM ? "SIGTERM" : "SIGINT");
    std::thread impatient([&signals] {
      int again = 0;
      if (sigwait(&signals, &again) == 0) _exit(kInterrupted);
    });
    impatient.detach();
    server.stop();
    scheduler.drain_and_stop();
    const auto counters = scheduler.counters();
    log->info(
        "stopped after {} requests in {} generate calls (largest batch {} samples; {} joined a "
        "running batch, {} cancelled)",
        counters.jobs, counters.calls, counters.largest_batch_rows, counters.joined_running,
        counters.cancelled);
    return kSuccess;
  } catch (const po::error& error) {
    std::cerr << "paddock serve: " << error.what() << "\n" << kServeUsage << "\n";
    return kUsageError;
  } catch (const std::exception& error) {
    log->error("{}", error.what());
    return kNodeFailed;
  }
}

}  // namespace paddock::host
