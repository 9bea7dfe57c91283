#!/usr/bin/env bash
# Runs training nodes of one pipeline alternately, each forced afresh, and prints each run's
# optimizer steps, wall time and real (non-padding) tokens per second, so a ratio between
# the nodes comes from the same machine state. The nodes before them run once, first.
#   bench/compare_training_nodes.sh PADDOCK PIPELINE REPETITIONS SETUP_NODE NODE...
set -euo pipefail
paddock=$(realpath "$1")
pipeline=$(realpath "$2")
repetitions=$3
setup=$4
shift 4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$paddock" run "$pipeline" --until "$setup" >/dev/null 2>&1
for repetition in $(seq "$repetitions"); do
  for node in "$@"; do
    "$paddock" run "$pipeline" --until "$node" --force "$node" >run.log 2>&1
    seconds=$(grep -o "$node: done in [0-9.]*s" run.log | grep -o '[0-9.]*s$')
    # The last progress line carries the node's mean real tokens per second.
    rate=$(grep "\[$node\] sft .*tok/s" run.log | tail -1 | grep -o '[0-9]* tok/s')
    steps=$(grep -o "done after [0-9]* optimizer steps" run.log | grep -o '[0-9]*')
    echo "repetition $repetition $node: $steps steps in $seconds, $rate"
  done
done
