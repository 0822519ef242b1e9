#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests and benchmarks: initdb into a temporary directory,
# a free port on 127.0.0.1 only, the unix socket inside the same directory, trust for local
# connections. `start` writes the server's URL to STATE_DIR/url; `stop` stops the server and
# removes its directory; `pause` stops the server at once (as a crash would) and starts it again
# on the same port after SECONDS, for tests of a database that goes away for a moment.
# Usage: scripts/pg-test-server.sh start STATE_DIR
#        scripts/pg-test-server.sh stop STATE_DIR
#        scripts/pg-test-server.sh pause STATE_DIR SECONDS
# PostgreSQL refuses to run as root: as root the server runs as $TYPETUNE_PG_USER (default
# `nobody`) through runuser. The binaries are found in $TYPETUNE_PG_BIN, Debian's
# /usr/lib/postgresql/<newest>/bin, or on PATH.
set -euo pipefail

usage() { echo "usage: $0 start|stop STATE_DIR | pause STATE_DIR SECONDS" >&2; exit 2; }
[ $# -ge 2 ] || usage
action=$1
state=$2
[ "$action" != pause ] || [ $# -eq 3 ] || usage

find_bin() {
  if [ -n "${TYPETUNE_PG_BIN:-}" ]; then echo "$TYPETUNE_PG_BIN"; return; fi
  local newest
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$newest" ] && [ -x "$newest/initdb" ]; then echo "$newest"; return; fi
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
  echo "pg-test-server: no initdb found (install Debian's postgresql, or set TYPETUNE_PG_BIN)" >&2
  exit 1
}

# Runs a command as the server's user: ourselves, or an unprivileged one when we are root.
as_server_user() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "${TYPETUNE_PG_USER:-nobody}" -- "$@"
  else
    "$@"
  fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  local bin base port
  bin=$(find_bin)
  mkdir -p "$state"
  if [ -f "$state/base" ] && [ -d "$(cat "$state/base")" ]; then
    echo "pg-test-server: a server from $state is still there; stopping it first" >&2
    stop
  fi
  base=$(mktemp -d "${TMPDIR:-/tmp}/typetune-pg.XXXXXX")
  echo "$base" > "$state/base"
  if [ "$(id -u)" -eq 0 ]; then chown "${TYPETUNE_PG_USER:-nobody}" "$base"; fi
  chmod 700 "$base"
  as_server_user "$bin/initdb" -D "$base/data" -U typetune --auth=trust -E UTF8 --no-locale --no-sync \
    > "$base/initdb.log" 2>&1 || { cat "$base/initdb.log" >&2; exit 1; }
  for attempt in $(seq 1 20); do
    port=$((20000 + RANDOM % 40000))
    port_in_use "$port" && continue
    if as_server_user "$bin/pg_ctl" -D "$base/data" -l "$base/server.log" -w -t 60 \
         -o "-c listen_addresses=127.0.0.1 -p $port -k $base -c max_connections=100" start > /dev/null; then
      echo "postgresql://typetune@127.0.0.1:$port/postgres" > "$state/url"
      echo "pg-test-server: started on 127.0.0.1:$port ($base); URL in $state/url"
      return
    fi
    echo "pg-test-server: port $port failed (attempt $attempt); trying another" >&2
  done
  cat "$base/server.log" >&2 || true
  exit 1
}

stop() {
  local bin base
  [ -f "$state/base" ] || { echo "pg-test-server: nothing started in $state"; return 0; }
  base=$(cat "$state/base")
  bin=$(find_bin)
  if [ -f "$base/data/postmaster.pid" ]; then
    as_server_user "$bin/pg_ctl" -D "$base/data" -m fast -w stop > /dev/null || true
  fi
  rm -rf "$base"
  rm -f "$state/base" "$state/url"
  echo "pg-test-server: stopped"
}

pause() {
  local bin base port
  [ -f "$state/base" ] || { echo "pg-test-server: nothing started in $state" >&2; exit 1; }
  base=$(cat "$state/base")
  bin=$(find_bin)
  port=$(sed -n 's|.*:\([0-9]*\)/.*|\1|p' "$state/url")
  as_server_user "$bin/pg_ctl" -D "$base/data" -m immediate -w stop > /dev/null
  sleep "$1"
  as_server_user "$bin/pg_ctl" -D "$base/data" -l "$base/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $base -c max_connections=100" start > /dev/null
  echo "pg-test-server: paused $1 s and started again on 127.0.0.1:$port"
}

case "$action" in
  start) start ;;
  stop) stop ;;
  pause) pause "$3" ;;
  *) usage ;;
esac
