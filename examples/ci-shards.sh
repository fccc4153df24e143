#!/usr/bin/env bash
# The README's GitHub Actions matrix (M shard jobs, then a merge job), run
# locally: each shard job writes its own folder, as separate runners would;
# the merge job copies them into one (as download-artifact with
# merge-multiple does), merges and verifies. tests/test_ci_shards.py runs it.
#
#   examples/ci-shards.sh SRC RECIPE COPIES M WORK
set -euo pipefail
src=$1 recipe=$2 copies=$3 shards=$4 work=$5
augment=${AUGMENT:-augment}

for shard in $(seq 1 "$shards"); do  # the matrix: one job per shard
  $augment expand "$src" --recipe "$recipe" --copies "$copies" --shard "$shard/$shards" \
    --out "$work/job-$shard/out" --quiet
done

mkdir -p "$work/merged/out"  # the merge job
for shard in $(seq 1 "$shards"); do
  cp -r "$work/job-$shard/out/." "$work/merged/out/"
done
$augment merge "$work/merged/out"
$augment verify "$work/merged/out"
