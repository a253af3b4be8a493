#!/usr/bin/env bash
# Throwaway PostgreSQL 15 clusters for tests and benchmarks.
#
#   postgres_launcher.sh start  <envfile>   initdb in a fresh temp folder, start on 127.0.0.1 with a
#                                           port chosen at run time (retried on bind failure), write
#                                           <envfile> (shell syntax: VALORY_PG_DSN=..., _PORT, _DIR)
#   postgres_launcher.sh stop   <envfile>   stop the server, remove its folder and <envfile>
#   postgres_launcher.sh pause  <envfile>   stop the server, keep its data (tests of outages)
#   postgres_launcher.sh resume <envfile>   start it again on the same port
#
# PostgreSQL refuses to run as root: as root we run it as the unprivileged system user
# `valory-pg` (created on first use; falls back to `nobody`). Everything lives in one temp folder
# (data, unix socket, log) removed by `stop`. fsync is off: these clusters hold nothing of value.
set -euo pipefail

PG_BIN="${VALORY_PG_BIN:-}"
if [[ -z "$PG_BIN" ]]; then
  for v in 15 16 17 14 13; do
    if [[ -x "/usr/lib/postgresql/$v/bin/initdb" ]]; then PG_BIN="/usr/lib/postgresql/$v/bin"; break; fi
  done
fi
if [[ -z "$PG_BIN" && -n "$(command -v pg_config || true)" ]]; then PG_BIN="$(pg_config --bindir)"; fi
if [[ -z "$PG_BIN" || ! -x "$PG_BIN/initdb" ]]; then
  echo "postgres_launcher: initdb not found (install the Debian package 'postgresql', or set VALORY_PG_BIN)" >&2
  exit 2
fi

die() { echo "postgres_launcher: $*" >&2; exit 1; }

# The user the server runs as, and how to run a command as that user.
RUN_USER=""
as_user() {
  if [[ -n "$RUN_USER" ]]; then
    runuser -u "$RUN_USER" -- "$@"
  else
    "$@"
  fi
}
pick_user() {
  if [[ "$(id -u)" != "0" ]]; then RUN_USER=""; return; fi
  if ! id -u valory-pg >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin valory-pg \
      >/dev/null 2>&1 || true
  fi
  if id -u valory-pg >/dev/null 2>&1; then RUN_USER=valory-pg; else RUN_USER=nobody; fi
}

load_env() {
  local envfile="$1"
  [[ -f "$envfile" ]] || die "no such env file: $envfile"
  # shellcheck disable=SC1090
  source "$envfile"
  [[ -n "${VALORY_PG_DIR:-}" && -d "$VALORY_PG_DIR" ]] || die "cluster folder of $envfile is gone"
  RUN_USER="${VALORY_PG_USER:-}"
}

pg_start_on() { # dir port -> 0 on success, 3 on bind failure, 1 otherwise
  local dir="$1" port="$2"
  : >"$dir/server.log"
  chown "${RUN_USER:-$(id -un)}" "$dir/server.log" 2>/dev/null || true
  if as_user "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null 2>&1; then
    return 0
  fi
  if grep -qiE "could not bind|address already in use|could not create any TCP/IP sockets|lock file .* already exists" "$dir/server.log"; then
    return 3
  fi
  return 1
}

cmd_start() {
  local envfile="$1"
  if [[ -f "$envfile" ]]; then cmd_stop "$envfile" || true; fi
  pick_user
  local dir
  dir="$(mktemp -d "${TMPDIR:-/tmp}/valory-pg.XXXXXX")"
  chmod 700 "$dir"
  if [[ -n "$RUN_USER" ]]; then chown "$RUN_USER" "$dir"; fi
  as_user "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; rm -rf "$dir"; die "initdb failed"; }
  local port="" rc=1
  for _ in $(seq 1 30); do
    port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    set +e; pg_start_on "$dir" "$port"; rc=$?; set -e
    [[ $rc -eq 3 ]] && continue
    break
  done
  if [[ $rc -ne 0 ]]; then
    cat "$dir/server.log" >&2 || true
    rm -rf "$dir"
    die "could not start PostgreSQL"
  fi
  mkdir -p "$(dirname "$envfile")"
  cat >"$envfile" <<EOF
VALORY_PG_DSN='host=127.0.0.1 port=$port user=postgres dbname=postgres'
VALORY_PG_PORT=$port
VALORY_PG_DIR=$dir
VALORY_PG_USER=$RUN_USER
VALORY_PG_BIN=$PG_BIN
EOF
  echo "postgres_launcher: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (folder $dir)"
}

cmd_stop() {
  local envfile="$1"
  [[ -f "$envfile" ]] || { echo "postgres_launcher: $envfile absent, nothing to stop"; return 0; }
  # shellcheck disable=SC1090
  source "$envfile"
  RUN_USER="${VALORY_PG_USER:-}"
  if [[ -n "${VALORY_PG_DIR:-}" && -d "$VALORY_PG_DIR/data" ]]; then
    as_user "$PG_BIN/pg_ctl" -D "$VALORY_PG_DIR/data" -m immediate -w -t 60 stop >/dev/null 2>&1 || true
  fi
  if [[ -n "${VALORY_PG_DIR:-}" && "$VALORY_PG_DIR" == */valory-pg.* ]]; then rm -rf "$VALORY_PG_DIR"; fi
  rm -f "$envfile"
  echo "postgres_launcher: stopped and removed ${VALORY_PG_DIR:-?}"
}

cmd_pause() {
  load_env "$1"
  as_user "$PG_BIN/pg_ctl" -D "$VALORY_PG_DIR/data" -m fast -w -t 60 stop >/dev/null
}

cmd_resume() {
  load_env "$1"
  local rc=1
  for _ in $(seq 1 30); do
    set +e; pg_start_on "$VALORY_PG_DIR" "$VALORY_PG_PORT"; rc=$?; set -e
    [[ $rc -eq 3 ]] && { sleep 0.5; continue; }
    break
  done
  [[ $rc -eq 0 ]] || { cat "$VALORY_PG_DIR/server.log" >&2; die "could not restart PostgreSQL on port $VALORY_PG_PORT"; }
}

[[ $# -eq 2 ]] || { echo "usage: $0 start|stop|pause|resume <envfile>" >&2; exit 2; }
case "$1" in
  start) cmd_start "$2" ;;
  stop) cmd_stop "$2" ;;
  pause) cmd_pause "$2" ;;
  resume) cmd_resume "$2" ;;
  *) echo "usage: $0 start|stop|pause|resume <envfile>" >&2; exit 2 ;;
esac
