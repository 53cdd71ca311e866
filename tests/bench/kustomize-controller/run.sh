#!/usr/bin/env bash
# The kustomize-controller at fleet scale, the shape of Flux's published benchmark: N Kustomizations
# of 10 objects each (Deployment scaled to zero, ServiceAccount, Service, ConfigMaps...) from one
# GitRepository, on weir-apiserver with the real source-controller. Reports time from the
# Kustomizations' creation to all Ready, the controller's CPU seconds and peak RSS for that, and the
# CPU cost of one no-op reconcile of every Kustomization (requestedAt on all of them).
# Usage: run.sh BUILD_DIR [N] [CONCURRENT] [QPS]   (default 1000 Kustomizations, --concurrent 8, and
# --kube-api-qps 50 / burst 300, the Flux defaults; the client-side rate limit, not CPU, is then the
# bound: pass a higher QPS to see the controller's own speed)
set -euo pipefail
build=$(cd "${1:?build dir}" && pwd)
n=${2:-1000}
concurrent=${3:-8}
qps=${4:-50}
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_seconds() { awk '{printf "%.2f", ($14+$15)/100}' "/proc/$1/stat"; }
peak_rss_mb() { awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
now() { date +%s.%N; }
calc() { awk "BEGIN {printf \"%.2f\", $1}"; }

# The fleet repository: apps/app-<i>/ with 10 objects each.
python3 - "$tmp/repo" "$n" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, "apps", f"app-{i}")
    os.makedirs(d)
    ns = f"app-{i}"
    docs = [f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}\n",
            f"apiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: app, namespace: {ns}}}\n",
            f"apiVersion: v1\nkind: Service\nmetadata: {{name: app, namespace: {ns}}}\nspec:\n  selector: {{app: app}}\n  ports: [{{port: 80, targetPort: 8080}}]\n",
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app, namespace: {ns}}}\nspec:\n  replicas: 0\n  selector: {{matchLabels: {{app: app}}}}\n  template:\n    metadata: {{labels: {{app: app}}}}\n    spec:\n      serviceAccountName: app\n      containers: [{{name: app, image: 'ghcr.io/stefanprodan/podinfo:6.7.0', ports: [{{containerPort: 8080}}]}}]\n"]
    for j in range(6):
        docs.append(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: settings-{j}, namespace: {ns}}}\ndata: {{index: '{j}', app: '{i}'}}\n")
    with open(os.path.join(d, "app.yaml"), "w") as f:
        f.write("---\n".join(docs))
PY
git -C "$tmp/repo" init -q -b main
git -C "$tmp/repo" add -A
git -C "$tmp/repo" -c user.name=bench -c user.email=bench@localhost commit -qm fleet

api_port=$(free_port)
"$build/bin/weir-apiserver" --data-dir "$tmp/api" --listen "127.0.0.1:$api_port" --write-kubeconfig "$tmp/kubeconfig" \
  >"$tmp/apiserver.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$tmp/kubeconfig" ] && break; sleep 0.1; done
