#!/usr/bin/env bash
# Self-check for scripts/pg.sh: starts two instances concurrently, queries
# pgvector and Finnish full-text search in each through the root's psql,
# checks a busy PGPORT is refused, stops both and checks they are gone.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
pg=$here/pg.sh
root=${VASTAA_PG_CACHE:-${HOME:-/root}/.cache/vastaa/pg}/root
a=pgtest-a-$$ b=pgtest-b-$$
fail() { echo "pg_test: FAIL: $*" >&2; exit 1; }
trap '"$pg" stop "$a" 2>/dev/null || true; "$pg" stop "$b" 2>/dev/null || true; rm -rf "$tmp"; rm -f "$root"/../pgtest-*-$$.log' EXIT
tmp=$(mktemp -d)

"$pg" setup

t0=${EPOCHREALTIME/./}
"$pg" start "$a" >"$tmp/a" & pa=$!
"$pg" start "$b" >"$tmp/b" & pb=$!
wait "$pa" || fail "start $a"
wait "$pb" || fail "start $b"
echo "pg_test: two instances started in $(( (${EPOCHREALTIME/./} - t0) / 1000 )) ms" >&2

port() { local u; u=$(cat "$1"); [ "$(wc -l <"$1")" = 1 ] || fail "start printed more than one line"; u=${u#postgres://postgres@127.0.0.1:}; echo "${u%%/*}"; }
pa=$(port "$tmp/a"); pb=$(port "$tmp/b")
[ "$pa" != "$pb" ] || fail "both instances on port $pa"
grep -qx "postgres://postgres@127.0.0.1:$pa/vastaa?sslmode=disable" "$tmp/a" || fail "bad URL: $(cat "$tmp/a")"

for p in "$pa" "$pb"; do
  out=$(chroot "$root" psql -X -At -h 127.0.0.1 -p "$p" -U postgres vastaa \
        -c "select round(('[1,2,3]'::vector <=> '[1,2,4]'::vector)::numeric, 4)" \
        -c "select to_tsvector('finnish','aukioloajat')")
  [ "$out" = $'0.0085\n\'aukioloaj\':1' ] || fail "unexpected query output on port $p: $out"
done

# A port in use must be refused with a clear error, not silently reused.
if PGPORT=$pa "$pg" start pgtest-busy-$$ >/dev/null 2>"$tmp/busy"; then
  "$pg" stop pgtest-busy-$$; fail "start on busy PGPORT succeeded"
fi
grep -q "already listens" "$tmp/busy" || fail "busy PGPORT: unclear error: $(cat "$tmp/busy")"
"$pg" stop pgtest-busy-$$

"$pg" stop "$a"; "$pg" stop "$b"
for p in "$pa" "$pb"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then fail "port $p still open after stop"; fi
done
[ ! -e "$root/var/lib/vastaa/$a" ] || fail "data dir of $a left behind"
echo "pg_test: OK" >&2
