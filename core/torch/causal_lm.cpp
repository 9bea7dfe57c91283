// Key function of CausalLanguageModel, device resolution and LibTorch thread setup.
#include <sched.h>

#include <torch/cuda.h>
#include <torch/torch.h>

#include <cstdlib>
#include <mutex>
#include <regex>

#include "paddock/core/compute_environment.hpp"
#include "paddock/error.hpp"
#include "paddock/torch/causal_lm.hpp"

namespace paddock {

CausalLanguageModel::~CausalLanguageModel() = default;

namespace {

// In a distributed run each process on a machine takes its own GPU: LOCAL_RANK modulo the
// devices it sees (docs/distributed.md). 0 otherwise.
int default_cuda_index() {
  const char* world = std::getenv("WORLD_SIZE");
  const char* local_rank = std::getenv("LOCAL_RANK");
  if (world == nullptr || local_rank == nullptr || std::atoi(world) <= 1) return 0;
  const int count = static_cast<int>(torch::cuda::device_count());
  return count > 0 ? std::max(0, std::atoi(local_rank)) % count : 0;
}

}  // namespace

torch::Device resolve_device(const std::string& device) {
  if (device == "auto")
    return torch::cuda::is_available()
               ? torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(default_cuda_index()))
               : torch::kCPU;
  if (device == "cpu") return torch::kCPU;
  static const std::regex kCuda("cuda(?::([0-9]+))?");
  std::smatch match;
  if (std::regex_match(device, match, kCuda)) {
    if (!torch::cuda::is_available()) {
      throw Error("device '" + device + "' asked for, but this LibTorch sees no CUDA device");
    }
    const int index = match[1].matched ? std::stoi(match[1].str()) : default_cuda_index();
    if (index >= static_cast<int>(torch::cuda::device_count())) {
      throw Error("device '" + device + "' does not exist (" +
                  std::to_string(torch::cuda::device_count()) + " CUDA devices)");
    }
    return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
  }
  throw Error("unknown device '" + device + "' (expected auto, cpu, cuda or cuda:N)");
}

void configure_torch_threads() {
  static std::once_flag once;
  std::call_once(once, [] {
    const core::ThreadChoice choice = core::torch_thread_choice();
    if (choice.threads <= 0) return;  // OMP_NUM_THREADS: the user chose
    torch::set_num_threads(choice.threads);
  });
}

}  // namespace paddock
