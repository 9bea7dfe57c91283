#!/usr/bin/env bash
# Wall time of pipeline.toml's sft and samples nodes with OpenMP threads waiting passively
# (OMP_WAIT_POLICY=PASSIVE) and spinning (libgomp's default spin count), alternating, with
# PADDOCK_THREADS threads (default 2). Run it on a quiet machine, then again beside a load
# such as `ninja -j2` to see the difference contention makes.
#   bench/openmp_wait/run.sh build/bin/paddock [repetitions]
set -euo pipefail
paddock=$(realpath "$1")
repetitions=${2:-3}
here=$(dirname "$(realpath "$0")")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$paddock" run "$here/pipeline.toml" --until base >/dev/null 2>&1
for repetition in $(seq "$repetitions"); do
  for policy in passive spinning; do
    if [ "$policy" = passive ]; then settings=(OMP_WAIT_POLICY=PASSIVE); else settings=(GOMP_SPINCOUNT=300000); fi
    env "${settings[@]}" PADDOCK_THREADS="${PADDOCK_THREADS:-2}" \
      "$paddock" run "$here/pipeline.toml" --force sft --force samples >run.log 2>&1
    sft=$(grep -o 'sft: done in [0-9.]*s' run.log | grep -o '[0-9.]*s$')
    samples=$(grep -o 'samples: done in [0-9.]*s' run.log | grep -o '[0-9.]*s$')
    echo "repetition $repetition $policy: sft $sft, samples $samples"
  done
done
