#!/usr/bin/env python3
"""Compares two files of greedy continuations (model_logits --greedy, llama_logits --greedy):

    compare_greedy.py PADDOCK LLAMA_CPP

Prints how many leading tokens of each row agree; exits 1 unless every row agrees whole.
"""
import sys


def main():
    ours = [line.split() for line in open(sys.argv[1])]
    theirs = [line.split() for line in open(sys.argv[2])]
    if len(ours) != len(theirs):
        sys.exit(f"{len(ours)} rows against {len(theirs)}")
    same = True
    for number, (a, b) in enumerate(zip(ours, theirs)):
        agree = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        whole = agree == len(a) == len(b)
        print(f"  row {number}: {agree} of {len(b)} greedy tokens agree"
              + ("" if whole else f" (first difference: {a[agree:agree + 1]} against "
                                  f"{b[agree:agree + 1]})"))
        same = same and whole
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