export KUBECONFIG="$tmp/kubeconfig"
for crd in "$build"/../config/crd/*_*.yaml; do kubectl apply --server-side -f "$crd" >/dev/null; done

storage_port=$(free_port)
common=(--kubeconfig "$tmp/kubeconfig" --metrics-addr 127.0.0.1:0 --health-addr 127.0.0.1:0)
RUNTIME_NAMESPACE=default "$build/bin/source-controller" "${common[@]}" --storage-path "$tmp/storage" \
  --storage-addr "127.0.0.1:$storage_port" --storage-adv-addr "127.0.0.1:$storage_port" >"$tmp/source.log" 2>&1 &
pids+=($!)
RUNTIME_NAMESPACE=default "$build/bin/kustomize-controller" "${common[@]}" --concurrent "$concurrent" \
  --kube-api-qps "$qps" --kube-api-burst "$((qps * 6))" \
  --scratch-dir "$tmp" >"$tmp/kustomize.log" 2>&1 &
ks_pid=$!
pids+=($ks_pid)

cat >"$tmp/source.yaml" <<YAML
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: fleet, namespace: default}
spec: {url: "file://$tmp/repo", interval: 1h, ref: {branch: main}}
YAML
kubectl apply -f "$tmp/source.yaml" >/dev/null
kubectl wait gitrepository/fleet --for=condition=Ready --timeout=60s >/dev/null || { tail -5 "$tmp"/*.log; exit 1; }

python3 - "$tmp/ks.yaml" "$n" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    for i in range(n):
        f.write(f"""---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: app-{i}, namespace: default}}
spec:
  interval: 1h
  path: ./apps/app-{i}
  prune: true
  sourceRef: {{kind: GitRepository, name: fleet}}
""")
PY

ready_count() {
  kubectl get kustomizations -n default -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' |
    grep -c '^True$' || true
}
handled_count() {
  kubectl get kustomizations -n default -o jsonpath='{range .items[*]}{.status.lastHandledReconcileAt}{"\n"}{end}' |
    grep -c "^$1\$" || true
}

rss_mb() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
idle_rss=$(rss_mb "$ks_pid")
cpu0=$(cpu_seconds "$ks_pid")
start=$(now)
kubectl apply --server-side -f "$tmp/ks.yaml" >/dev/null
until [ "$(ready_count)" -ge "$n" ]; do sleep 0.5; done
end=$(now)
cpu1=$(cpu_seconds "$ks_pid")
objects=$(kubectl get configmaps -A --no-headers | grep -c settings- || true)
printf '%-52s %10s\n' "Kustomizations x 10 objects" "$n"
printf '%-52s %10s\n' "--concurrent / --kube-api-qps" "$concurrent / $qps"
printf '%-52s %10.1f s\n' "cold start: creation to all Ready" "$(calc "$end - $start")"
printf '%-52s %10s s\n' "  kustomize-controller CPU for it" "$(calc "$cpu1 - $cpu0")"
printf '%-52s %10s\n' "  ConfigMaps applied (6 per Kustomization)" "$objects"

token="bench-$(date +%s)"
cpu0=$(cpu_seconds "$ks_pid")
start=$(now)
# WEIR_BENCH_PERF=FILE records a CPU profile of the controller during the no-op pass (perf record -g).
if [ -n "${WEIR_BENCH_PERF:-}" ]; then
  perf record -q -g -o "$WEIR_BENCH_PERF" -p "$ks_pid" 2>/dev/null &
  perf_pid=$!
fi
kubectl annotate kustomizations -n default --all --overwrite "reconcile.fluxcd.io/requestedAt=$token" >/dev/null
until [ "$(handled_count "$token")" -ge "$n" ]; do sleep 0.5; done
if [ -n "${WEIR_BENCH_PERF:-}" ]; then kill -INT "$perf_pid"; wait "$perf_pid" || true; fi
end=$(now)
cpu1=$(cpu_seconds "$ks_pid")
printf '%-52s %10.1f s\n' "no-op reconcile of all (requestedAt): wall" "$(calc "$end - $start")"
printf '%-52s %10.2f ms\n' "  CPU per no-op reconcile" "$(calc "($cpu1 - $cpu0) * 1000 / $n")"
printf '%-52s %10s MB\n' "kustomize-controller peak RSS" "$(peak_rss_mb "$ks_pid")"
printf '%-52s %10s MB\n' "kustomize-controller RSS now" "$(rss_mb "$ks_pid")"
printf '%-52s %10s MB\n' "kustomize-controller RSS idle" "$idle_rss"
printf '%-52s %10s MB\n' "source-controller peak RSS" "$(peak_rss_mb "${pids[1]}")"
printf '%-52s %10s MB\n' "weir-apiserver peak RSS" "$(peak_rss_mb "${pids[0]}")"
