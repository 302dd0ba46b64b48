#!/bin/sh
# The server on SQLite and on PostgreSQL side by side, in one run (issue 16): incident creation
# rate (POST /api/v1/incidents, 10 observables each, wrk with several connections) and
# /api/v1/incidents/{ref}/related latency (p99), with one `vigie serve` and with two on the
# same database (two processes on one SQLite file share it too: writes take turns on its lock).
#
# usage: bench/pg/serve.sh [INCIDENTS]     (default 20000 loaded first, 10 observables each)
# env:   VIGIE_BENCH_SECONDS (10 per run), VIGIE_BENCH_CONNECTIONS (16 per server),
#        VIGIE_BIN (./vigie), VIGIE_BENCH_BACKENDS ("sqlite pg")
# PostgreSQL: a throwaway PostgreSQL 15 cluster (scripts/pgcluster.sh, Unix socket) with its
# durable defaults (PGCLUSTER_DURABLE=1: fsync and synchronous_commit on; SQLite runs in WAL
# mode with synchronous=NORMAL). Prints a report, then a summary table; everything is kept in
# bench/out/pg-serve/. Needs wrk, sqlite3, psql (scripts/deps.sh --bench).
set -eu
cd "$(dirname "$0")/../.."
N=${1:-20000}
OUT=bench/out/pg-serve
BIN=${VIGIE_BIN:-./vigie}
DUR=${VIGIE_BENCH_SECONDS:-10}
CONN=${VIGIE_BENCH_CONNECTIONS:-16}
BACKENDS=${VIGIE_BENCH_BACKENDS:-sqlite pg}
rm -rf "$OUT"
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "serve.sh: wrk is missing (scripts/deps.sh --bench)" >&2; exit 1; }

PGDIR=""
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    for p in $PIDS; do wait "$p" 2>/dev/null || true; done
    [ -n "$PGDIR" ] && sh scripts/pgcluster.sh stop "$PGDIR" || true
}
trap cleanup EXIT INT TERM

port_of() { sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$1" | head -n 1; }

# start_server DB LOG: starts `vigie serve` (not in a subshell: its pid is kept), sets URL and
# SPID
start_server() {
    "$BIN" serve --db "$1" --listen 127.0.0.1:0 >/dev/null 2>"$2" &
    SPID=$!
    PIDS="$PIDS $!"
    for _ in $(seq 100); do [ -n "$(port_of "$2")" ] && break; sleep 0.1; done
    [ -n "$(port_of "$2")" ] || { cat "$2" >&2; exit 1; }
    URL="http://127.0.0.1:$(port_of "$2")"
}

stop_servers() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    for p in $PIDS; do wait "$p" 2>/dev/null || true; done
    PIDS=""
}

# count DB TABLE
count() {
    case "$1" in
    postgres*) psql -X -q -A -t -d "$1" -c "SELECT count(*) FROM $2" ;;
    *) sqlite3 "$1" "SELECT count(*) FROM $2" ;;
    esac
}

# figures of a wrk report: requests/s, p99 in ms, non-2xx answers
rps() { awk '/^Requests\/sec/ {print $2}' "$1"; }
p99() {
    awk '$1 == "99%" {v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
         if (u == "us") v /= 1000; else if (u == "s") v *= 1000; else if (u == "m") v *= 60000;
         printf "%.2f", v}' "$1"
}
errs() { awk '/Non-2xx/ {print $NF; f = 1} END {if (!f) print 0}' "$1"; }
sum() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.0f", a + b}'; }
maxf() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (a > b ? a : b)}'; }

# both SCRIPT OUT: wrk with bench/api/SCRIPT.lua against both servers at once, reports in
# OUTa.txt and OUTb.txt
# CPU time (clock ticks) the processes PID... used so far
ticks() { for p in "$@"; do awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0; done | awk '{s += $1} END {print s + 0}'; }
# PostgreSQL's processes (the postmaster's children: backends, WAL writer...), none on SQLite
pg_pids() { [ -n "$PGDIR" ] && pgrep -P "$(head -n 1 "$PGDIR/data/postmaster.pid")" | tr '\n' ' ' || true; }

