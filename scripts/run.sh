#!/usr/bin/env bash
# THE README run command: installs the Debian 12 packages, builds, starts what the server needs
# on loopback (a project-local PostgreSQL and Redis, and — without Twitch/HenrikDev credentials —
# the bundled fake Twitch/HenrikDev servers), then runs valory-host in the foreground. Ctrl-C (or
# SIGTERM) stops the host gracefully, then everything this script started.
#
#   scripts/run.sh [--config FILE] [--skip-install] [--skip-build] [-- extra valory-host args]
#
# Config: --config FILE or $VALORY_CONFIG; otherwise config/demo.jsonc when no credentials are set
# (none of VALORY_TWITCH_CLIENT_SECRET, VALORY_HENRIKDEV_KEY) and that file exists; else
# config/valory.jsonc.
# Runtime files (server data, logs, port files) live under <build>/run/ and are thrown away on exit.
# The servers' connection details are exported to the host's environment (VALORY_PG_DSN,
# VALORY_REDIS_URL, VALORY_FAKE_UPSTREAMS_URL, ...) so configs reference them as {"env": "..."}.
set -euo pipefail
VALORY_SCRIPT=run
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

config="${VALORY_CONFIG:-}"
skip_install="${VALORY_SKIP_INSTALL:-0}"
skip_build=0
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --config) config="$2"; shift ;;
    --skip-install) skip_install=1 ;;
    --skip-build) skip_build=1 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) awk 'NR > 1 && /^#/ {sub(/^# ?/, ""); print; next} NR > 1 {exit}' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
  shift
done

cd "$VALORY_ROOT"
if [ "$skip_install" != 1 ]; then bash scripts/install-deps.sh; fi
if [ "$skip_build" != 1 ]; then bash scripts/build.sh; fi

host_bin="$VALORY_BUILD_DIR/host/valory-host"
[ -x "$host_bin" ] || die "$host_bin not found: the build did not produce valory-host"

run_dir="$VALORY_BUILD_DIR/run"
mkdir -p "$run_dir"
started=() # "kind:arg" entries, stopped in reverse order

stop_all() {
  local i entry
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do
    entry="${started[$i]}"
    case "$entry" in
      pid:*) kill "${entry#pid:}" 2>/dev/null && wait "${entry#pid:}" 2>/dev/null || true ;;
      postgres:*) bash tests/support/postgres_launcher.sh stop "${entry#postgres:}" >/dev/null 2>&1 || true ;;
      redis:*) bash tests/support/redis_launcher.sh stop "${entry#redis:}" >/dev/null 2>&1 || true ;;
    esac
  done
  started=()
}
trap 'stop_all' EXIT

# Exports the VAR=value lines of a launcher's env file (shell syntax).
export_env_file() {
  set -a
  # shellcheck disable=SC1090
  . "$1"
  set +a
}

wait_port_file() { # file pid -> port
  local f="$1" pid="$2" i
  for i in $(seq 1 300); do
    if [ -s "$f" ]; then cat "$f"; return 0; fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# --- PostgreSQL --------------------------------------------------------------------------------------
if [ -f tests/support/postgres_launcher.sh ]; then
  log "starting PostgreSQL (project-local, loopback)"
  # The launcher keeps its cluster in a temp folder readable by its unprivileged server user.
  bash tests/support/postgres_launcher.sh start "$run_dir/postgres.env" || die "PostgreSQL did not start"
  started+=("postgres:$run_dir/postgres.env")
  export_env_file "$run_dir/postgres.env"
  log "PostgreSQL: ${VALORY_PG_DSN:-?}"
fi

# --- Redis -------------------------------------------------------------------------------------------
if [ -f tests/support/redis_launcher.sh ]; then
  log "starting Redis (project-local, loopback)"
  bash tests/support/redis_launcher.sh start "$run_dir/redis.env" || die "Redis did not start"
  started+=("redis:$run_dir/redis.env")
  export_env_file "$run_dir/redis.env"
  log "Redis: ${VALORY_REDIS_URL:-?}"
fi

# --- configuration and the demo profile ------------------------------------------------------------
if [ -z "$config" ]; then
  if [ -z "${VALORY_TWITCH_CLIENT_SECRET:-}" ] && [ -z "${VALORY_HENRIKDEV_KEY:-}" ] && [ -f config/demo.jsonc ]; then
    config=config/demo.jsonc
    log "no Twitch/HenrikDev credentials set: demo profile ($config) against the bundled fakes"
  else
    config=config/valory.jsonc
  fi
fi
[ -f "$config" ] || die "config file $config not found"
config="$(cd "$(dirname "$config")" && pwd)/$(basename "$config")"

fake_bin="$VALORY_BUILD_DIR/tests/fakes/valory-fake-upstreams"
if [ "$(basename "$config")" = demo.jsonc ]; then
  [ -x "$fake_bin" ] || die "$fake_bin not built: the demo profile needs the fake Twitch/HenrikDev servers"
  rm -f "$run_dir/fakes.port"
  "$fake_bin" --host 127.0.0.1 --port 0 --port-file "$run_dir/fakes.port" \
    --seed tests/fakes/seed/demo.json >"$run_dir/fakes.log" 2>&1 &
  started+=("pid:$!")
  fake_port=$(wait_port_file "$run_dir/fakes.port" "$!") || { cat "$run_dir/fakes.log" >&2; die "fake upstreams did not start"; }
  export VALORY_FAKE_UPSTREAMS_PORT="$fake_port"
  export VALORY_FAKE_UPSTREAMS_URL="http://127.0.0.1:$fake_port"
  log "fake Twitch/HenrikDev: $VALORY_FAKE_UPSTREAMS_URL (log: $run_dir/fakes.log)"
fi

# --- the host, in the foreground -------------------------------------------------------------------
# config/valory.jsonc finds plugins in ../build/plugins; another build tree brings its own.
if [ "$VALORY_BUILD_DIR" != "$VALORY_ROOT/build" ]; then
  extra=(--plugin-path "$VALORY_BUILD_DIR/plugins" "${extra[@]}")
fi
log "starting: $host_bin --config $config ${extra[*]:-}"
"$host_bin" --config "$config" "${extra[@]}" &
host_pid=$!
forward() { kill -s "$1" "$host_pid" 2>/dev/null || true; }
trap 'forward TERM' INT
trap 'forward TERM' TERM
trap 'forward HUP' HUP
rc=0
while :; do
  wait "$host_pid" && rc=0 || rc=$?
  # wait returns >128 when a trapped signal interrupted it; the host may still be running.
  kill -0 "$host_pid" 2>/dev/null || break
done
log "valory-host exited with status $rc"
exit "$rc"
