// Starting the ranks of a distributed test as real processes on 127.0.0.1: free ports, the
// torchrun-style variables, each rank's output in a file, and a deadline after which the
// test kills what is left (a hang fails the test instead of blocking the suite).
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "rank_ports.hpp"
#include "test_support.hpp"

extern char** environ;

namespace paddock::testing {

struct RankOutcome {
  int exit_code = -1;  // 128 + signal when killed
  std::string output;  // what the rank wrote to stdout and stderr
  double seconds = 0;  // from the start until it exited
};

// Runs `program arguments...` as ranks 0..world-1 and waits for all, at most `limit`.
inline std::vector<RankOutcome> run_ranks(const std::string& program,
                                          const std::vector<std::string>& arguments, int world,
                                          const std::filesystem::path& log_directory,
                                          std::chrono::seconds limit,
                                          const std::vector<std::string>& extra_environment = {}) {
  using Clock = std::chrono::steady_clock;
  std::filesystem::create_directories(log_directory);
  std::uint16_t master_port = free_port(), coordinator_port = free_port();
  while (coordinator_port == master_port) coordinator_port = free_port();
  std::vector<pid_t> pids;
  const auto started = Clock::now();
  for (int rank = 0; rank < world; ++rank) {
    // This process's environment without any rank variables of its own.
    const auto is_rank_variable = [](const std::string& text) {
      for (const char* name : {"RANK=", "WORLD_SIZE=", "LOCAL_RANK=", "MASTER_ADDR=",
                               "MASTER_PORT=", "PADDOCK_COORDINATOR_PORT="})
        if (text.rfind(name, 0) == 0) return true;
      return false;
    };
    std::vector<std::string> environment;
    for (char** variable = environ; *variable != nullptr; ++variable)
      if (!is_rank_variable(*variable)) environment.push_back(*variable);
    environment.push_back("RANK=" + std::to_string(rank));
    environment.push_back("LOCAL_RANK=" + std::to_string(rank));
    environment.push_back("WORLD_SIZE=" + std::to_string(world));
    environment.push_back("MASTER_ADDR=127.0.0.1");
    environment.push_back("MASTER_PORT=" + std::to_string(master_port));
    environment.push_back("PADDOCK_COORDINATOR_PORT=" + std::to_string(coordinator_port));
    environment.insert(environment.end(), extra_environment.begin(), extra_environment.end());
    std::vector<std::string> words = {program};
    words.insert(words.end(), arguments.begin(), arguments.end());
    std::vector<char*> argv, envp;
    for (auto& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    for (auto& variable : environment) envp.push_back(variable.data());
    envp.push_back(nullptr);
    const std::string log = (log_directory / ("rank-" + std::to_string(rank) + ".log")).string();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    pid_t pid = 0;
    if (posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), envp.data()) != 0)
      pid = -1;
    posix_spawn_file_actions_destroy(&actions);
    pids.push_back(pid);
  }
  std::vector<RankOutcome> outcomes(static_cast<std::size_t>(world));
  std::vector<bool> done(static_cast<std::size_t>(world), false);
  for (std::size_t i = 0; i < pids.size(); ++i) done[i] = pids[i] < 0;
  while (std::find(done.begin(), done.end(), false) != done.end()) {
    const bool late = Clock::now() - started > limit;
    for (std::size_t i = 0; i < pids.size(); ++i) {
      if (done[i]) continue;
      if (late) ::kill(pids[i], SIGKILL);
      int status = 0;
      if (::waitpid(pids[i], &status, late ? 0 : WNOHANG) != pids[i]) continue;
      done[i] = true;
      outcomes[i].exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      outcomes[i].seconds = std::chrono::duration<double>(Clock::now() - started).count();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (int rank = 0; rank < world; ++rank)
    outcomes[static_cast<std::size_t>(rank)].output =
        read_text(log_directory / ("rank-" + std::to_string(rank) + ".log"));
  return outcomes;
}

}  // namespace paddock::testing
