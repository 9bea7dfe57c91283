// The c10d process group behind DataParallelGroup: a TCPStore rendezvous and a Gloo (CPU) or
// NCCL (CUDA) process group, with errors turned into sentences.
#include "paddock/distributed/data_parallel_group.hpp"

#include <torch/torch.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/distributed/c10d/Types.hpp>
#include <torch/csrc/distributed/c10d/Work.hpp>

#ifdef PADDOCK_WITH_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef PADDOCK_WITH_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "paddock/core/rank_environment.hpp"
#include "paddock/error.hpp"
#include "paddock/seed.hpp"

namespace paddock::distributed {
namespace {

using Clock = std::chrono::steady_clock;

// c10::Error's what() carries a C++ backtrace; the message alone is what a user needs.
std::string message_of(const std::exception& error) {
  if (const auto* torch_error = dynamic_cast<const c10::Error*>(&error))
    return torch_error->what_without_backtrace();
  return error.what();
}

bool is_loopback(std::string_view address) {
  return address == "localhost" || address.rfind("127.", 0) == 0 || address == "::1";
}

#ifdef PADDOCK_WITH_GLOO
// The network interface Gloo uses: GLOO_SOCKET_IFNAME when set (as in PyTorch), loopback when
// every rank is on this machine, else the address this machine's hostname resolves to.
std::shared_ptr<::gloo::transport::Device> gloo_device(const core::RankEnvironment& environment) {
  if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME");
      interface != nullptr && *interface != '\0')
    return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
  if (is_loopback(environment.master_address))
    return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}
#endif

bool agent_store_in_use() {
  const char* value = std::getenv("TORCHELASTIC_USE_AGENT_STORE");
  return value != nullptr && std::string_view(value) == "True";
}

}  // namespace

// The process group type differs between LibTorch versions (ProcessGroup in 1.x, Backend
// in 2.x), but the concrete Gloo and NCCL classes offer the same calls in both; holding the
// concrete class keeps this file free of version checks.
struct DataParallelGroup::Backend {
  c10::intrusive_ptr<c10d::Store> store;
#ifdef PADDOCK_WITH_GLOO
  c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
#endif
#ifdef PADDOCK_WITH_NCCL
  c10::intrusive_ptr<c10d::ProcessGroupNCCL> nccl;
#endif

  c10::intrusive_ptr<c10d::Work> allreduce(std::vector<at::Tensor>& tensors) {
#ifdef PADDOCK_WITH_NCCL
    if (nccl) return nccl->allreduce(tensors);
#endif
#ifdef PADDOCK_WITH_GLOO
    return gloo->allreduce(tensors);
#else
    throw Error("built without Gloo");
#endif
  }
  c10::intrusive_ptr<c10d::Work> broadcast(std::vector<at::Tensor>& tensors, int root) {
    c10d::BroadcastOptions options;
    options.rootRank = root;
#ifdef PADDOCK_WITH_NCCL
    if (nccl) return nccl->broadcast(tensors, options);
#endif
#ifdef PADDOCK_WITH_GLOO
    return gloo->broadcast(tensors, options);
#else
    throw Error("built without Gloo");
#endif
  }
  c10::intrusive_ptr<c10d::Work> barrier() {
#ifdef PADDOCK_WITH_NCCL
    if (nccl) return nccl->barrier();
#endif
#ifdef PADDOCK_WITH_GLOO
    return gloo->barrier();
#else
    throw Error("built without Gloo");
#endif
  }
};

std::uint64_t rank_seed(std::uint64_t node_seed, int rank) {
  return derive_seed(node_seed, "rank " + std::to_string(rank));
}

DataParallelGroup::DataParallelGroup(int rank, int size, std::string where)
    : rank_(rank), size_(size), where_(std::move(where)) {}

DataParallelGroup::~DataParallelGroup() = default;

