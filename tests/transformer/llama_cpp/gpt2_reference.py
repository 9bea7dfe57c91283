#!/usr/bin/env python3
"""GPT-2's logits in float64, written from Hugging Face's definition of the model, for the
llama.cpp cross-check (compare.sh): it tells Paddock's rounding from llama.cpp's.

    gpt2_reference.py CHECKPOINT_DIR ROWS exact|half-gelu > LOGITS

half-gelu rounds the GELU's input and output to half precision, as llama.cpp's CPU table
does. Reads model.safetensors (F32, the prefixed names make_checkpoints.py writes); writes
float32 logits like model_logits.
"""
import json
import math
import struct
import sys

import torch


def read_safetensors(path):
    data = open(path, "rb").read()
    length = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + length])
    start = 8 + length
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        raw = bytearray(data[start + begin:start + end])
        tensors[name] = torch.frombuffer(raw, dtype=torch.float32).view(entry["shape"]).double()
    return tensors


def gelu_tanh(x, half):
    if half:
        x = x.float().half().double()
    y = 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    return y.float().half().double() if half else y


def logits(weights, config, ids, half):
    w = weights
    hidden, heads = config["n_embd"], config["n_head"]
    eps, count = config["layer_norm_epsilon"], len(ids)
    norm = torch.nn.functional.layer_norm
    x = w["transformer.wte.weight"][torch.tensor(ids)] + w["transformer.wpe.weight"][:count]
    future = torch.triu(torch.ones(count, count, dtype=torch.bool), 1)
    for layer in range(config["n_layer"]):
        p = f"transformer.h.{layer}."
        h = norm(x, (hidden,), w[p + "ln_1.weight"], w[p + "ln_1.bias"], eps)
        qkv = h @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]  # Conv1D: [in, out]
        q, k, v = (t.view(count, heads, -1).transpose(0, 1) for t in qkv.split(hidden, -1))
        scores = (q @ k.transpose(-1, -2) / math.sqrt(hidden // heads)).masked_fill(
            future, -math.inf)
        attended = (torch.softmax(scores, -1) @ v).transpose(0, 1).reshape(count, hidden)
        x = x + attended @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
        h = norm(x, (hidden,), w[p + "ln_2.weight"], w[p + "ln_2.bias"], eps)
        inner = gelu_tanh(h @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"], half)
        x = x + inner @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
    x = norm(x, (hidden,), w["transformer.ln_f.weight"], w["transformer.ln_f.bias"], eps)
    return (x @ w["transformer.wte.weight"].T).float()  # tied output layer


def main():
    directory, rows_path, mode = sys.argv[1:4]
    config = json.load(open(f"{directory}/config.json"))
    weights = read_safetensors(f"{directory}/model.safetensors")
    for line in open(rows_path):
        if line.strip():
            ids = [int(token) for token in line.split()]
            sys.stdout.buffer.write(logits(weights, config, ids, mode == "half-gelu").numpy().tobytes())


if __name__ == "__main__":
    main()
