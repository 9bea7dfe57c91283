// `paddock`: the command-line host. Dispatches to the subcommands.
#include <iostream>
#include <string>
#include <vector>

#include "blas_setup.hpp"
#include "commands.hpp"
#include "host_setup.hpp"
#include "paddock/build_config.hpp"
#include "paddock/core/freed_memory_reuse.hpp"
#include "paddock/core/memory_reserve.hpp"

namespace {

constexpr const char* kUsage = R"(paddock: learn from simulated human feedback.

Usage:
  paddock run PIPELINE.toml [--set NODE.PARAM=VALUE]... [--force NODE]... [--until NODE]
              [--nproc N]
  paddock validate PIPELINE.toml [--set NODE.PARAM=VALUE]...
  paddock plugins [--json]
  paddock graph PIPELINE.toml
  paddock serve MODEL_DIR [--port 8000] [--api-key-env VAR] [--chat-template FILE]
  paddock blas-check [--kernel NAME] [--json]
  paddock --version

Run `paddock COMMAND --help` for a command's options.
Exit codes: 0 success, 1 a node (or the run) failed, 2 bad command line, 3 invalid pipeline,
130 interrupted.)";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> arguments(argv + 1, argv + argc);
  if (arguments.empty() || arguments[0] == "--help" || arguments[0] == "-h" ||
      arguments[0] == "help") {
    std::cout << kUsage << "\n";
    return arguments.empty() ? paddock::host::kUsageError : paddock::host::kSuccess;
  }
  if (arguments[0] == "--version") {
    std::cout << "paddock " << PADDOCK_VERSION << "\n";
    return paddock::host::kSuccess;
  }
  const std::string command = arguments[0];
  arguments.erase(arguments.begin());
  // Out of memory must end as a failed node (exit 1), not in abort() from a destructor.
  // First, so the reserve's blocks are mappings of their own that free() gives back.
  paddock::core::install_memory_reserve();
  // Before the first large allocation: training steps then reuse freed memory instead of
  // faulting in fresh pages.
  paddock::core::keep_freed_memory_for_reuse();
  try {
    if (command == "run") return paddock::host::run_command(arguments);
    if (command == "validate") return paddock::host::validate_command(arguments);
    if (command == "plugins") return paddock::host::plugins_command(arguments);
    if (command == "graph") return paddock::host::graph_command(arguments);
    if (command == "serve") return paddock::host::serve_command(arguments);
    if (command == "blas-check") return paddock::host::blas_check_command(arguments);
  } catch (const std::exception& error) {
    // Anything not reported closer to its cause: an unwritable workdir, a full disk...
    std::cerr << "paddock: error: " << error.what() << "\n";
    return paddock::host::kNodeFailed;
  }
  std::cerr << "paddock: unknown command '" << command << "'\n\n" << kUsage << "\n";
  return paddock::host::kUsageError;
}
