#!/usr/bin/env python3
"""Writes small random checkpoints in the Hugging Face layout (config.json, model.safetensors
and a tokenizer) for the cross-check with llama.cpp (compare.sh): GPT-2, LLaMA with grouped
keys and values and its own output layer, LLaMA with tied embeddings. LLaMA also with
rotary scaling: llama3, and linear in the newer rope_parameters field; and LLaMA in bfloat16,
in two shards; Mistral (the LLaMA architecture under its own name, with a sliding window). The weights are drawn
with a wide spread so that a wrong convention moves the logits far beyond rounding.

    make_checkpoints.py OUT_DIR GPT2_TOKENIZER_DIR LLAMA_TOKENIZER_MODEL

The GPT-2 tokenizer (tokenizer.json, tokenizer_config.json) and the SentencePiece model
(copied as tokenizer.model) are there because Paddock loads a checkpoint with its tokenizer;
the check itself feeds token ids, over the whole vocabulary.
"""
import json
import shutil
import struct
import sys
from pathlib import Path

import torch


def tensor_bytes(tensor, dtype):
    if dtype == "BF16":  # numpy has no bfloat16: its bits, as 16-bit integers
        return tensor.contiguous().to(torch.bfloat16).view(torch.int16).numpy().tobytes()
    return tensor.contiguous().to(torch.float32).numpy().tobytes()


