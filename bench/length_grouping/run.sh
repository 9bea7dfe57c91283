#!/usr/bin/env bash
# Throughput of instruction SFT without and with group_by_length (windows of 2 and 8 steps;
# pipeline.toml), the nodes alternating in one run so the ratios come from one machine state.
#   bench/length_grouping/run.sh build/bin/paddock [repetitions]
set -euo pipefail
here=$(dirname "$(realpath "$0")")
exec "$here/../compare_training_nodes.sh" "$1" "$here/pipeline.toml" "${2:-2}" base permuted grouped_2 grouped
