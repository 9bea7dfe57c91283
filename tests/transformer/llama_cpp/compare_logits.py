#!/usr/bin/env python3
"""Compares two logits files (model_logits and llama_logits output) for the same rows:

    compare_logits.py ROWS VOCAB PADDOCK_LOGITS LLAMA_CPP_LOGITS [TOLERANCE]

Prints, per row, the largest difference of the log-probabilities over every position and
token, and whether the likeliest token agrees at every position. Exits 1 when any difference
exceeds TOLERANCE (default 1e-3) or any likeliest token differs.
"""
import sys

import torch


def main():
    rows_path, vocab, ours_path, theirs_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    tolerance = float(sys.argv[5]) if len(sys.argv) > 5 else 1e-3
    rows = [line.split() for line in open(rows_path) if line.strip()]
    ours = torch.frombuffer(bytearray(open(ours_path, "rb").read()), dtype=torch.float32)
    theirs = torch.frombuffer(bytearray(open(theirs_path, "rb").read()), dtype=torch.float32)
    positions = sum(len(row) for row in rows)
    for name, values in (("paddock", ours), ("llama.cpp", theirs)):
        if values.numel() != positions * vocab:
            sys.exit(f"{name}: {values.numel()} logits, expected {positions} x {vocab}")
    ours, theirs = ours.view(positions, vocab).double(), theirs.view(positions, vocab).double()
    worst, agree, start = 0.0, True, 0
    for number, row in enumerate(rows):
        a = torch.log_softmax(ours[start:start + len(row)], -1)
        b = torch.log_softmax(theirs[start:start + len(row)], -1)
        start += len(row)
        gap = (a - b).abs().max().item()
        same = bool((a.argmax(-1) == b.argmax(-1)).all())
        spread = (a.max(-1).values - a.min(-1).values).mean().item()
        print(f"  row {number}: {len(row)} tokens, largest log-probability gap {gap:.2e} "
              f"(log-probabilities span {spread:.1f} on average), likeliest tokens "
              f"{'agree' if same else 'DIFFER'}")
        worst, agree = max(worst, gap), agree and same
    sys.exit(0 if worst <= tolerance and agree else 1)


if __name__ == "__main__":
    main()
