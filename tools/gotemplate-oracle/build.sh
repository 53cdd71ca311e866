#!/usr/bin/env bash
# Builds the oracle offline from Debian's Go packages: build.sh OUTPUT [WORKDIR]
# GOPATH mode with /usr/share/gocode; the program is copied into a private GOPATH so that Go's
# "minimal module compatibility" resolves the /v3 import paths of Sprig and semver.
set -euo pipefail
out=$1
work=${2:-$(dirname "$out")/gotemplate-oracle.work}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work/src/gotemplate-oracle"
cp "$here/main.go" "$work/src/gotemplate-oracle/main.go"
cd "$work/src/gotemplate-oracle"
GO111MODULE=off GOPATH="$work:/usr/share/gocode" GOCACHE="$work/cache" GOPROXY=off \
  go build -o "$out.tmp.$$" . && mv -f "$out.tmp.$$" "$out"
