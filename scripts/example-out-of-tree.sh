#!/usr/bin/env bash
# Builds sdk/examples/hello OUT OF TREE against the installed SDK package, runs its unit tests, and
# loads the resulting plugin in the real valory-host (GET /hello must answer 200).
# Called by scripts/test.sh after the main build; needs the build tree ($VALORY_BUILD_DIR).
set -euo pipefail
VALORY_SCRIPT=example
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$VALORY_ROOT"

prefix="$VALORY_BUILD_DIR/sdk-install"
ex_build="$VALORY_BUILD_DIR/example-hello"
host_bin="$VALORY_BUILD_DIR/host/valory-host"
[ -x "$host_bin" ] || die "$host_bin not built"

log "installing the SDK package into $prefix"
rm -rf "$prefix" "$ex_build"
cmake --install "$VALORY_BUILD_DIR" --prefix "$prefix" --component sdk >/dev/null
[ -f "$prefix/lib/cmake/ValorySDK/ValorySDKConfig.cmake" ] || die "ValorySDKConfig.cmake not installed"

log "building sdk/examples/hello out of tree against the installed SDK"
cmake -G Ninja -S sdk/examples/hello -B "$ex_build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
ninja -C "$ex_build" -j "${VALORY_JOBS:-$(nproc 2>/dev/null || echo 2)}"
lib="$ex_build/plugins/hello/libhello.so"
[ -f "$lib" ] && [ -f "$ex_build/plugins/hello/plugin.json" ] || die "out-of-tree build did not produce $lib + plugin.json"

log "running the example's tests (fake host)"
ctest --test-dir "$ex_build" --output-on-failure --timeout 120

log "loading the out-of-tree plugin in valory-host"
work="$(mktemp -d "${TMPDIR:-/tmp}/valory-example.XXXXXX")"
host_pid=""
cleanup() {
  if [ -n "$host_pid" ]; then kill "$host_pid" 2>/dev/null || true; wait "$host_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
"$host_bin" --config config/valory.jsonc --plugin-path "$ex_build/plugins" --port 0 \
  --port-file "$work/port" >"$work/host.log" 2>&1 &
host_pid=$!
for _ in $(seq 1 300); do
  [ -s "$work/port" ] && break
  kill -0 "$host_pid" 2>/dev/null || break
  sleep 0.1
done
[ -s "$work/port" ] || { cat "$work/host.log" >&2; die "valory-host did not start with the out-of-tree plugin"; }
port="$(cat "$work/port")"
code="$(curl -s -o "$work/body" -w '%{http_code}' "http://127.0.0.1:$port/hello")" || true
if [ "$code" != 200 ]; then
  cat "$work/host.log" >&2
  die "GET /hello through the out-of-tree plugin answered '$code': $(cat "$work/body" 2>/dev/null)"
fi
kill -TERM "$host_pid"
rc=0; wait "$host_pid" || rc=$?
host_pid=""
[ "$rc" -eq 0 ] || { cat "$work/host.log" >&2; die "valory-host exited with $rc after SIGTERM"; }
log "ok: out-of-tree hello built against the installed SDK, tests passed, loaded by valory-host (GET /hello -> 200: $(cat "$work/body"))"
