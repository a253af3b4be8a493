#!/usr/bin/env bash
# THE README test command: installs the Debian 12 packages, builds everything (warnings as
# errors), runs every CTest test (unit, ABI, PostgreSQL, Redis, integration, fakes, bench smoke),
# builds sdk/examples/hello out of tree against the installed SDK and loads it in valory-host,
# then a seconds-long benchmark smoke run. Exits non-zero on any failure. Works from any folder.
#
# Environment: VALORY_BUILD_DIR (default <repo>/build), VALORY_JOBS (build jobs, default nproc),
# VALORY_CTEST_JOBS (default 2), VALORY_SKIP_INSTALL=1 (skip apt, e.g. on a prepared machine).
set -euo pipefail
VALORY_SCRIPT=test
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$VALORY_ROOT"

t0=$(now_s)
if [ "${VALORY_SKIP_INSTALL:-0}" = "1" ]; then
  log "skipping package installation (VALORY_SKIP_INSTALL=1)"
else
  bash "$VALORY_ROOT/scripts/install-deps.sh"
fi
t1=$(now_s)

bash "$VALORY_ROOT/scripts/build.sh"
t2=$(now_s)

log "running ctest"
ctest_rc=0
ctest --test-dir "$VALORY_BUILD_DIR" -j "${VALORY_CTEST_JOBS:-2}" --output-on-failure --timeout 600 \
  || ctest_rc=$?
t3=$(now_s)

# The out-of-tree example build (install the SDK, build sdk/examples/hello against it, load it in
# valory-host) is the CTest test sdk_out_of_tree_example; scripts/example-out-of-tree.sh does the
# same by hand.
example_rc=0
t3b=$(now_s)

bench_rc=0
if [ -f "$VALORY_ROOT/bench/run" ]; then
  log "benchmark smoke run"
  bash "$VALORY_ROOT/bench/run" --smoke --build-dir "$VALORY_BUILD_DIR" || bench_rc=$?
fi
t4=$(now_s)

log "timings: install $((t1 - t0))s, build $((t2 - t1))s, ctest $((t3 - t2))s, out-of-tree example $((t3b - t3))s, bench smoke $((t4 - t3b))s, total $((t4 - t0))s"
if [ "$ctest_rc" -ne 0 ]; then die "ctest failed (exit $ctest_rc)"; fi
if [ "$example_rc" -ne 0 ]; then die "out-of-tree example build/load failed (exit $example_rc)"; fi
if [ "$bench_rc" -ne 0 ]; then die "benchmark smoke run failed (exit $bench_rc)"; fi
log "all tests passed"
