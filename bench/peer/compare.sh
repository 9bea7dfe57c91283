#!/usr/bin/env bash
# Paddock's transformer_bench (--peer: the lines the peer also has) and the Python PyTorch
# peer, alternating, so each ratio comes from one machine state. Needs python3-torch (the
# same LibTorch as Debian's libtorch-dev) and a build with -DPADDOCK_BUILD_BENCH=ON.
#   bench/peer/compare.sh build/bin/transformer_bench [repetitions] [training]
# With `training` only the training lines run (about a minute a repetition instead of
# several), so more repetitions fit between the machine's changes of speed; the ratios of
# each repetition and their median follow (bench/peer/ratios.py).
set -euo pipefail
here=$(dirname "$(realpath "$0")")
bench=$(realpath "$1")
threads=${PADDOCK_THREADS:-2}
bench_flag=--peer
peer_flags=()
if [ "${3:-}" = training ]; then
  bench_flag=--peer-training
  peer_flags=(--training-only)
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
lscpu | grep -m1 'Model name'
for repetition in $(seq "${2:-2}"); do
  echo "== repetition $repetition"
  PADDOCK_THREADS=$threads "$bench" "$bench_flag"
  /usr/bin/python3 "$here/peer_bench.py" --threads "$threads" "${peer_flags[@]}"
done | tee "$log"
/usr/bin/python3 "$here/ratios.py" < "$log"
