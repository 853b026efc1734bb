#!/usr/bin/env bash
# Runs every test: unit tests, end-to-end calls with real SIP peers (baresip,
# sipp), the embedded Temporal server, and short fuzzing of the parsers.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export PATH="$PATH:/usr/local/go/bin"

# A real PostgreSQL with pgvector for the knowledge-store tests: the one in
# DATABASE_URL, or one started here (scripts/pg.sh: a Debian trixie root
# cached outside the checkout). If it cannot start, the run fails here and
# says why; the PostgreSQL tests never skip.
pg_started=""
if [ -z "${DATABASE_URL:-}" ]; then
  echo "== postgresql (scripts/pg.sh)" >&2
  if ! DATABASE_URL=$(bash scripts/pg.sh start vastaa-test); then
    echo "test: could not start PostgreSQL with pgvector (see the pg: lines above); set DATABASE_URL to use another" >&2
    exit 1
  fi
  export DATABASE_URL
  pg_started=1
fi

echo "== go vet" >&2
go vet ./...

echo "== go test" >&2
# -p 1: the end-to-end tests time audio on a 2-core machine; running test
# binaries one at a time keeps them from starving each other.
log=$(mktemp)
cleanup() {
  rm -f "$log"
  if [ -n "$pg_started" ]; then bash scripts/pg.sh stop vastaa-test >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
set +e
go test -p 1 -count=1 -timeout 30m ./... 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
passed=$(grep -c '^ok ' "$log" || true)
failed=$(grep -c "^FAIL	" "$log" || true)
if [ "$status" != 0 ]; then
  echo "packages: $passed passed, $failed failed"
  exit "$status"
fi

echo "== fuzz (short)" >&2
# A run that ends "context deadline exceeded" with no failing input written is
# Go's fuzz coordinator racing its own -fuzztime deadline (golang/go#75804,
# fixed in Go 1.27, not in 1.26.x): the target ran its whole time, so it
# counts as passed, and says so. Anything else fails with the output.
fuzz() {
  local out
  out=$(mktemp)
  if go test -run '^$' -fuzz "^$2\$" -fuzztime "${FUZZTIME:-10s}" "$1" >"$out" 2>&1; then
    rm -f "$out"; return 0
  fi
  if grep -q 'context deadline exceeded' "$out" && ! grep -q 'Failing input written' "$out"; then
    echo "fuzz: $2 in $1 hit Go's -fuzztime deadline race (golang/go#75804), no failing input: counted as passed" >&2
    rm -f "$out"; return 0
  fi
  echo "fuzzing $2 in $1 failed:" >&2
  grep -v '^fuzz: elapsed' "$out" >&2
  rm -f "$out"
  exit 1
}
# Every Fuzz target in the tree, a few seconds each (FUZZTIME to change).
while read -r file; do
  for name in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$file" | sed 's/^func //'); do
    fuzz "./$(dirname "$file")" "$name"
  done
done < <(grep -rl --include='*_test.go' '^func Fuzz' .)
targets=$(grep -rh --include='*_test.go' '^func Fuzz' . | wc -l)
echo "fuzz: $targets targets ran ${FUZZTIME:-10s} each without a failure" >&2
echo "packages: $passed passed, 0 failed"