def write_safetensors(path, tensors, dtype="F32"):
    """The safetensors layout: an 8-byte little-endian header length, the JSON header, the
    data of every tensor in header order (C order, little-endian)."""
    header, blobs, offset = {}, [], 0
    for name, tensor in tensors.items():
        data = tensor_bytes(tensor, dtype)
        header[name] = {"dtype": dtype, "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(text)))
        out.write(text)
        for blob in blobs:
            out.write(blob)


def write_two_shards(directory, tensors, dtype):
    """Hugging Face's sharded layout: model-0000N-of-00002.safetensors and the index naming
    each tensor's file."""
    names = list(tensors)
    halves = (names[:len(names) // 2], names[len(names) // 2:])
    weight_map = {}
    for number, part in enumerate(halves, 1):
        file = f"model-{number:05d}-of-00002.safetensors"
        write_safetensors(directory / file, {name: tensors[name] for name in part}, dtype)
        weight_map.update({name: file for name in part})
    size = sum(t.numel() * (2 if dtype == "BF16" else 4) for t in tensors.values())
    index = {"metadata": {"total_size": size}, "weight_map": weight_map}
    (directory / "model.safetensors.index.json").write_text(json.dumps(index, indent=2))


def spread(generator, *shape, scale=0.3):
    return torch.randn(*shape, generator=generator) * scale


def around_one(generator, size):
    return 1.0 + torch.randn(size, generator=generator) * 0.2


def gpt2(generator):
    h, layers, heads, vocab, positions = 64, 2, 4, 1024, 128
    config = {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": vocab,
              "n_embd": h, "n_layer": layers, "n_head": heads, "n_inner": None,
              "n_positions": positions, "n_ctx": positions, "layer_norm_epsilon": 1e-5,
              "activation_function": "gelu_new", "tie_word_embeddings": True,
              "bos_token_id": 0, "eos_token_id": 0}
    t = {"transformer.wte.weight": spread(generator, vocab, h),
         "transformer.wpe.weight": spread(generator, positions, h),
         "transformer.ln_f.weight": around_one(generator, h),
         "transformer.ln_f.bias": spread(generator, h, scale=0.1)}
    for i in range(layers):
        p = f"transformer.h.{i}."
        # Conv1D stores [in, out].
        t[p + "ln_1.weight"] = around_one(generator, h)
        t[p + "ln_1.bias"] = spread(generator, h, scale=0.1)
        t[p + "attn.c_attn.weight"] = spread(generator, h, 3 * h)
        t[p + "attn.c_attn.bias"] = spread(generator, 3 * h, scale=0.1)
        t[p + "attn.c_proj.weight"] = spread(generator, h, h)
        t[p + "attn.c_proj.bias"] = spread(generator, h, scale=0.1)
        t[p + "ln_2.weight"] = around_one(generator, h)
        t[p + "ln_2.bias"] = spread(generator, h, scale=0.1)
        t[p + "mlp.c_fc.weight"] = spread(generator, h, 4 * h)
        t[p + "mlp.c_fc.bias"] = spread(generator, 4 * h, scale=0.1)
        t[p + "mlp.c_proj.weight"] = spread(generator, 4 * h, h)
        t[p + "mlp.c_proj.bias"] = spread(generator, h, scale=0.1)
    return config, t


def llama(generator, kv_heads, tied, rope_theta, eps, extra=None):
    """`extra`: config entries to add or override (scaling, or Mistral's names)."""
    h, layers, heads, inner, vocab = 64, 2, 4, 160, 32000
    d = h // heads
    config = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": vocab,
              "hidden_size": h, "intermediate_size": inner, "num_hidden_layers": layers,
              "num_attention_heads": heads, "num_key_value_heads": kv_heads,
              "max_position_embeddings": 256, "rms_norm_eps": eps, "rope_theta": rope_theta,
              "hidden_act": "silu", "tie_word_embeddings": tied, "bos_token_id": 1,
              "eos_token_id": 2, "torch_dtype": "float32"}
    config.update(extra or {})
    if rope_theta is None:
        del config["rope_theta"]
    t = {"model.embed_tokens.weight": spread(generator, vocab, h),
         "model.norm.weight": around_one(generator, h)}
    if not tied:
        t["lm_head.weight"] = spread(generator, vocab, h)
    for i in range(layers):
        p = f"model.layers.{i}."
        t[p + "input_layernorm.weight"] = around_one(generator, h)
        t[p + "self_attn.q_proj.weight"] = spread(generator, heads * d, h)
        t[p + "self_attn.k_proj.weight"] = spread(generator, kv_heads * d, h)
        t[p + "self_attn.v_proj.weight"] = spread(generator, kv_heads * d, h)
        t[p + "self_attn.o_proj.weight"] = spread(generator, h, heads * d)
        t[p + "post_attention_layernorm.weight"] = around_one(generator, h)
        t[p + "mlp.gate_proj.weight"] = spread(generator, inner, h)
        t[p + "mlp.up_proj.weight"] = spread(generator, inner, h)
        t[p + "mlp.down_proj.weight"] = spread(generator, h, inner)
    return config, t


def main():
    out, gpt2_tokenizer, llama_tokenizer = (Path(a) for a in sys.argv[1:4])
    generator = torch.Generator().manual_seed(20261207)
    models = {
        "gpt2": (gpt2(generator), gpt2_tokenizer),
        "llama_gqa": (llama(generator, kv_heads=2, tied=False, rope_theta=500000.0, eps=1e-6),
                      llama_tokenizer),
        "llama_tied": (llama(generator, kv_heads=4, tied=True, rope_theta=10000.0, eps=1e-5),
                       llama_tokenizer),
        # LLaMA 3.1's scaling, its original context shrunk to 64 so that the eight
        # frequencies fall in all three of its bands (kept, blended, slowed).
        "llama_rope_llama3": (
            llama(generator, kv_heads=2, tied=False, rope_theta=500000.0, eps=1e-5, extra={
                "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                 "high_freq_factor": 4.0,
                                 "original_max_position_embeddings": 64}}),
            llama_tokenizer),
        # The weights in bfloat16, in two shards with their index.
        "llama_bf16_sharded": (
            llama(generator, kv_heads=2, tied=False, rope_theta=10000.0, eps=1e-5),
            llama_tokenizer),
        # Linear scaling, written the newer way: rope_parameters holds rope_theta too.
        "llama_rope_linear": (
            llama(generator, kv_heads=4, tied=True, rope_theta=None, eps=1e-5, extra={
                "rope_parameters": {"rope_type": "linear", "factor": 4.0,
                                    "rope_theta": 20000.0}}),
            llama_tokenizer),
        # Mistral: LLaMA's architecture under its own name, with a sliding window longer
        # than the rows (Paddock runs nothing longer).
        "mistral": (
            llama(generator, kv_heads=2, tied=False, rope_theta=1000000.0, eps=1e-5, extra={
                "architectures": ["MistralForCausalLM"], "model_type": "mistral",
                "sliding_window": 256}),
            llama_tokenizer),
    }
    for name, ((config, tensors), tokenizer) in models.items():
        directory = out / name
        directory.mkdir(parents=True, exist_ok=True)
        if tokenizer.is_dir():
            for file in ("tokenizer.json", "tokenizer_config.json"):
                shutil.copy(tokenizer / file, directory / file)
        else:
            shutil.copy(tokenizer, directory / "tokenizer.model")
        if name.endswith("_sharded"):
            config["torch_dtype"] = "bfloat16"
            write_two_shards(directory, tensors, "BF16")
        else:
            write_safetensors(directory / "model.safetensors", tensors)
        (directory / "config.json").write_text(json.dumps(config, indent=2))
        print(directory)


if __name__ == "__main__":
    main()
