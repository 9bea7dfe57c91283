// Scaled dot-product attention for float32 tensors on the CPU, where it beats LibTorch's
// batched products.
//
// LibTorch 1.13's batched product runs attention's many small per-head products one after
// another, each spread over every thread, so at our head sizes much of it is overhead. Two
// kernels replace it where bench/attention_bench measured them faster:
// - decoding (no gradient, at most two queries per row): plain vectorised loops per
//   (batch row, head, query), reading the key/value cache once; each row's result is
//   independent of the other rows in the batch;
// - long sequences (queries x keys >= 128 x 128): one task per (batch row, key/value head)
//   runs that head's whole attention single-threaded (scores, mask, softmax, weighted
//   values; in backward the five products), the tasks in parallel.
// Shorter sequences keep LibTorch's path, where the per-task call overhead would dominate.
#pragma once

#include <torch/torch.h>

namespace paddock::transformer {

// The additive mask: 0 where `allowed` ([B, 1, T, S] or [B, T, S] bool) lets a query see a
// key, the lowest float elsewhere. A query that sees no key attends evenly to all (the
// masked_fill convention) and passes no gradient to its scores.
torch::Tensor attention_bias(const torch::Tensor& allowed);

// q [B, H, T, D], k and v [B, G, S, D] with H a multiple of G (grouped-query heads share a
// key/value head), any strides with unit stride on D; bias [B, T, S] from attention_bias.
// Returns softmax(scale * q k^T + bias) v laid out as [B, T, H * D]. Differentiable in q, k, v.
torch::Tensor cpu_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                            const torch::Tensor& bias, double scale);

// True when cpu_attention is the faster path for `q` ([B, H, T, D]) against `keys` keys:
// float32 on the CPU, and decoding or a long sequence (see above).
bool cpu_attention_applies(const torch::Tensor& q, std::int64_t keys);

// The shape half of that choice, before q exists: whether `queries` x `keys` may take a
// kernel (so the decoder builds the additive mask only then).
bool cpu_attention_shape_may_apply(std::int64_t queries, std::int64_t keys);

}  // namespace paddock::transformer
