#!/usr/bin/env bash
# Image automation benchmarks with peak memory: bash tests/bench/image/run.sh <build dir>
set -euo pipefail
bin="$1/image-bench/image_bench"
[ -x "$bin" ] || { echo "image_bench not built"; exit 0; }
for mode in scan update; do
  /usr/bin/time -v "$bin" "$mode" 2> >(grep -E 'Maximum resident|Elapsed \(wall' >&2)
done
