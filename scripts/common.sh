# Shared helpers of the entry scripts (sourced, not executed).
# shellcheck shell=bash

VALORY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export VALORY_ROOT
# Build tree used by the README commands (override with VALORY_BUILD_DIR).
VALORY_BUILD_DIR="${VALORY_BUILD_DIR:-$VALORY_ROOT/build}"
export VALORY_BUILD_DIR

_valory_ts() { date -u +%H:%M:%S; }
log()  { printf '[%s %s] %s\n' "$(_valory_ts)" "${VALORY_SCRIPT:-valory}" "$*" >&2; }
die()  { printf '[%s %s] ERROR: %s\n' "$(_valory_ts)" "${VALORY_SCRIPT:-valory}" "$*" >&2; exit 1; }

# Runs "$@" as root: directly when we are root, else through sudo.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root for: $* (run as root or install sudo)"
  fi
}

# Seconds since the epoch, for phase timings.
now_s() { date +%s; }
