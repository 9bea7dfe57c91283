#!/usr/bin/env python3
"""Training ratios from bench/peer/compare.sh's output: for each repetition, Paddock's one
pass and two shards over the peer's tokens/s on the same shape, then the median of each.

  bench/peer/compare.sh ... | python3 bench/peer/ratios.py
"""
import re
import statistics
import sys

# Paddock: "train    quickstart    1.0M params  batch 16x128  2 shards     13312 tokens/s ..."
# Peer:    "train    quickstart batch 16x128     11271 tokens/s"
LINE = re.compile(r"^train\s+(\S+)\s.*?batch \d+x\d+\s+(?:(\d+) shards?\s+)?(\d+) tokens/s")


def main():
    repetitions = []
    section = None
    for line in sys.stdin:
        if line.startswith("== repetition"):
            repetitions.append({})
        elif line.startswith("LibTorch"):
            section = "paddock"
        elif line.startswith("PyTorch"):
            section = "peer"
        match = LINE.match(line)
        if not match or not repetitions:
            continue
        shape, shards, rate = match.group(1), int(match.group(2) or 1), float(match.group(3))
        kind = "peer" if section == "peer" else ("shards" if shards > 1 else "pass")
        repetitions[-1][(shape, kind)] = rate
    ratios = {}
    for number, rates in enumerate(repetitions, 1):
        for shape in sorted({shape for shape, _ in rates}):
            peer = rates.get((shape, "peer"))
            if not peer:
                continue
            for kind in ("pass", "shards"):
                if (shape, kind) in rates:
                    ratio = rates[(shape, kind)] / peer
                    ratios.setdefault((shape, kind), []).append(ratio)
                    print(f"repetition {number}: {shape:<10} {kind:<6} / peer {ratio:.2f}")
    for (shape, kind), values in sorted(ratios.items()):
        print(f"median of {len(values)}: {shape:<10} {kind:<6} / peer "
              f"{statistics.median(values):.2f} (from {min(values):.2f} to {max(values):.2f})")


if __name__ == "__main__":
    main()
