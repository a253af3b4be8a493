#!/usr/bin/env bash
# Primary-key lookups/s: sql/1 (persistence plugin's service) vs plain libpqxx, same server, same
# number of connections, alternated runs; pgbench -S -M prepared on the same server as the
# machine's reference. Parameters are fixed here so results are comparable between runs.
#
#   bench/persistence/run_bench.sh [--smoke] [--binary PATH] [--out DIR]
# Default binary: build-bench/bench/persistence/bench_persistence (set --binary otherwise).
# Results: bench/results/persistence-<UTC timestamp>.txt (and --out DIR in smoke mode).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

# Fixed parameters.
ROWS=100000
CONNECTIONS=4
SECONDS_PER_RUN=8
RUNS=7            # per subject, alternated ABBA (pqxx sql1, sql1 pqxx, ...) so drift cancels
PGBENCH_SECONDS=10
SMOKE=0
BINARY="$ROOT/build-bench/bench/persistence/bench_persistence"
OUT="$ROOT/bench/results"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --smoke) SMOKE=1; shift ;;
    --binary) BINARY="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    *) echo "usage: $0 [--smoke] [--binary PATH] [--out DIR]" >&2; exit 2 ;;
  esac
done
if [[ $SMOKE -eq 1 ]]; then ROWS=1000; SECONDS_PER_RUN=1; RUNS=1; PGBENCH_SECONDS=1; fi
[[ -x "$BINARY" ]] || { echo "bench binary not found: $BINARY (build target bench_persistence)" >&2; exit 2; }

ENVFILE="$(mktemp "${TMPDIR:-/tmp}/valory-bench-pg.XXXXXX")"
rm -f "$ENVFILE"
cleanup() { bash "$ROOT/tests/support/postgres_launcher.sh" stop "$ENVFILE" >/dev/null 2>&1 || true; }
trap cleanup EXIT
bash "$ROOT/tests/support/postgres_launcher.sh" start "$ENVFILE" >/dev/null
# shellcheck disable=SC1090
source "$ENVFILE"
PSQL="$VALORY_PG_BIN/psql"
"$PSQL" -q "$VALORY_PG_DSN" -c "CREATE DATABASE bench" -c "CREATE DATABASE pgbench"
DSN="${VALORY_PG_DSN/dbname=postgres/dbname=bench}"
PGB_DSN="${VALORY_PG_DSN/dbname=postgres/dbname=pgbench}"
"$PSQL" -q "$DSN" <<SQL
CREATE TABLE bench_users (id integer PRIMARY KEY, username varchar(50) NOT NULL, twitch_id varchar(100));
INSERT INTO bench_users SELECT g, 'user_' || g, (1000000 + g)::text FROM generate_series(1, $ROWS) g;
ANALYZE bench_users;
SQL

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

declare -a PQXX SQL1 PQXX_CPU SQL1_CPU
for i in $(seq 1 "$RUNS"); do
  if (( i % 2 )); then order="pqxx sql1"; else order="sql1 pqxx"; fi
  for mode in $order; do
    line="$("$BINARY" --dsn "$DSN" --mode "$mode" --connections "$CONNECTIONS" --seconds "$SECONDS_PER_RUN" --rows "$ROWS")"
    rate="$(echo "$line" | awk '{print $2}')"
    cpu="$(echo "$line" | awk '{printf "%.1f", $5}')"
    echo "run $i $mode: $rate lookups/s, client cpu $cpu us/lookup"
    if [[ $mode == pqxx ]]; then PQXX+=("$rate"); PQXX_CPU+=("$cpu"); else SQL1+=("$rate"); SQL1_CPU+=("$cpu"); fi
  done
done

PGBENCH="$VALORY_PG_BIN/pgbench"
"$PGBENCH" -q -i -s 1 "$PGB_DSN" >/dev/null 2>&1
PGB_TPS="$("$PGBENCH" -S -M prepared -n -c "$CONNECTIONS" -j 2 -T "$PGBENCH_SECONDS" "$PGB_DSN" 2>/dev/null \
  | awk '/^tps/ {print int($3); exit}')"

PQXX_MED="$(printf '%s\n' "${PQXX[@]}" | median)"
SQL1_MED="$(printf '%s\n' "${SQL1[@]}" | median)"
PQXX_MIN="$(printf '%s\n' "${PQXX[@]}" | sort -n | head -1)"; PQXX_MAX="$(printf '%s\n' "${PQXX[@]}" | sort -n | tail -1)"
SQL1_MIN="$(printf '%s\n' "${SQL1[@]}" | sort -n | head -1)"; SQL1_MAX="$(printf '%s\n' "${SQL1[@]}" | sort -n | tail -1)"
PQXX_CPU_MED="$(printf '%s\n' "${PQXX_CPU[@]}" | median)"
SQL1_CPU_MED="$(printf '%s\n' "${SQL1_CPU[@]}" | median)"
# Runs i of both subjects ran back to back: the median of the per-pair ratios cancels slow drift
# of the machine's load.
PAIRED="$(for i in "${!PQXX[@]}"; do awk -v a="${SQL1[$i]}" -v b="${PQXX[$i]}" 'BEGIN { if (b > 0) printf "%.3f\n", a / b }'; done | median)"
RATIO="$(awk -v a="$SQL1_MED" -v b="$PQXX_MED" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }')"

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
SMOKE_TAG=""; if [[ $SMOKE -eq 1 ]]; then SMOKE_TAG=" SMOKE"; fi
PG_VERSION="$("$VALORY_PG_BIN/postgres" --version | awk '{print $3}')"
PQXX_VERSION="$(pkg-config --modversion libpqxx 2>/dev/null || echo '?')"
REPORT="persistence benchmark: primary-key lookups/s ($STAMP)
machine: $(nproc) cores, $(uname -sr); PostgreSQL $PG_VERSION, libpqxx $PQXX_VERSION
parameters: rows=$ROWS connections=$CONNECTIONS threads=$CONNECTIONS seconds/run=$SECONDS_PER_RUN runs/subject=$RUNS (alternated ABBA)$SMOKE_TAG
query: SELECT id, username, twitch_id FROM bench_users WHERE id = \$1 (prepared, random ids)
plain libpqxx : median $PQXX_MED  min $PQXX_MIN  max $PQXX_MAX   runs: ${PQXX[*]}
sql/1         : median $SQL1_MED  min $SQL1_MIN  max $SQL1_MAX   runs: ${SQL1[*]}
ratio sql/1 / libpqxx (medians): $RATIO   (goal >= 0.9); median of paired ratios: $PAIRED
client CPU per lookup (median, user+sys us): libpqxx $PQXX_CPU_MED, sql/1 $SQL1_CPU_MED
reference: pgbench -S -M prepared -c $CONNECTIONS -j 2 -T $PGBENCH_SECONDS (scale 1): $PGB_TPS tps"
echo "$REPORT"
mkdir -p "$OUT"
if [[ $SMOKE -eq 1 ]]; then
  echo "$REPORT" >"$OUT/persistence-smoke.txt"
else
  echo "$REPORT" >"$OUT/persistence-$STAMP.txt"
  echo "saved $OUT/persistence-$STAMP.txt"
fi
