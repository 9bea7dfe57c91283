// The BLAS kernel choice around plugin loading, and `paddock blas-check`.
#include "blas_setup.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "host_setup.hpp"

extern char** environ;

namespace paddock::host {
namespace {

int probe_threads() {
  const core::ThreadChoice threads = core::torch_thread_choice();
  return threads.threads > 0 ? threads.threads : 0;  // 0: OpenBLAS's own default
}

nlohmann::json probe_to_json(const core::KernelProbe& probe) {
  return {{"ran", probe.ran},
          {"kernel", probe.kernel},
          {"config", probe.config},
          {"correct", probe.products.correct},
          {"largest_error", probe.products.largest_error},
          {"problem", probe.ran ? probe.products.problem : probe.problem}};
}

// Runs `paddock blas-check --json` in a child whose environment has OPENBLAS_CORETYPE set to
// `coretype` (or unset), and reads its report. A child that crashes (a kernel using an
// instruction the CPU lacks dies of SIGILL) is a probe that did not run.
core::KernelProbe probe_in_child(const std::string& coretype) {
  core::KernelProbe probe;
  const std::string executable = std::filesystem::read_symlink("/proc/self/exe").string();
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (std::strncmp(*entry, "OPENBLAS_CORETYPE=", 18) != 0) environment.emplace_back(*entry);
  }
  if (!coretype.empty()) environment.push_back("OPENBLAS_CORETYPE=" + coretype);
  std::vector<char*> envp;
  for (std::string& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::string words[] = {executable, "blas-check", "--json"};
  char* argv[] = {words[0].data(), words[1].data(), words[2].data(), nullptr};

  int pipe_ends[2];
  if (::pipe(pipe_ends) != 0) {
    probe.problem = std::string("pipe: ") + std::strerror(errno);
    return probe;
  }
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_adddup2(&actions, pipe_ends[1], STDOUT_FILENO);
  ::posix_spawn_file_actions_addclose(&actions, pipe_ends[0]);
  ::posix_spawn_file_actions_addclose(&actions, pipe_ends[1]);
  pid_t child = 0;
  const int spawned =
      ::posix_spawn(&child, executable.c_str(), &actions, nullptr, argv, envp.data());
  ::posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_ends[1]);
  if (spawned != 0) {
    ::close(pipe_ends[0]);
    probe.problem = "cannot start " + executable + ": " + std::strerror(spawned);
    return probe;
  }
  std::string output;
  char buffer[4096];
  for (ssize_t got; (got = ::read(pipe_ends[0], buffer, sizeof buffer)) != 0;) {
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) break;
    output.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(pipe_ends[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    probe.problem = std::string("the check was killed by ") + ::strsignal(WTERMSIG(status));
    return probe;
  }
  try {
    const nlohmann::json report = nlohmann::json::parse(output);
    probe.ran = report.at("ran").get<bool>();
    probe.kernel = report.at("kernel").get<std::string>();
    probe.config = report.at("config").get<std::string>();
    probe.products.correct = report.at("correct").get<bool>();
    probe.products.largest_error = report.at("largest_error").get<double>();
    (probe.ran ? probe.products.problem : probe.problem) = report.at("problem").get<std::string>();
  } catch (const nlohmann::json::exception& error) {
    probe.ran = false;
    probe.problem = std::string("unreadable report from the check: ") + error.what();
  }
  return probe;
}

}  // namespace

core::KernelChoice choose_blas_before_loading() {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return {};
  if (const char* mode = std::getenv("PADDOCK_BLAS_KERNEL"); mode && std::string(mode) == "keep")
    return {};
  if (core::loaded_blas().found) return {};  // too late: the kernel is fixed
  core::KernelChoice choice = core::choose_blas_kernel(core::cpu_vector_features(), probe_in_child);
  if (!choice.coretype.empty()) {
    ::setenv("OPENBLAS_CORETYPE", choice.coretype.c_str(), 1);
    ::setenv("PADDOCK_BLAS_CHOSEN", choice.coretype.c_str(), 1);
  }
  return choice;
}

void log_blas_choice(const core::KernelChoice& choice, spdlog::logger& log) {
  if (choice.note.empty()) return;
  if (choice.warn) {
    log.warn("{}", choice.note);
  } else {
    log.info("{}", choice.note);
  }
}

int blas_check_command(const std::vector<std::string>& arguments) {
  po::options_description options("Options");
  options.add_options()("help,h", "show this help")(
      "kernel", po::value<std::string>(),
      "the kernel to load OpenBLAS with (sets OPENBLAS_CORETYPE), e.g. Haswell or SkylakeX")(
      "json", "print JSON instead of text");
  po::variables_map values;
  int exit_code = kSuccess;
  const po::positional_options_description positional;
  if (!parse_arguments(arguments, options, positional,
                       "Usage: paddock blas-check [--kernel NAME] [--json]", values, exit_code)) {
    return exit_code;
  }
  if (values.count("kernel")) {
    ::setenv("OPENBLAS_CORETYPE", values["kernel"].as<std::string>().c_str(), 1);
  }
  const core::KernelProbe probe = core::probe_openblas(probe_threads());
  if (values.count("json")) {
    std::cout << probe_to_json(probe).dump() << "\n";
  } else if (!probe.ran) {
    std::cerr << "paddock: " << probe.problem << "\n";
  } else {
    std::cout << probe.config << "\nkernel " << probe.kernel << ": "
              << (probe.products.correct ? "products correct" : "WRONG products: ")
              << probe.products.problem << " (largest relative error "
              << probe.products.largest_error << ")\n";
  }
  if (!probe.ran) return kUsageError;
  return probe.products.correct ? kSuccess : kNodeFailed;
}

}  // namespace paddock::host
