#!/usr/bin/env bash
# Runs a real PostgreSQL 17 with pgvector for tests, without installing
# anything on the host.
#
# Debian bookworm has no pgvector package, Debian trixie has both
# postgresql-17 and postgresql-17-pgvector but needs trixie's libc. So we build
# a minimal trixie root with debootstrap (once, ~2 min, ~800 MB) in a cache
# directory outside the checkout and run postgres chrooted into it, inside a
# private mount namespace (for /proc and /dev/shm), listening on 127.0.0.1.
#
#   scripts/pg.sh setup          build the trixie root (idempotent, locked)
#   scripts/pg.sh start [NAME]   fresh instance NAME (default "test"); prints
#                                postgres://postgres@127.0.0.1:PORT/vastaa?sslmode=disable
#   scripts/pg.sh stop [NAME]    stop instance NAME and delete its data
#
# Environment: VASTAA_PG_SHARED_BUFFERS (default 128MB), VASTAA_PG_CACHE (default ~/.cache/vastaa/pg), PGPORT (fixed
# port for start; otherwise a free one is picked). Needs root (chroot, mount).
# Progress goes to stderr; only the URL goes to stdout.
set -euo pipefail

CACHE=${VASTAA_PG_CACHE:-${HOME:-/root}/.cache/vastaa/pg}
ROOT=$CACHE/root                      # the trixie root, used only once complete
READY=$ROOT/.vastaa-ready             # written last by setup
PGBIN=/usr/lib/postgresql/17/bin      # paths inside the root
VECTOR_SO=/usr/lib/postgresql/17/lib/vector.so
SUITE=trixie

