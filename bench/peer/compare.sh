#!/usr/bin/env bash
# Paddock's transformer_bench (--peer: the lines the peer also has) and the Python PyTorch
# peer, alternating, so each ratio comes from one machine state. Needs python3-torch (the
# same LibTorch as Debian's libtorch-dev) and a build with -DPADDOCK_BUILD_BENCH=ON.
#   bench/peer/compare.sh build/bin/transformer_bench [repetitions]
set -euo pipefail
here=$(dirname "$(realpath "$0")")
bench=$(realpath "$1")
threads=${PADDOCK_THREADS:-2}
lscpu | grep -m1 'Model name'
for repetition in $(seq "${2:-2}"); do
  echo "== repetition $repetition"
  PADDOCK_THREADS=$threads "$bench" --peer
  /usr/bin/python3 "$here/peer_bench.py" --threads "$threads"
done
