// Key function of CausalLanguageModel, device resolution and LibTorch thread setup.
#include <sched.h>

#include <torch/cuda.h>
#include <torch/torch.h>

#include <cstdlib>
#include <mutex>
#include <regex>

#include "paddock/error.hpp"
#include "paddock/torch/causal_lm.hpp"

namespace paddock {

CausalLanguageModel::~CausalLanguageModel() = default;

torch::Device resolve_device(const std::string& device) {
  if (device == "auto")
    return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0) : torch::kCPU;
  if (device == "cpu") return torch::kCPU;
  static const std::regex kCuda("cuda(?::([0-9]+))?");
  std::smatch match;
  if (std::regex_match(device, match, kCuda)) {
    if (!torch::cuda::is_available()) {
      throw Error("device '" + device + "' asked for, but this LibTorch sees no CUDA device");
    }
    const int index = match[1].matched ? std::stoi(match[1].str()) : 0;
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
    int threads = 0;
    if (const char* text = std::getenv("PADDOCK_THREADS")) threads = std::atoi(text);
    if (threads <= 0 && std::getenv("OMP_NUM_THREADS") != nullptr) return;  // the user chose
    if (threads <= 0) {
      cpu_set_t set;
      threads = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
    }
    torch::set_num_threads(std::max(1, threads));
  });
}

}  // namespace paddock
