#!/usr/bin/env bash
# Throughput of packed against padded language-model training (pipeline.toml), the two nodes
# alternating in one run so the ratio comes from the same machine state.
#   bench/pretrain_packing/run.sh build/bin/paddock [repetitions]
set -euo pipefail
here=$(dirname "$(realpath "$0")")
exec "$here/../compare_training_nodes.sh" "$1" "$here/pipeline.toml" "${2:-2}" base padded packed
