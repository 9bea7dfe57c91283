// Bucketed gradient all-reduce: flatten, sum once per bucket, copy back.
#include "paddock/distributed/gradient_buckets.hpp"

#include <torch/torch.h>

namespace paddock::distributed {
namespace {

void sum_bucket(DataParallelGroup& group, const std::vector<torch::Tensor>& gradients,
                std::size_t number) {
  std::vector<torch::Tensor> flat_parts;
  flat_parts.reserve(gradients.size());
  for (const torch::Tensor& gradient : gradients) flat_parts.push_back(gradient.reshape({-1}));
  torch::Tensor bucket = torch::cat(flat_parts);
  group.sum(bucket, "the gradient all-reduce (bucket " + std::to_string(number) + ")");
  std::int64_t offset = 0;
  for (const torch::Tensor& gradient : gradients) {
    const std::int64_t count = gradient.numel();
    gradient.copy_(bucket.narrow(0, offset, count).view_as(gradient));
    offset += count;
  }
}

}  // namespace

void sum_gradients(DataParallelGroup& group, const std::vector<torch::Tensor>& parameters,
                   std::int64_t bucket_bytes) {
  if (group.alone()) return;
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> bucket;
  std::int64_t bytes = 0;
  std::size_t number = 0;
  for (const torch::Tensor& parameter : parameters) {
    if (!parameter.requires_grad()) continue;
    torch::Tensor gradient = parameter.grad();
    if (!gradient.defined()) {
      // Every rank must contribute the same buckets, so a missing gradient becomes zeros.
      parameter.mutable_grad() = torch::zeros_like(parameter);
      gradient = parameter.grad();
    }
    const std::int64_t size = gradient.numel() * static_cast<std::int64_t>(gradient.element_size());
    const bool fits = bucket.empty() || (bytes + size <= bucket_bytes &&
                                         gradient.scalar_type() == bucket.front().scalar_type() &&
                                         gradient.device() == bucket.front().device());
    if (!fits) {
      sum_bucket(group, bucket, number++);
      bucket.clear();
      bytes = 0;
    }
    bucket.push_back(gradient);
    bytes += size;
  }
  if (!bucket.empty()) sum_bucket(group, bucket, number);
}

}  // namespace paddock::distributed