say() { printf 'pg: %s\n' "$*" >&2; }
die() { printf 'pg: %s\n' "$*" >&2; exit 1; }
# die with the last lines of a log file.
die_log() { local msg=$1 log=$2; { printf 'pg: %s (log: %s)\n' "$msg" "$log"; tail -n 20 "$log" 2>/dev/null | sed 's/^/  | /'; } >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (needs chroot and mount namespaces)"

# The Debian mirror this machine's apt already uses: the first URI of an apt
# source for this host's release (e.g. "bookworm", not "bookworm-security",
# not third-party repos). Read at run time so no host name is ever written
# into the repo; VASTAA_PG_MIRROR overrides it.
mirror() {
  [ -n "${VASTAA_PG_MIRROR:-}" ] && { echo "$VASTAA_PG_MIRROR"; return 0; }
  local codename f url
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  [ -n "$codename" ] || return 1
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    if [[ $f == *.sources ]]; then      # deb822: stanzas of "Key: value" lines
      url=$(awk -v c="$codename" 'BEGIN { RS = "" } {
          u = ""; ok = 0; off = 0
          n = split($0, l, "\n")
          for (i = 1; i <= n; i++) {
            if (l[i] ~ /^URIs:/)    { split(l[i], w, /[ \t]+/); u = w[2] }
            if (l[i] ~ /^Suites:/)  { m = split(l[i], w, /[ \t]+/); for (j = 2; j <= m; j++) if (w[j] == c) ok = 1 }
            if (l[i] ~ /^Enabled:[ \t]*no/) off = 1
          }
          if (ok && !off && u ~ /^https?:\/\//) { print u; exit }
        }' "$f")
    else                                # one-line: deb [opts] URI suite comps...
      url=$(sed -E 's/\[[^]]*\]//' "$f" | awk -v c="$codename" '$1 == "deb" && $3 == c && $2 ~ /^https?:\/\// { print $2; exit }')
    fi
    [ -n "$url" ] && { echo "${url%/}"; return 0; }
  done
  return 1
}

# Runs apt-get, waiting (up to ~10 min) while another apt/dpkg holds its locks.
apt_wait() {
  local i
  for i in $(seq 1 120); do
    if apt-get -o DPkg::Lock::Timeout=5 "$@"; then return 0; fi
    # Only retry if the failure was a lock held by someone else.
    if ! fuser /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock >/dev/null 2>&1; then
      return 1
    fi
    say "apt is busy (dpkg lock held), waiting..."
    sleep 5
  done
  return 1
}

# Path to a debootstrap script: the host's, or one unpacked from the Debian
# package into the cache (nothing installed on the host).
debootstrap_cmd() {
  if command -v debootstrap >/dev/null 2>&1; then command -v debootstrap; return; fi
  local d=$CACHE/debootstrap
  if [ ! -x "$d/usr/sbin/debootstrap" ]; then
    say "fetching the debootstrap package"
    local tmp; tmp=$(mktemp -d "$CACHE/dl.XXXXXX")
    # apt-get download writes to the cwd; as root apt warns about _apt sandboxing.
    if ! (cd "$tmp" && apt_wait download -q debootstrap >"$tmp/log" 2>&1); then
      say "apt-get download failed, refreshing package lists"
      apt_wait update -qq >"$tmp/log" 2>&1 || die_log "apt-get update failed" "$tmp/log"
      (cd "$tmp" && apt_wait download -q debootstrap >"$tmp/log" 2>&1) || die_log "apt-get download debootstrap failed" "$tmp/log"
    fi
    rm -rf "$d.new"
    dpkg-deb -x "$tmp"/debootstrap_*.deb "$d.new" || die "could not unpack debootstrap"
    rm -rf "$d" "$tmp"
    mv "$d.new" "$d"
  fi
  echo "$d/usr/sbin/debootstrap"
}

# Kills processes whose root directory is inside $1 (e.g. a server a package's
# postinst may have started during debootstrap).
kill_inside() {
  local dir p r
  dir=$(realpath "$1")
  for p in /proc/[0-9]*; do
    r=$(readlink "$p/root" 2>/dev/null) || continue
    case "$r/" in "$dir"/*) kill -9 "${p#/proc/}" 2>/dev/null || true ;; esac
  done
}

root_ok() { [ -f "$READY" ] && [ -x "$ROOT$PGBIN/postgres" ] && [ -f "$ROOT$VECTOR_SO" ]; }

setup() {
  mkdir -p "$CACHE"
  root_ok && return 0
  # One builder at a time; later callers wait, then find the root ready.
  (
    flock 9
    root_ok && exit 0
    local url ds tmp log=$CACHE/setup.log
    url=$(mirror) || die "no Debian mirror found in /etc/apt/sources.list{,.d}"
    ds=$(debootstrap_cmd)
    say "building the $SUITE root with postgresql-17 and pgvector in $ROOT (first time only, ~2 min)"
    # Build in a temp dir and rename when complete: a half-built root is never used.
    tmp=$CACHE/root.tmp.$$
    rm -rf "$CACHE"/root.tmp.*
    mkdir -p "$tmp"
    if ! DEBOOTSTRAP_DIR=$(dirname "$(dirname "$ds")")/share/debootstrap \
        "$ds" --variant=minbase --include=postgresql-17,postgresql-17-pgvector \
        "$SUITE" "$tmp" "$url" >"$log" 2>&1; then
      kill_inside "$tmp"; rm -rf "$tmp"
      die_log "debootstrap failed" "$log"
    fi
    # postgresql-common's postinst may have created (or even started) a
    # default cluster; we run our own data directories, so drop it.
    kill_inside "$tmp"
    rm -rf "$tmp"/var/lib/postgresql/17/main "$tmp"/etc/postgresql/17/main
    rm -rf "$tmp"/var/cache/apt/archives/*.deb
    [ -x "$tmp$PGBIN/postgres" ] || die_log "debootstrap finished but $PGBIN/postgres is missing" "$log"
    [ -f "$tmp$VECTOR_SO" ] || die_log "debootstrap finished but $VECTOR_SO (pgvector) is missing" "$log"
    mkdir -p "$tmp"/var/lib/vastaa "$tmp"/dev/shm "$tmp"/proc
    date >"$tmp/.vastaa-ready"
    rm -rf "$ROOT"
    mv "$tmp" "$ROOT"
    say "root ready ($(du -sh "$ROOT" 2>/dev/null | cut -f1))"
  ) 9>"$CACHE/setup.lock"
}

# Runs a command chrooted into the root as user postgres, inside a private
# mount namespace with /proc and /dev/shm (postgres' dynamic shared memory).
# The last command is exec'ed, so a backgrounded call's pid is the command's.
IN_ROOT_SH='
  root=$1; shift
  mount -t proc proc "$root/proc"
  mount -t tmpfs -o mode=1777,size=4g shm "$root/dev/shm"
  # debootstrap normally makes device nodes; bind the few we need if not.
  for d in null zero random urandom; do
    [ -c "$root/dev/$d" ] || { touch "$root/dev/$d"; mount --bind "/dev/$d" "$root/dev/$d"; }
  done
  exec chroot --userspec=postgres:postgres "$root" "$@"
'
in_root() { unshare -m --propagation private sh -c "$IN_ROOT_SH" sh "$ROOT" "$@"; }

name_arg() {
  local n=${1:-test}
  [[ $n =~ ^[A-Za-z0-9_-]+$ ]] || die "bad instance name '$n' (letters, digits, _ and - only)"
  echo "$n"
}

# pid of instance $1's running postmaster, or nothing.
postmaster_pid() {
  local f=$ROOT/var/lib/vastaa/$1/data/postmaster.pid pid
  [ -f "$f" ] || return 0
  pid=$(head -n 1 "$f")
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = postgres ] && alive "$pid" && echo "$pid"
  return 0
}

# True while process $1 runs (a zombie waiting for init to reap it counts as gone).
alive() { local st; st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) && [ "${st%% *}" != Z ]; }

stop() {
  local name pid i
  name=$(name_arg "${1:-}")
  pid=$(postmaster_pid "$name")
  if [ -n "$pid" ]; then
    say "stopping instance $name (pid $pid)"
    kill -INT "$pid" 2>/dev/null || true          # SIGINT = fast shutdown
    for i in $(seq 1 200); do alive "$pid" || break; sleep 0.05; done
    if alive "$pid"; then
      say "instance $name did not stop in 10 s, killing it"
      kill -QUIT "$pid" 2>/dev/null || true; sleep 1; kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -rf "${ROOT:?}/var/lib/vastaa/$name"
}

# A TCP port on 127.0.0.1 that nothing is listening on.
free_port() {
  local p i
  for i in $(seq 1 200); do
    p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 12000 ))   # below the ephemeral range
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
  done
  die "no free TCP port found"
}

start() {
  local name dir log port pid try i psql
  name=$(name_arg "${1:-}")
  setup
  stop "$name" 2>/dev/null                       # fresh instance every time
  dir=/var/lib/vastaa/$name                      # inside the root
  log=$CACHE/$name.log
  mkdir -p "$ROOT$dir"
  chroot "$ROOT" chown postgres:postgres "$dir"
  say "initdb for instance $name"
  in_root "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
    --no-sync --no-instructions >"$log" 2>&1 || die_log "initdb failed" "$log"

  # Try a few ports: another starter may grab the same free port between our
  # check and postgres' bind.
  for try in 1 2 3 4 5; do
    port=${PGPORT:-$(free_port)}
    if [ -n "${PGPORT:-}" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      die "PGPORT=$port: something already listens on 127.0.0.1:$port"
    fi
    say "starting instance $name on 127.0.0.1:$port"
    # setsid+nohup: postgres outlives this script and its terminal; its stdio
    # goes to the log so a caller's $(...) does not wait for it.
    # setsid, nohup, unshare, sh and chroot all exec: $! is the postmaster.
    setsid nohup unshare -m --propagation private sh -c "$IN_ROOT_SH" sh "$ROOT" \
      "$PGBIN/postgres" -D "$dir/data" -p "$port" \
      -c listen_addresses=127.0.0.1 -c unix_socket_directories="$dir" \
      -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
      -c shared_buffers=${VASTAA_PG_SHARED_BUFFERS:-128MB} -c max_connections=100 \
      </dev/null >>"$log" 2>&1 &
    pid=$!
    for i in $(seq 1 300); do                    # up to 30 s
      if is_ready "$dir" "$pid"; then break 2; fi
      alive "$pid" || break
      sleep 0.1
    done
    if alive "$pid"; then
      kill -KILL "$pid" 2>/dev/null || true
      die_log "postgres for instance $name did not accept connections within 30 s" "$log"
    fi
    if [ -n "${PGPORT:-}" ] || ! grep -q 'could not bind\|Address already in use' "$log"; then
      die_log "postgres for instance $name exited during startup" "$log"
    fi
    say "port $port was taken, retrying"
  done
  is_ready "$dir" "$pid" || die_log "postgres for instance $name could not get a port" "$log"

  psql() { chroot --userspec=postgres:postgres "$ROOT" "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 \
             -h 127.0.0.1 -p "$port" -U postgres "$@"; }
  psql -d postgres -c 'CREATE DATABASE vastaa' >>"$log" 2>&1 || die_log "CREATE DATABASE vastaa failed" "$log"
  psql -d vastaa -c 'CREATE EXTENSION vector' >>"$log" 2>&1 || die_log "CREATE EXTENSION vector failed" "$log"
  say "instance $name ready (log: $log)"
  echo "postgres://postgres@127.0.0.1:$port/vastaa?sslmode=disable"
}

# True once postmaster $2 of data dir $1 (inside the root) accepts
# connections: postmaster.pid names that pid and its status line says "ready".
# (pg_isready alone could be answered by some other server on the port.)
is_ready() {
  local f=$ROOT$1/data/postmaster.pid
  [ -f "$f" ] && [ "$(sed -n 1p "$f")" = "$2" ] && [ "$(sed -n 8p "$f" | tr -d ' ')" = ready ]
}

case "${1:-}" in
  setup) setup ;;
  start) start "${2:-}" ;;
  stop)  mkdir -p "$CACHE"; stop "${2:-}" ;;
  *) echo "usage: $0 setup | start [NAME] | stop [NAME]" >&2; exit 2 ;;
esac
