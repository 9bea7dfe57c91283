#!/usr/bin/env bash
# Data-parallel SFT throughput on this machine: one process with one thread, two processes
# (`paddock run --nproc 2`) with one thread each, and one process with two threads; plus the
# time the ranks spent in collective operations (gradient all-reduce and the small exchanges).
# Figures go to docs/performance.md.
#
#   bench/distributed_bench.sh [BUILD_DIR] [RECORDS]
#
# RECORDS synthetic instruction records (default 320: 20 optimizer steps of 16), with outputs
# of 20 to 200 words so that sequences differ in length as real data does.
set -euo pipefail
build=$(realpath "${1:-build}")
records=${2:-320}
paddock="$build/bin/paddock"
work=$(mktemp -d /tmp/paddock-distributed-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT

words=(the model learns to follow short instructions from simulated feedback and answers them)
for ((i = 0; i < records; i++)); do
  output=""
  for ((w = 0; w < 20 + (i * 37) % 180; w++)); do output+="${words[(i + w) % ${#words[@]}]} "; done
  printf '{"instruction": "Write answer %d.", "input": "", "output": "%s"}\n' "$i" "$output"
done > "$work/records.jsonl"

cat > "$work/bench.toml" <<TOML
[pipeline]
name = "distributed-bench"
seed = 11
device = "cpu"
workdir = "$work/run"

[nodes.records]
use = "dataset_file"
path = "$work/records.jsonl"

[nodes.base]
use = "transformer_init"
corpus = "records.data"
family = "gpt2"
vocab_size = 1024
hidden_size = 128
layers = 4
heads = 4
max_positions = 320

[nodes.sft]
use = "sft"
model = "base.model"
data = "records.data"
epochs = 1
batch_size = 16
learning_rate = 1e-3
max_length = 256
checkpoint_every = 0
TOML

"$paddock" run "$work/bench.toml" --until base > /dev/null 2>&1

measure() {  # LABEL THREADS NPROC
  local label=$1 threads=$2 nproc=$3
  PADDOCK_THREADS=$threads "$paddock" run "$work/bench.toml" --until sft --force sft \
    --nproc "$nproc" > "$work/last.log" 2>&1
  local seconds rows collective
  seconds=$(grep -o 'sft: done in [0-9.]*s' "$work/last.log" | tail -1 | grep -o '[0-9.]*' | head -1)
  rows=$(grep -o 'sft: [0-9]* training sequences' "$work/last.log" | tail -1 | grep -o '[0-9]*')
  collective=$(grep -o '[0-9.]* s in collective operations over [0-9]* steps' "$work/last.log" \
    | tail -1 || true)
  printf '%-28s %4s rows in %7.2f s  %6.1f rows/s  %s\n' "$label" "$rows" "$seconds" \
    "$(echo "$rows / $seconds" | bc -l)" "${collective:-}"
}

echo "SFT, $records records, model d128 x 4 layers, batch 16, $(nproc) cores"
measure "1 process x 1 thread" 1 1
measure "2 processes x 1 thread" 1 2
measure "1 process x 2 threads" 2 1
