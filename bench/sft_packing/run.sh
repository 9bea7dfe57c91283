#!/usr/bin/env bash
# Throughput of instruction tuning with whole examples packed into rows (per-example
# attention and positions) against one example per row grouped by length (pipeline.toml),
# the two nodes alternating in one run so the ratio comes from the same machine state.
#   bench/sft_packing/run.sh build/bin/paddock [repetitions]
set -euo pipefail
here=$(dirname "$(realpath "$0")")
exec "$here/../compare_training_nodes.sh" "$1" "$here/pipeline.toml" "${2:-2}" base grouped packed
