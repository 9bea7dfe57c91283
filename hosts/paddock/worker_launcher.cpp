// Forks and execs the local ranks of `paddock run --nproc N` and supervises them.
#include "worker_launcher.hpp"

#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "host_setup.hpp"
#include "paddock/error.hpp"

namespace paddock::host {
namespace {

using Clock = std::chrono::steady_clock;
// How long ranks that are told to stop may take to save a checkpoint and exit.
constexpr std::chrono::seconds kStopGrace{10};

// Asks the kernel for `count` distinct free TCP ports on the loopback interface. The sockets
// stay bound until all are picked, so the ports differ; a race with another program that
// binds one in between is possible but unlikely (torchrun has the same).
std::vector<std::uint16_t> free_ports(int count) {
  std::vector<int> sockets;
  std::vector<std::uint16_t> ports;
  for (int i = 0; i < count; ++i) {
    const int socket = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (socket < 0 || ::bind(socket, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(socket, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      const std::string reason = std::strerror(errno);
      for (int open : sockets) ::close(open);
      if (socket >= 0) ::close(socket);
      throw Error("cannot find a free TCP port for the ranks: " + reason);
    }
    sockets.push_back(socket);
    ports.push_back(ntohs(address.sin_port));
  }
  for (int socket : sockets) ::close(socket);
  return ports;
}

// 128 random bits as hex: the token the ranks of one run present to its coordinator, so
// no other process on the machine can join the run or end it.
std::string draw_run_token() {
  std::ifstream random("/dev/urandom", std::ios::binary);
  unsigned char bytes[16] = {};
  if (!random.read(reinterpret_cast<char*>(bytes), sizeof bytes))
    throw Error("cannot read /dev/urandom for the run's token");
  static const char* digits = "0123456789abcdef";
  std::string token;
  for (unsigned char byte : bytes) {
    token += digits[byte >> 4];
    token += digits[byte & 15];
  }
  return token;
}

volatile sig_atomic_t stop_signal = 0;
void remember_stop_signal(int signal) {
  stop_signal = signal;
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return kNodeFailed;
}

std::string describe_exit(int status) {
  if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
  return "exited with code " + std::to_string(exit_code_of(status));
}

}  // namespace

std::vector<std::string> without_nproc(const std::vector<std::string>& arguments) {
  std::vector<std::string> kept;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    if (arguments[i] == "--nproc") {
      ++i;  // and its value
      continue;
    }
    if (arguments[i].rfind("--nproc=", 0) == 0) continue;
    kept.push_back(arguments[i]);
  }
  return kept;
}

int launch_local_ranks(int count, const std::vector<std::string>& arguments) {
  const std::string executable = std::filesystem::read_symlink("/proc/self/exe").string();
  const auto ports = free_ports(2);
  const std::string token = draw_run_token();
  const pid_t launcher = ::getpid();
  std::cerr << "paddock: starting " << count << " ranks on 127.0.0.1 (MASTER_PORT " << ports[0]
            << ", coordinator port " << ports[1] << ")\n";

  // Ctrl-C reaches the ranks directly (same process group): they stop at a step boundary.
  // The launcher itself only forwards SIGTERM, and ignores SIGINT so it can report.
  struct sigaction action {};
  action.sa_handler = remember_stop_signal;
  ::sigemptyset(&action.sa_mask);
  ::sigaction(SIGTERM, &action, nullptr);
  ::sigaction(SIGINT, &action, nullptr);

  std::vector<pid_t> children;
  for (int rank = 0; rank < count; ++rank) {
    const pid_t child = ::fork();
    if (child < 0) {
      std::cerr << "paddock: cannot start rank " << rank << ": " << std::strerror(errno) << "\n";
      for (pid_t started : children) ::kill(started, SIGKILL);
      for (pid_t started : children) ::waitpid(started, nullptr, 0);
      return kNodeFailed;
    }
    if (child == 0) {
      ::signal(SIGTERM, SIG_DFL);
      ::signal(SIGINT, SIG_DFL);
      // A launcher killed outright (kill -9) cannot stop its ranks: the kernel tells them
      // with SIGTERM instead, and they stop as if told to. The check after prctl covers a
      // launcher that died before it.
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (::getppid() != launcher) ::_exit(kInterrupted);
      const std::string rank_text = std::to_string(rank), world_text = std::to_string(count);
      ::setenv("RANK", rank_text.c_str(), 1);
      ::setenv("LOCAL_RANK", rank_text.c_str(), 1);
      ::setenv("WORLD_SIZE", world_text.c_str(), 1);
      ::setenv("LOCAL_WORLD_SIZE", world_text.c_str(), 1);
      ::setenv("MASTER_ADDR", "127.0.0.1", 1);
      ::setenv("MASTER_PORT", std::to_string(ports[0]).c_str(), 1);
      ::setenv("PADDOCK_COORDINATOR_PORT", std::to_string(ports[1]).c_str(), 1);
      ::setenv("PADDOCK_COORDINATOR_BIND", "127.0.0.1", 1);
      ::setenv("PADDOCK_RUN_TOKEN", token.c_str(), 1);
      std::vector<std::string> words = {executable, "run"};
      words.insert(words.end(), arguments.begin(), arguments.end());
      std::vector<char*> argv;
      for (std::string& word : words) argv.push_back(word.data());
      argv.push_back(nullptr);
      ::execv(executable.c_str(), argv.data());
      std::cerr << "paddock: cannot run " << executable << ": " << std::strerror(errno) << "\n";
      ::_exit(kNodeFailed);
    }
    children.push_back(child);
  }

  int result = kSuccess;
  std::size_t running = children.size();
  std::vector<bool> finished(children.size(), false);
  bool stopping = false, killed = false;
  Clock::time_point stop_deadline;
  const auto stop_the_rest = [&](int signal) {
    for (std::size_t i = 0; i < children.size(); ++i)
      if (!finished[i]) ::kill(children[i], signal);
  };
  while (running > 0) {
    int status = 0;
    const pid_t done = ::waitpid(-1, &status, WNOHANG);
    if (done > 0) {
      const auto index = static_cast<std::size_t>(
          std::find(children.begin(), children.end(), done) - children.begin());
      if (index >= children.size()) continue;
      finished[index] = true;
      --running;
      const int code = exit_code_of(status);
      if (code != kSuccess && result == kSuccess) {
        result = code;
        if (running > 0) {
          std::cerr << "paddock: rank " << index << " " << describe_exit(status)
                    << "; stopping the other ranks\n";
          stopping = true;
          stop_deadline = Clock::now() + kStopGrace;
          stop_the_rest(SIGTERM);
        }
      }
      continue;
    }
    if (stop_signal == SIGTERM && !stopping) {
      stopping = true;
      stop_deadline = Clock::now() + kStopGrace;
      stop_the_rest(SIGTERM);
    }
    if (stopping && !killed && Clock::now() > stop_deadline) {
      std::cerr << "paddock: ranks still running " << kStopGrace.count()
                << " s after being told to stop; killing them\n";
      killed = true;
      stop_the_rest(SIGKILL);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return result;
}

}  // namespace paddock::host
