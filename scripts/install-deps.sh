#!/usr/bin/env bash
# Installs the Debian 12 packages needed to build, run and test Valory Host.
# Skips apt entirely when everything is already installed. Needs root (or sudo) only to install.
#
# The distribution's PostgreSQL and Redis *services* are not used: tests and scripts/run.sh start
# their own instances on loopback under the build tree. While installing, a temporary
# policy-rc.d keeps the packages from starting their default services (when no policy exists).
set -euo pipefail
VALORY_SCRIPT=install-deps
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libpoco-dev libboost-dev libboost-filesystem-dev libpqxx-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  postgresql redis-server
  wrk openssl curl valgrind binutils ca-certificates
  chromium nginx prometheus clang-14 libfuzzer-14-dev
  fonts-inter fonts-roboto-fontface fonts-lato fonts-open-sans fonts-jetbrains-mono fonts-manrope fonts-sora
)

if [ -r /etc/os-release ]; then
  # shellcheck disable=SC1091
  . /etc/os-release
  if [ "${ID:-}" != "debian" ] || [ "${VERSION_ID:-}" != "12" ]; then
    log "warning: this script targets Debian 12; found ${PRETTY_NAME:-unknown}. Continuing."
  fi
fi
command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script needs Debian 12 (apt/dpkg)"

# Node/npm (browser tests drive Debian's chromium through playwright-core from npm): any node >= 18
# on PATH will do — e.g. a nodesource "nodejs", which bundles npm and conflicts with Debian's "npm".
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  log "all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

log "installing ${#missing[@]} package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive

policy=/usr/sbin/policy-rc.d
made_policy=0
cleanup() {
  if [ "$made_policy" -eq 1 ]; then as_root rm -f "$policy" || true; fi
}
trap cleanup EXIT
if [ ! -e "$policy" ]; then
  # 101 = "action forbidden": packages do not start their services during this install.
  as_root sh -c "printf '#!/bin/sh\nexit 101\n' > '$policy' && chmod 0755 '$policy'"
  made_policy=1
fi

as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"

# Verify.
still=()
for p in "${missing[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || still+=("$p")
done
[ "${#still[@]}" -eq 0 ] || die "packages still missing after apt-get install: ${still[*]}"
log "done"
