#!/usr/bin/env bash
# Renders podinfo, Bitnami nginx (with its common library) and kube-prometheus-stack N times with
# weir, and podinfo and nginx with Go's text/template + Sprig the way Helm's engine drives them
# (go-engine/main.go, built offline from Debian's Go packages). Peak RSS via /usr/bin/time.
#   tests/bench/helm/run.sh BUILD_DIR [N]
set -euo pipefail
build=$1
n=${2:-300}
here=$(cd "$(dirname "$0")" && pwd)
data=$here/../../unit/helm/testdata
work=$build/bench/go-engine.work
mkdir -p "$work/src/go-engine"
cp "$here/go-engine/main.go" "$work/src/go-engine/main.go"
(cd "$work/src/go-engine" && GO111MODULE=off GOPATH="$work:/usr/share/gocode" GOCACHE="$work/cache" GOPROXY=off \
  go build -o "$build/bench/go-engine" .)
t() { /usr/bin/time -f "  peak RSS %M KiB, %e s wall" "$@"; }
echo "podinfo:"
t "$build/bench/helm_bench" "$n" "$data/podinfo/podinfo"
t "$build/bench/go-engine" "$data/podinfo/podinfo" "$n"
echo "bitnami nginx + common (TLS generation off: key generation dominates otherwise):"
t "$build/bench/helm_bench" "$n" "$data/bitnami/nginx" "tls.enabled=false"
t "$build/bench/go-engine" "$data/bitnami/nginx" "$((n / 5))" "tls.enabled=false"
echo "kube-prometheus-stack with grafana, kube-state-metrics, node exporters (125 documents):"
t "$build/bench/helm_bench" 20 "$data/kube-prometheus-stack"
echo "bitnami nginx + common, defaults (an RSA CA and certificate generated per render):"
t "$build/bench/helm_bench" 10 "$data/bitnami/nginx"
