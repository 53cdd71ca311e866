#!/usr/bin/env bash
# Side by side: `weir kustomize build` and `kubectl kustomize` on generated overlays of N
# Deployments, and on the corpus cases marked perf. Wall time and peak RSS from /usr/bin/time -v.
# Usage: run.sh BUILD_DIR [N...]   (default N: 1000 4000 10000)
# kubectl runs only up to KUBECTL_MAX Deployments (default 4000): it is quadratic, 10,000 would
# hold a core for most of an hour.
set -euo pipefail
build=${1:?build dir}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 4000 10000)
kubectl_max=${KUBECTL_MAX:-4000}
here=$(cd "$(dirname "$0")" && pwd)
weir="$build/bin/weir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

measure() { # label cmd...: prints "label  wall_s  peak_rss_MB"
  local label=$1
  shift
  /usr/bin/time -v "$@" >"$tmp/out" 2>"$tmp/time" || { echo "$label: failed"; tail -3 "$tmp/time"; return; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$tmp/time")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$tmp/time")
  printf '%-40s %12s %10s MB\n' "$label" "$wall" "$rss"
}

printf '%-40s %12s %13s\n' "build" "wall (m:s)" "peak RSS"
for n in "${sizes[@]}"; do
  python3 "$here/gen_tree.py" "$tmp/tree-$n" "$n"
  measure "weir    $n deployments" "$weir" kustomize build "$tmp/tree-$n/overlay"
  if [ "$n" -le "$kubectl_max" ]; then
    measure "kubectl $n deployments" kubectl kustomize "$tmp/tree-$n/overlay"
  else
    echo "kubectl $n deployments: skipped (above KUBECTL_MAX=$kubectl_max)"
  fi
done
corpus="$build/../../shared/corpus/kustomize"
[ -d "$corpus" ] || corpus="$(cd "$build/.." && pwd)/../shared/corpus/kustomize"
if [ -d "$corpus" ]; then
  for c in "$corpus"/*/; do
    grep -q '"perf"' "$c/case.json" 2>/dev/null || continue
    entry=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["entry"])' "$c/case.json")
    name=$(basename "$c")
    measure "weir    ${name:0:30}" "$weir" kustomize build "$c/input/$entry"
    measure "kubectl ${name:0:30}" kubectl kustomize "$c/input/$entry"
  done
fi
