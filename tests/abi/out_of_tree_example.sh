#!/bin/sh
# The SDK as a plugin author gets it: install the SDK package into a scratch prefix, build
# sdk/examples/hello OUT OF TREE against it with find_package(ValorySDK), run its fake-host unit
# tests, check its exported symbols, then load it into the real valory-host and GET /hello.
#   out_of_tree_example.sh <source dir> <build dir of the Valory tree> <valory-host binary>
set -eu
src=$1
build=$2
host=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/valory-oot.XXXXXX")
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }

step "install the SDK package into $work/prefix"
cmake --install "$build" --prefix "$work/prefix" --component sdk >"$work/install.log" || { cat "$work/install.log"; exit 1; }
test -f "$work/prefix/lib/cmake/ValorySDK/ValorySDKConfig.cmake"
test -f "$work/prefix/include/valory/cpp/plugin.hpp"
test -f "$work/prefix/include/valory/testkit/fake_host.hpp"

step "configure and build sdk/examples/hello out of tree"
gen=""
if command -v ninja >/dev/null 2>&1; then gen="-G Ninja"; fi
# shellcheck disable=SC2086
cmake $gen -S "$src/sdk/examples/hello" -B "$work/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_PREFIX_PATH="$work/prefix"
cmake --build "$work/build" --parallel 2

step "unit tests of the example on the fake host"
ctest --test-dir "$work/build" --output-on-failure
count=$(ctest --test-dir "$work/build" -N | sed -n 's/^Total Tests: //p')
[ "${count:-0}" -ge 5 ] || { echo "expected the example's unit tests, found ${count:-0}"; exit 1; }

lib="$work/build/plugins/hello/libhello.so"
step "exported symbols of $lib"
syms=$(nm -D --defined-only "$lib" | awk '{ print $(NF-1), $NF }')
echo "$syms"
[ "$syms" = "T valory_plugin_entry_v1" ] || { echo "the out-of-tree plugin exports more than its entry"; exit 1; }
test -f "$work/build/plugins/hello/plugin.json"

step "load it in valory-host"
cat >"$work/valory.jsonc" <<JSON
// out-of-tree example test
{
  "server": {"host": "127.0.0.1", "port": 0},
  "plugin_path": ["$work/build/plugins"],
  "data_dir": "$work/data",
  "plugins": {"hello": {"enabled": true, "optional": false, "settings": {"greeting": "Hi"}}}
}
JSON
"$host" --config "$work/valory.jsonc" --port 0 --port-file "$work/port" >"$work/host.log" 2>&1 &
pid=$!
i=0
while [ ! -s "$work/port" ]; do
  if ! kill -0 "$pid" 2>/dev/null; then echo "valory-host exited:"; cat "$work/host.log"; exit 1; fi
  i=$((i + 1))
  if [ $i -gt 600 ]; then echo "valory-host did not write its port file"; cat "$work/host.log"; exit 1; fi
  sleep 0.1
done
port=$(cat "$work/port")
body=$(curl -sS -o "$work/body" -w '%{http_code}' "http://127.0.0.1:$port/hello?name=ci") || { cat "$work/host.log"; exit 1; }
echo "GET /hello?name=ci -> $body $(cat "$work/body")"
[ "$body" = "200" ] || { cat "$work/host.log"; exit 1; }
grep -q '"message":"Hi, ci!"' "$work/body" || { echo "unexpected body"; exit 1; }
code=$(curl -sS -o "$work/body2" -w '%{http_code}' "http://127.0.0.1:$port/hello/Ada")
echo "GET /hello/Ada -> $code $(cat "$work/body2")"
[ "$code" = "200" ]

step "graceful stop"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=""
cat "$work/host.log"
[ "$rc" -eq 0 ] || { echo "valory-host exited with $rc after SIGTERM"; exit 1; }
echo "out-of-tree example: OK"
