#!/usr/bin/env bash
# Resident memory of weir-apiserver and of every controller idle on an empty cluster: each started
# with its usual flags, given 3 s after it reports ready on /readyz, then VmRSS read from /proc.
# Usage: run.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:?build dir}" && pwd)
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_mb() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }

api_port=$(free_port)
"$build/bin/weir-apiserver" --data-dir "$tmp/api" --listen "127.0.0.1:$api_port" --write-kubeconfig "$tmp/kubeconfig" \
  >"$tmp/apiserver.log" 2>&1 &
api_pid=$!
pids+=($api_pid)
for _ in $(seq 100); do [ -s "$tmp/kubeconfig" ] && break; sleep 0.1; done
export KUBECONFIG="$tmp/kubeconfig"
for crd in "$build"/../config/crd/*_*.yaml; do kubectl apply --server-side -f "$crd" >/dev/null; done

declare -A pid_of health_of
start() { # name args...
  local name=$1 health
  shift
  health=$(free_port)
  RUNTIME_NAMESPACE=default "$build/bin/$name" --kubeconfig "$tmp/kubeconfig" --metrics-addr 127.0.0.1:0 \
    --health-addr "127.0.0.1:$health" "$@" >"$tmp/$name.log" 2>&1 &
  pid_of[$name]=$!
  health_of[$name]=$health
  pids+=($!)
}
storage=$(free_port)
start source-controller --storage-path "$tmp/storage" --storage-addr "127.0.0.1:$storage" \
  --storage-adv-addr "127.0.0.1:$storage"
start kustomize-controller --scratch-dir "$tmp"
start helm-controller --scratch-dir "$tmp"
start notification-controller --events-addr "127.0.0.1:$(free_port)" --receiver-addr "127.0.0.1:$(free_port)"
start image-automation-controller --storage-path "$tmp/image"

for name in "${!pid_of[@]}"; do
  for _ in $(seq 200); do
    curl -fs "http://127.0.0.1:${health_of[$name]}/readyz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -fs "http://127.0.0.1:${health_of[$name]}/readyz" >/dev/null 2>&1 ||
    { echo "$name did not become ready:"; tail -5 "$tmp/$name.log"; exit 1; }
done
sleep 3
printf '%-30s %8s MB\n' weir-apiserver "$(rss_mb "$api_pid")"
for name in source-controller kustomize-controller helm-controller notification-controller image-automation-controller; do
  printf '%-30s %8s MB\n' "$name" "$(rss_mb "${pid_of[$name]}")"
done
