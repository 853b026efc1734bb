#!/usr/bin/env bash
# Installs what is missing, builds vastaa and serves on the embedded defaults:
# SIP on 127.0.0.1:5060, HTTP on 127.0.0.1:8080. Extra arguments go to `vastaa serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PATH:/usr/local/go/bin"
mkdir -p bin
echo "building vastaa (the first build compiles the embedded Temporal server: a few minutes)" >&2
go build -o bin/vastaa ./cmd/vastaa
exec bin/vastaa serve "$@"
