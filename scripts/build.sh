#!/usr/bin/env bash
# Configures and builds the whole tree (host, SDK, plugins, tests, benchmarks) into build/
# (or $VALORY_BUILD_DIR) with Ninja, Release (VALORY_BUILD_TYPE to change), warnings as errors.
# Extra arguments are passed to the CMake configure step (e.g. -DVALORY_BUILD_BENCH=OFF).
set -euo pipefail
VALORY_SCRIPT=build
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

command -v cmake >/dev/null 2>&1 || die "cmake not found: run scripts/install-deps.sh first"
command -v ninja >/dev/null 2>&1 || die "ninja not found: run scripts/install-deps.sh first"

cache="$VALORY_BUILD_DIR/CMakeCache.txt"
if [ -f "$cache" ] && ! grep -q "^CMAKE_GENERATOR:INTERNAL=Ninja$" "$cache"; then
  die "$VALORY_BUILD_DIR was configured with another CMake generator; remove it or set VALORY_BUILD_DIR to another folder"
fi

jobs="${VALORY_JOBS:-$(nproc 2>/dev/null || echo 2)}"
log "configuring $VALORY_BUILD_DIR"
cmake -G Ninja -S "$VALORY_ROOT" -B "$VALORY_BUILD_DIR" \
  -DCMAKE_BUILD_TYPE="${VALORY_BUILD_TYPE:-Release}" -DVALORY_WERROR=ON "$@"
log "building with $jobs job(s)"
ninja -C "$VALORY_BUILD_DIR" -j "$jobs"
log "build ok"
