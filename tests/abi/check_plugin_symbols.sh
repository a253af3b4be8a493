#!/bin/sh
# Fails unless every plugin library (*.so under the given folders) defines exactly one dynamic
# symbol, valory_plugin_entry_v1 (global, in .text). Any other defined dynamic symbol fails,
# including weak (W/V) and GNU unique (u) ones: no filtering.
#   check_plugin_symbols.sh [--min N] [--no-entry ID]... DIR...
# --min N: fail when fewer than N libraries are found (a test that checks nothing must fail).
# --no-entry ID: lib<ID>.so is a fixture without an entry; it must define no dynamic symbol at all.
set -u
min=1
no_entry=" "
while [ $# -gt 0 ]; do
  case "$1" in
    --min) min=$2; shift 2 ;;
    --no-entry) no_entry="$no_entry$2 "; shift 2 ;;
    *) break ;;
  esac
done
command -v nm >/dev/null 2>&1 || { echo "nm not found (binutils)"; exit 2; }
found=0
bad=0
list=$(mktemp)
trap 'rm -f "$list"' EXIT
for dir in "$@"; do
  [ -d "$dir" ] || { echo "missing folder: $dir"; bad=1; continue; }
  find "$dir" -name '*.so' -type f | sort >> "$list"
done
while IFS= read -r lib; do
  found=$((found + 1))
  id=$(basename "$lib" .so); id=${id#lib}
  syms=$(nm -D --defined-only "$lib" 2>&1) || { echo "FAIL $lib: nm failed: $syms"; bad=1; continue; }
  case "$no_entry" in
    *" $id "*) expected="" ;;
    *) expected="T valory_plugin_entry_v1" ;;
  esac
  actual=$(printf '%s\n' "$syms" | awk 'NF >= 2 { print $(NF-1), $NF }' | sort)
  if [ "$actual" != "$expected" ]; then
    echo "FAIL $lib: expected exactly [${expected:-nothing}], got:"
    printf '%s\n' "$actual" | sed 's/^/    /'
    bad=1
  else
    echo "ok   $lib"
  fi
done < "$list"
echo "$found plugin libraries checked"
if [ "$found" -lt "$min" ]; then
  echo "FAIL: expected at least $min plugin libraries"
  bad=1
fi
exit $bad