std::unique_ptr<DataParallelGroup> DataParallelGroup::join(const NodeContext& context,
                                                           torch::Device device) {
  const int rank = context.rank(), size = context.world_size();
  const std::string where = "node '" + context.node_name() + "', rank " + std::to_string(rank) +
                            " of " + std::to_string(size);
  std::unique_ptr<DataParallelGroup> group(new DataParallelGroup(rank, size, where));
  group->device_ = device;
  if (size == 1) return group;

  const core::RankEnvironment environment = core::read_rank_environment();
  if (environment.world_size != size || environment.rank != rank)
    throw Error(where + ": the environment says rank " + std::to_string(environment.rank) + " of " +
                std::to_string(environment.world_size) +
                "; RANK and WORLD_SIZE must not change while a run goes on");
  const auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(environment.timeout);
  group->backend_ = std::make_unique<Backend>();
  Backend& backend = *group->backend_;
  const auto started = Clock::now();
  try {
    c10d::TCPStoreOptions options;
    options.port = environment.master_port;
    options.isServer = rank == 0 && !agent_store_in_use();
    // The process group's own rendezvous waits for every rank (with the timeout); the
    // store's worker count is not needed, and LibTorch 1.13's server waits for it in vain.
    options.waitWorkers = false;
    options.timeout = timeout;
    const auto store = c10::make_intrusive<c10d::TCPStore>(environment.master_address, options);
    // Keys of one node's group never meet another node's (torchrun's store is shared).
    backend.store = c10::make_intrusive<c10d::PrefixStore>("paddock/" + context.node_name(), store);
    if (device.is_cuda()) {
#ifdef PADDOCK_WITH_NCCL
      auto nccl_options = c10d::ProcessGroupNCCL::Options::create();
      nccl_options->timeout = timeout;
      backend.nccl =
          c10::make_intrusive<c10d::ProcessGroupNCCL>(backend.store, rank, size, nccl_options);
#else
      throw Error(
          "this Paddock was built without NCCL, so data-parallel training cannot use CUDA "
          "tensors; rebuild against a LibTorch with CUDA and NCCL, or run on the CPU");
#endif
    } else {
#ifdef PADDOCK_WITH_GLOO
      auto gloo_options = c10d::ProcessGroupGloo::Options::create(timeout);
      gloo_options->devices.push_back(gloo_device(environment));
      backend.gloo =
          c10::make_intrusive<c10d::ProcessGroupGloo>(backend.store, rank, size, gloo_options);
#else
      throw Error(
          "this Paddock was built without gloo's headers, so data-parallel training cannot use "
          "the CPU; install libgloo-dev and rebuild");
#endif
    }
  } catch (const Error&) {
    throw;
  } catch (const std::exception& error) {
    throw Error(where + ": could not join the other ranks through the TCPStore at " +
                environment.master_address + ":" + std::to_string(environment.master_port) +
                " within " + std::to_string(environment.timeout.count()) +
                " s: " + message_of(error) +
                ". Every rank must run this node; check MASTER_ADDR, MASTER_PORT and that the "
                "other ranks are alive");
  }
  group->communication_seconds_ = std::chrono::duration<double>(Clock::now() - started).count();
  torch::manual_seed(rank_seed(context.seed(), rank));
  return group;
}

void DataParallelGroup::run(const std::string& what, const std::function<void()>& operation) {
  const auto started = Clock::now();
  try {
    operation();
  } catch (const std::exception& error) {
    throw Error(where_ + ": " + what + " failed: " + message_of(error) +
                ". Another rank probably failed or was killed (see its log); a rank that stops "
                "answering is given up on after PADDOCK_DISTRIBUTED_TIMEOUT seconds");
  }
  communication_seconds_ += std::chrono::duration<double>(Clock::now() - started).count();
}

void DataParallelGroup::sum(torch::Tensor& tensor, const std::string& what) {
  if (alone()) return;
  run(what, [&] {
    std::vector<at::Tensor> tensors = {tensor};
    backend_->allreduce(tensors)->wait();
  });
}

std::vector<double> DataParallelGroup::sum(const std::vector<double>& values,
                                           const std::string& what) {
  if (alone() || values.empty()) return values;
  // NCCL reduces only tensors on the rank's GPU; Gloo takes them where they are.
  torch::Tensor tensor = torch::tensor(values, torch::kFloat64).to(device_);
  sum(tensor, what);
  tensor = tensor.to(torch::kCPU).contiguous();
  return std::vector<double>(tensor.data_ptr<double>(), tensor.data_ptr<double>() + tensor.numel());
}

bool DataParallelGroup::any(bool flag, const std::string& what) {
  return sum(std::vector<double>{flag ? 1.0 : 0.0}, what).front() > 0.0;
}

void DataParallelGroup::broadcast(torch::Tensor& tensor, int root, const std::string& what) {
  if (alone()) return;
  run(what, [&] {
    std::vector<at::Tensor> tensors = {tensor};
    backend_->broadcast(tensors, root)->wait();
  });
}

std::vector<std::string> DataParallelGroup::gather_bytes(const std::string& mine,
                                                         const std::string& what) {
  if (alone()) return {mine};
  std::vector<double> lengths(static_cast<std::size_t>(size_), 0.0);
  lengths[static_cast<std::size_t>(rank_)] = static_cast<double>(mine.size());
  lengths = sum(lengths, what + " (sizes)");
  // One broadcast per rank: plain bytes need no reduction, and sizes may differ.
  std::vector<std::string> all(static_cast<std::size_t>(size_));
  for (int root = 0; root < size_; ++root) {
    const auto length = static_cast<std::int64_t>(lengths[static_cast<std::size_t>(root)]);
    torch::Tensor bytes = torch::zeros({length}, torch::kUInt8);
    if (root == rank_ && length > 0) std::memcpy(bytes.data_ptr(), mine.data(), mine.size());
    if (length == 0) continue;  // every rank knows the sizes, so all skip alike
    bytes = bytes.to(device_);
    broadcast(bytes, root, what);
    bytes = bytes.to(torch::kCPU).contiguous();
    all[static_cast<std::size_t>(root)].assign(static_cast<const char*>(bytes.data_ptr()),
                                               static_cast<std::size_t>(length));
  }
  return all;
}

void DataParallelGroup::barrier(const std::string& what) {
  if (alone()) return;
  run(what, [&] { backend_->barrier()->wait(); });
}

}  // namespace paddock::distributed
