#!/usr/bin/env python3
"""A Python PyTorch eager peer of bench/transformer_bench.cpp.

The same GPT-2-shaped models, shapes and work, written the way a nanoGPT-style model.py
writes them (fused cross-entropy, a key/value cache that grows by concatenation, batches
that decode until their longest row ends), on Debian's python3-torch: the LibTorch and BLAS
Paddock runs on. Prints lines labelled like transformer_bench's, so bench/peer/compare.sh
can set the two side by side.

  python3 bench/peer/peer_bench.py [--threads N] [--training-only]
"""
import argparse
import math
import time

import torch
import torch.nn.functional as F
from torch import nn

CONFIGS = {
    # name: vocab, hidden, layers, heads, intermediate, positions
    "quickstart": (1024, 128, 4, 4, 512, 320),
    "11m": (2048, 384, 6, 6, 1536, 512),
}


class Block(nn.Module):
    def __init__(self, hidden, heads, intermediate):
        super().__init__()
        self.heads = heads
        self.ln_1 = nn.LayerNorm(hidden)
        self.c_attn = nn.Linear(hidden, 3 * hidden)
        self.attn_proj = nn.Linear(hidden, hidden)
        self.ln_2 = nn.LayerNorm(hidden)
        self.c_fc = nn.Linear(hidden, intermediate)
        self.mlp_proj = nn.Linear(intermediate, hidden)

    def forward(self, x, allowed, past=None):
        batch, steps, hidden = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(hidden, dim=2)
        shape = (batch, steps, self.heads, hidden // self.heads)
        q, k, v = (t.view(shape).transpose(1, 2) for t in (q, k, v))
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(hidden // self.heads)
        scores = scores.masked_fill(~allowed, torch.finfo(scores.dtype).min)
        attended = (F.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(batch, steps, hidden)
        x = x + self.attn_proj(attended)
        x = x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))
        return x, (k, v)


class GPT(nn.Module):
    def __init__(self, vocab, hidden, layers, heads, intermediate, positions):
        super().__init__()
        self.wte = nn.Embedding(vocab, hidden)
        self.wpe = nn.Embedding(positions, hidden)
        self.blocks = nn.ModuleList(Block(hidden, heads, intermediate) for _ in range(layers))
        self.ln_f = nn.LayerNorm(hidden)
        for parameter in self.parameters():
            nn.init.normal_(parameter, 0.0, 0.02) if parameter.dim() > 1 else None

    def forward(self, ids, key_mask=None, past=None):
        """key_mask [B, K] (1 = token) covers the cache and `ids`; None = no padding."""
        batch, steps = ids.shape
        if key_mask is None:
            key_mask = torch.ones(batch, steps + (0 if past is None else past[0][0].size(2)),
                                  dtype=torch.long)
        keys = key_mask.size(1)
        positions = (key_mask.cumsum(1) - 1).clamp(min=0)[:, keys - steps:]
        causal = torch.ones(steps, keys, dtype=torch.bool).tril(keys - steps)
        allowed = causal & key_mask.bool()[:, None, None, :]
        x = self.wte(ids) + self.wpe(positions)
        present = []
        for i, block in enumerate(self.blocks):
            x, kv = block(x, allowed, None if past is None else past[i])
            present.append(kv)
        return self.ln_f(x) @ self.wte.weight.t(), present


def time_per_run(repeats, work):
    """One warm-up run, then the fastest of `repeats` (other jobs on the machine only add)."""
    work()
    fastest = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        fastest = min(fastest, time.perf_counter() - start)
    return fastest


def bench_training(name, batch, length, repeats):
    model = GPT(*CONFIGS[name])
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    ids = torch.randint(0, CONFIGS[name][0], (batch, length))

    def step():
        logits, _ = model(ids)
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.size(-1)), ids[:, 1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    seconds = time_per_run(repeats, step)
    print(f"train    {name:<10} batch {batch}x{length}  {batch * length / seconds:8.0f} tokens/s")


@torch.no_grad()
def decode(model, prompts, new_tokens, sample, stop_letter=None, mask=None):
    """Fixed batch, KV cache; runs until every row has ended. Returns real tokens made."""
    batch = prompts.size(0)
    mask = torch.ones_like(prompts) if mask is None else mask
    logits, past = model(prompts, mask)
    logits = logits[:, -1]
    finished = torch.zeros(batch, dtype=torch.bool)
    made = 0
    for step in range(new_tokens):
        if sample:
            probabilities = F.softmax(logits, dim=-1)
            sorted_p, order = probabilities.sort(dim=-1, descending=True)
            sorted_p[(sorted_p.cumsum(-1) - sorted_p) >= 0.9] = 0
            token = order.gather(-1, torch.multinomial(sorted_p, 1))
        else:
            token = logits.argmax(-1, keepdim=True)
        made += int((~finished).sum())
        if stop_letter is not None:
            finished |= (token.squeeze(1) % 26) == stop_letter
            if bool(finished.all()):
                break
        mask = torch.cat([mask, torch.ones(batch, 1, dtype=torch.long)], 1)
        logits, past = model(token, mask, past)
        logits = logits[:, -1]
    return made


def bench_generation(name, batch, prompt, new_tokens):
    model = GPT(*CONFIGS[name]).eval()
    prompts = (torch.arange(prompt) * 7919 % (CONFIGS[name][0] - 1) + 1).repeat(batch, 1)
    seconds = time_per_run(3, lambda: decode(model, prompts, new_tokens, sample=False))
    print(f"generate {name:<10} batch {batch}, {prompt}-token prompts, {new_tokens} new tokens: "
          f"{batch * new_tokens / seconds:8.0f} tokens/s")


def bench_mixed_length(name, count, rows, prompt, new_tokens):
    """Sampling until 'q' (a token id % 26 == 16) as transformer_bench's mixed-length line."""
    model = GPT(*CONFIGS[name]).eval()
    vocab = CONFIGS[name][0]
    lengths = [prompt // 2 + (p * 37) % prompt for p in range(count)]
    order = sorted(range(count), key=lambda p: lengths[p])
    made = 0

    def run():
        nonlocal made
        made = 0
        for first in range(0, count, rows):
            group = order[first:first + rows]
            longest = max(lengths[p] for p in group)
            ids = torch.zeros(len(group), longest, dtype=torch.long)
            mask = torch.zeros(len(group), longest, dtype=torch.long)
            for row, p in enumerate(group):  # left-padded, as Paddock's prompts
                ids[row, longest - lengths[p]:] = torch.tensor(
                    [1 + (i * 7919 + p * 104729) % (vocab - 1) for i in range(lengths[p])])
                mask[row, longest - lengths[p]:] = 1
            made += decode(model, ids, new_tokens, sample=True, stop_letter=16, mask=mask)

    seconds = time_per_run(3, run)
    print(f"sample   {name:<10} {count} prompts, {rows} rows, mixed lengths (mean "
          f"{made / count:.1f} of at most {new_tokens}): fixed batches {made / seconds:8.0f} "
          f"real tokens/s")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--training-only", action="store_true")
    arguments = parser.parse_args()
    torch.set_num_threads(arguments.threads)
    torch.manual_seed(0)
    print(f"PyTorch {torch.__version__} (Python peer), {torch.get_num_threads()} intra-op threads")
    bench_training("quickstart", 16, 128, 10)
    bench_training("11m", 16, 128, 3)
    if arguments.training_only:
        return
    bench_generation("quickstart", 64, 32, 128)
    bench_mixed_length("quickstart", 256, 64, 32, 128)


if __name__ == "__main__":
    main()
