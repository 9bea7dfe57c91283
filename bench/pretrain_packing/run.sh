#!/usr/bin/env bash
# Throughput of packed against padded language-model training (pipeline.toml), alternating
# the two nodes in one run of this script so the ratio comes from the same machine state.
#   bench/pretrain_packing/run.sh build/bin/paddock [repetitions]
set -euo pipefail
paddock=$(realpath "$1")
repetitions=${2:-2}
here=$(dirname "$(realpath "$0")")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$paddock" run "$here/pipeline.toml" --until base >/dev/null 2>&1
for repetition in $(seq "$repetitions"); do
  for node in padded packed; do
    "$paddock" run "$here/pipeline.toml" --until "$node" --force "$node" >run.log 2>&1
    seconds=$(grep -o "$node: done in [0-9.]*s" run.log | grep -o '[0-9.]*s$')
    # The last progress line carries the node's mean real (non-padding) tokens per second.
    rate=$(grep "\[$node\] sft .*tok/s" run.log | tail -1 | grep -o '[0-9]* tok/s')
    steps=$(grep -o "done after [0-9]* optimizer steps" run.log | grep -o '[0-9]*')
    echo "repetition $repetition $node: $steps steps in $seconds, $rate"
  done
done
