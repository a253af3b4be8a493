#!/usr/bin/env bash
# Throwaway Redis servers for tests and benchmarks.
#
#   redis_launcher.sh start   <envfile>   start redis-server on 127.0.0.1 with a port chosen at run
#                                         time (retried on bind failure), no persistence, in a fresh
#                                         temp folder; write <envfile> (shell syntax:
#                                         VALORY_REDIS_URL=redis://127.0.0.1:<port>, _PORT, _DIR, _PID,
#                                         _LAUNCHER = this script's path, for private instances)
#   redis_launcher.sh stop    <envfile>   stop the server, remove its folder and <envfile>
#   redis_launcher.sh kill    <envfile>   SIGKILL the server (an outage), keep folder and env file
#   redis_launcher.sh restart <envfile>   start it again on the same port (after kill)
#
# Tests that kill, restart or pause (CLIENT PAUSE) a server use a private instance of their own,
# never the shared fixture instance.
set -euo pipefail

REDIS_SERVER="${VALORY_REDIS_SERVER:-$(command -v redis-server || true)}"
REDIS_CLI="${VALORY_REDIS_CLI:-$(command -v redis-cli || true)}"
if [[ -z "$REDIS_SERVER" || -z "$REDIS_CLI" ]]; then
  echo "redis_launcher: redis-server/redis-cli not found (install the Debian package 'redis-server')" >&2
  exit 2
fi

SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"

die() { echo "redis_launcher: $*" >&2; exit 1; }

load_env() {
  local envfile="$1"
  [[ -f "$envfile" ]] || die "no such env file: $envfile"
  # shellcheck disable=SC1090
  source "$envfile"
  [[ -n "${VALORY_REDIS_DIR:-}" && -d "$VALORY_REDIS_DIR" ]] || die "server folder of $envfile is gone"
}

# dir port -> 0 when serving, 3 on bind failure, 1 otherwise. Sets PID.
start_on() {
  local dir="$1" port="$2"
  : >"$dir/redis.log"
  rm -f "$dir/redis.pid"
  "$REDIS_SERVER" --port "$port" --bind 127.0.0.1 --protected-mode yes \
    --save "" --appendonly no --dir "$dir" --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --databases 16 >/dev/null 2>&1 || true
  local i
  for i in $(seq 1 100); do
    if [[ "$("$REDIS_CLI" -h 127.0.0.1 -p "$port" ping 2>/dev/null || true)" == "PONG" ]]; then
      PID="$(cat "$dir/redis.pid" 2>/dev/null || true)"
      [[ -n "$PID" ]] && return 0
    fi
    if grep -qiE "address already in use|could not create server tcp listening socket" "$dir/redis.log" 2>/dev/null; then
      return 3
    fi
    sleep 0.05
  done
  return 1
}

write_env() {
  local envfile="$1" dir="$2" port="$3" pid="$4"
  mkdir -p "$(dirname "$envfile")"
  local tmp="$envfile.tmp.$$"
  {
    echo "VALORY_REDIS_URL=redis://127.0.0.1:$port"
    echo "VALORY_REDIS_PORT=$port"
    echo "VALORY_REDIS_DIR=$dir"
    echo "VALORY_REDIS_PID=$pid"
    echo "VALORY_REDIS_LAUNCHER=$SELF"
  } >"$tmp"
  mv "$tmp" "$envfile"
}

wait_gone() {
  local pid="$1" i
  for i in $(seq 1 200); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.05
  done
  return 1
}

cmd="${1:-}"
envfile="${2:-}"
[[ -n "$cmd" && -n "$envfile" ]] || die "usage: $0 start|stop|kill|restart <envfile>"

case "$cmd" in
  start)
    dir="$(mktemp -d "${TMPDIR:-/tmp}/valory-redis.XXXXXX")"
    for attempt in $(seq 1 20); do
      port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
      rc=0
      start_on "$dir" "$port" || rc=$?
      if [[ $rc -eq 0 ]]; then
        write_env "$envfile" "$dir" "$port" "$PID"
        echo "redis_launcher: Redis on 127.0.0.1:$port (pid $PID, folder $dir)"
        exit 0
      fi
      if [[ $rc -ne 3 ]]; then
        cat "$dir/redis.log" >&2 || true
        die "redis-server did not start on port $port"
      fi
    done
    die "no free port found after 20 attempts"
    ;;
  stop)
    if [[ ! -f "$envfile" ]]; then echo "redis_launcher: nothing to stop ($envfile absent)"; exit 0; fi
    load_env "$envfile"
    # SIGKILL: the server holds nothing of value, and a clean shutdown lingers ~2 s in redis 7.
    if [[ -n "${VALORY_REDIS_PID:-}" ]] && kill -0 "$VALORY_REDIS_PID" 2>/dev/null; then
      kill -9 "$VALORY_REDIS_PID" 2>/dev/null || true
      wait_gone "$VALORY_REDIS_PID" || true
    fi
    rm -rf "$VALORY_REDIS_DIR" "$envfile"
    ;;
  kill)
    load_env "$envfile"
    kill -9 "$VALORY_REDIS_PID" 2>/dev/null || true
    wait_gone "$VALORY_REDIS_PID" || die "pid $VALORY_REDIS_PID did not die"
    ;;
  restart)
    load_env "$envfile"
    for attempt in $(seq 1 100); do
      rc=0
      start_on "$VALORY_REDIS_DIR" "$VALORY_REDIS_PORT" || rc=$?
      if [[ $rc -eq 0 ]]; then
        write_env "$envfile" "$VALORY_REDIS_DIR" "$VALORY_REDIS_PORT" "$PID"
        exit 0
      fi
      [[ $rc -eq 3 ]] || die "redis-server did not restart on port $VALORY_REDIS_PORT"
      sleep 0.1  # the old socket may still be closing
    done
    die "port $VALORY_REDIS_PORT stayed busy"
    ;;
  *) die "unknown command $cmd" ;;
esac