both() {
    wrk -t1 -c"$CONN" -d"${DUR}s" --latency -s "bench/api/$1.lua" "$URL1" >"${2}a.txt" &
    w=$!
    wrk -t1 -c"$CONN" -d"${DUR}s" --latency -s "bench/api/$1.lua" "$URL2" >"${2}b.txt"
    wait "$w"
    cat "${2}a.txt" "${2}b.txt"
}

echo "machine: $(nproc) cores, $(uname -r); wrk 1 thread, $CONN connections per server, ${DUR}s per run"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ); $N incidents loaded first (10 observables each)"
SUMMARY="$OUT/summary.txt"
: >"$SUMMARY"

for be in $BACKENDS; do
    case "$be" in
    sqlite) DB="$OUT/vigie.db" ;;
    pg)
        PGDIR=$(mktemp -d /tmp/vgpg.XXXXXX)
        base=$(PGCLUSTER_DURABLE=1 sh scripts/pgcluster.sh start "$PGDIR")
        psql -X -q -d "$base" -c "CREATE DATABASE bench"
        DB=$(echo "$base" | sed 's|/postgres?|/bench?|')
        echo "PostgreSQL: $(psql -X -A -t -d "$DB" -c 'SHOW server_version'), fsync $(psql -X -A -t -d "$DB" -c 'SHOW fsync'), synchronous_commit $(psql -X -A -t -d "$DB" -c 'SHOW synchronous_commit')"
        ;;
    *) echo "serve.sh: unknown backend $be" >&2; exit 2 ;;
    esac
    echo "== $be"
    TOKEN=$("$BIN" init --db "$DB")
    export VIGIE_TOKEN="$TOKEN"
    start_server "$DB" "$OUT/$be-serve1.log"
    URL1=$URL

    start=$(date +%s.%N)
    while [ "$(count "$DB" incident)" -lt "$N" ]; do
        wrk -t1 -c"$CONN" -d5s -s bench/api/create.lua "$URL1" >"$OUT/$be-load-step.txt"
        grep -q "^Requests/sec" "$OUT/$be-load-step.txt" || { cat "$OUT/$be-load-step.txt" >&2; exit 1; }
    done
    end=$(date +%s.%N)
    have=$(count "$DB" incident)
    echo "$be: loaded $have incidents in $(awk "BEGIN {printf \"%.1f\", $end - $start}") s"

    echo "-- $be, one server: creation"
    pgp=$(pg_pids)
    v0=$(ticks "$SPID")
    p0=$(ticks $pgp)
    # wrk's own CPU: the shell's children's times (fields 16, 17) once it has waited for wrk
    sh -c 'wrk "$@" >"$0"; awk "{print \$16 + \$17}" /proc/$$/stat' "$OUT/$be-create1.txt" \
        -t1 -c"$CONN" -d"${DUR}s" --latency -s bench/api/create.lua "$URL1" >"$OUT/$be-wrk-ticks"
    cat "$OUT/$be-create1.txt"
    v1=$(ticks "$SPID")
    p1=$(ticks $pgp)
    made=$(awk '/requests in/ {print $1}' "$OUT/$be-create1.txt")
    hz=$(getconf CLK_TCK)
    awk -v v="$((v1 - v0))" -v p="$((p1 - p0))" -v w="$(cat "$OUT/$be-wrk-ticks")" -v n="$made" \
        -v hz="$hz" -v be="$be" -v cores="$(nproc)" 'BEGIN {
        us = 1e6 / hz / n; t = (v + p + w) * us
        printf "%s: CPU per creation: vigie %.0f us, PostgreSQL %.0f us, wrk %.0f us; total %.0f us: at most %.0f creations/s on %d cores\n", be, v * us, p * us, w * us, t, cores * 1e6 / t, cores
    }' | tee -a "$OUT/cpu.txt"
    have=$(count "$DB" incident)
    export VIGIE_REF_PREFIX="VIG-$(date -u +%Y)-" VIGIE_INCIDENTS="$have"
    t0=$(date +%s.%N)
    curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL1/api/v1/incidents/${VIGIE_REF_PREFIX}000001/related"
    t1=$(date +%s.%N)
    echo "$be: first /related (loads the correlation index): $(awk "BEGIN {printf \"%.2f\", $t1 - $t0}") s"
    echo "-- $be, one server: /related, $CONN connections"
    wrk -t1 -c"$CONN" -d"${DUR}s" --latency -s bench/api/related.lua "$URL1" | tee "$OUT/$be-related1.txt"
    echo "-- $be, one server: /related, one connection"
    wrk -t1 -c1 -d"${DUR}s" --latency -s bench/api/related.lua "$URL1" | tee "$OUT/$be-related1c.txt"

    start_server "$DB" "$OUT/$be-serve2.log"
    URL2=$URL
    curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL2/api/v1/incidents/${VIGIE_REF_PREFIX}000001/related"
    echo "-- $be, two servers: creation (both at once)"
    both create "$OUT/$be-create2"
    have=$(count "$DB" incident)
    export VIGIE_INCIDENTS="$have"
    # each server's index catches up with what both created meanwhile: once, timed apart
    for u in "$URL1" "$URL2"; do
        t0=$(date +%s.%N)
        curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$u/api/v1/incidents/${VIGIE_REF_PREFIX}000001/related"
        t1=$(date +%s.%N)
        echo "$be: /related catching up after the creations, $u: $(awk "BEGIN {printf \"%.2f\", $t1 - $t0}") s"
    done
    echo "-- $be, two servers: /related (both at once)"
    both related "$OUT/$be-related2"
    stop_servers
    have=$(count "$DB" incident)
    refs=$(count "$DB" "(SELECT DISTINCT ref FROM incident) AS r")
    echo "$be: $have incidents, $refs distinct references (equal: no reference given twice)"

    c1=$(rps "$OUT/$be-create1.txt")
    c2=$(sum "$(rps "$OUT/$be-create2a.txt")" "$(rps "$OUT/$be-create2b.txt")")
    printf '%s %s %s %s %s %s %s %s %s\n' "$be" "$c1" "$(p99 "$OUT/$be-create1.txt")" "$c2" \
        "$(rps "$OUT/$be-related1.txt")" "$(p99 "$OUT/$be-related1.txt")" \
        "$(p99 "$OUT/$be-related1c.txt")" \
        "$(maxf "$(p99 "$OUT/$be-related2a.txt")" "$(p99 "$OUT/$be-related2b.txt")")" \
        "$(($(errs "$OUT/$be-create1.txt") + $(errs "$OUT/$be-create2a.txt") + $(errs "$OUT/$be-create2b.txt") + $(errs "$OUT/$be-related1.txt") + $(errs "$OUT/$be-related2a.txt") + $(errs "$OUT/$be-related2b.txt")))" \
        >>"$SUMMARY"
    if [ "$be" = pg ]; then
        sh scripts/pgcluster.sh stop "$PGDIR"
        PGDIR=""
    fi
done

echo "== summary ($CONN connections per server, ${DUR}s per run; p99 in ms)"
printf '%-7s %12s %10s %14s %12s %12s %14s %14s %7s\n' backend "create/s 1" "create p99" \
    "create/s 2 srv" "related/s" "related p99" "related p99 1c" "related p99 2s" "non-2xx"
while read -r b c1 cp c2 r1 rp rp1 rp2 e; do
    printf '%-7s %12s %10s %14s %12s %12s %14s %14s %7s\n' "$b" "$c1" "$cp" "$c2" "$r1" "$rp" \
        "$rp1" "$rp2" "$e"
done <"$SUMMARY"
cat "$OUT/cpu.txt"
