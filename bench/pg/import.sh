#!/bin/sh
# The big writes on both backends, side by side in one run (issue 16): on a SQLite file and on a
# database of a throwaway PostgreSQL 15 cluster (scripts/pgcluster.sh, restarted here with
# fsync, synchronous_commit and full_page_writes ON, as in production: the script's own cluster
# runs with them off), each instance gets
#   the demo data (`vigie serve --demo`, stopped once it listens),
#   `vigie ioc import` of 1,000,000 indicators (bench/match/gen.py's iocs.txt),
#   `vigie vuln import` of the NVD-sized set (bench/vuln/gen.py: 250,000 CVEs, KEV, EPSS),
#   the inventory as organisations (bench/vuln/load_orgs.c),
#   `vigie vuln match` (the first full re-match: every finding written) and
#   `vigie vuln match --quiet` (a full re-match that finds nothing to rewrite);
# then the SQLite instance is copied to PostgreSQL and back (`vigie db copy`, which compares
# every table's rows and checksum), the PostgreSQL one to SQLite, and `vigie db verify` checks
# each pair. Exit 1 if any copy or verify differs.
#   sh bench/pg/import.sh
# VIGIE_BENCH_BIN=path runs another vigie binary (e.g. an older build, for before/after);
# VIGIE_BENCH_IOCS=N changes the number of indicators (generated again when it changes).
set -eu
cd "$(dirname "$0")/../.."
VIGIE=${VIGIE_BENCH_BIN:-./vigie}
NIOCS=${VIGIE_BENCH_IOCS:-1000000}
OUT=${VIGIE_BENCH_OUT:-bench/out}
[ "$VIGIE" = ./vigie ] && make -s vigie
make -s build/release/libvigie.a
mkdir -p build/release/bench
cc -std=c17 -D_GNU_SOURCE -O2 -Isrc -Wall -Wextra -Werror bench/vuln/load_orgs.c \
    build/release/libvigie.a $(pkg-config --libs libmicrohttpd jansson sqlite3 libpq libsodium libidn2 libcrypto libcurl \
    libcmark-gfm gmime-3.0) \
    -lpthread -lm -o build/release/bench/load_orgs
if [ ! -f "$OUT/match/iocs.txt" ] || [ "$(wc -l <"$OUT/match/iocs.txt")" -ne "$NIOCS" ]; then
    /usr/bin/python3 bench/match/gen.py "$OUT/match" 1 "$NIOCS" >/dev/null
fi
[ -f "$OUT/vuln/inventory.tsv" ] || /usr/bin/python3 bench/vuln/gen.py "$OUT/vuln" >/dev/null

W=$(mktemp -d /tmp/vgbench.XXXXXX)
PGDIR=$(mktemp -d /tmp/vgpg.XXXXXX)
SERVE_PID=
cleanup() {
    [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null || true
    sh scripts/pgcluster.sh stop "$PGDIR" >/dev/null 2>&1 || true
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
URI=$(sh scripts/pgcluster.sh start "$PGDIR")
AS_PG=
[ "$(id -u)" -eq 0 ] && AS_PG="runuser -u vigiepg --"
$AS_PG /usr/lib/postgresql/15/bin/pg_ctl -D "$PGDIR/data" -l "$PGDIR/server.log" -m fast -w \
    -o "-c listen_addresses='' -c unix_socket_directories='$PGDIR' -c fsync=on \
        -c synchronous_commit=on -c full_page_writes=on -c max_connections=200" \
    restart >/dev/null
BASE=${URI%%/postgres\?*}
pg_uri() { echo "$BASE/$1?host=$PGDIR"; }
for name in bench to_pg; do psql -X -q -d "$URI" -c "CREATE DATABASE $name"; done

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "vigie: $VIGIE ($(git rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo "PostgreSQL: $(psql -X -A -t -d "$URI" -c 'SHOW server_version') fsync=$(psql -X -A -t \
    -d "$URI" -c 'SHOW fsync') synchronous_commit=$(psql -X -A -t -d "$URI" \
    -c 'SHOW synchronous_commit') full_page_writes=$(psql -X -A -t -d "$URI" \
    -c 'SHOW full_page_writes'); SQLite: WAL file in $W"

# Runs "$@" and prints LABEL and its wall time (seconds, 2 decimals); its output to $W/last.
timed() {
    label=$1
    shift
    s=$(date +%s.%N)
    if ! "$@" >"$W/last" 2>&1; then
        echo "FAILED: $label: $*" >&2
        tail -5 "$W/last" >&2
        exit 1
    fi
    e=$(date +%s.%N)
    printf '  %-44s %7.2f s\n' "$label" "$(echo "$e - $s" | bc)"
}

demo() {
    "$VIGIE" serve --db "$1" --listen 127.0.0.1:0 --demo 2>"$W/serve.log" &
    SERVE_PID=$!
    i=0
    until grep -q "listening on" "$W/serve.log"; do
        i=$((i + 1))
        if [ $i -gt 600 ] || ! kill -0 "$SERVE_PID" 2>/dev/null; then
            cat "$W/serve.log" >&2
            exit 1
        fi
        sleep 0.1
    done
    kill "$SERVE_PID"
    wait "$SERVE_PID" || true
    SERVE_PID=
}

instance() {
    db=$1
    timed "init" "$VIGIE" init --db "$db"
    timed "demo data (serve --demo)" demo "$db"
    timed "ioc import ($NIOCS indicators)" "$VIGIE" ioc import --db "$db" --source bench \
        "$OUT/match/iocs.txt"
    timed "vuln import (NVD set, KEV, EPSS)" "$VIGIE" vuln import --db "$db" "$OUT/vuln/nvd" \
        "$OUT/vuln/kev.json" "$OUT/vuln/epss.csv"
    timed "inventory as organisations" build/release/bench/load_orgs "$db" \
        "$OUT/vuln/inventory.tsv"
    timed "vuln match (first: every finding written)" sh -c \
        "'$VIGIE' vuln match --db '$db' >/dev/null"
    timed "vuln match --quiet (nothing to rewrite)" "$VIGIE" vuln match --quiet --db "$db"
}

echo "--- SQLite ---"
instance "$W/bench.db"
echo "--- PostgreSQL ---"
instance "$(pg_uri bench)"
echo "--- copies (db copy compares every table's rows and SHA-256) ---"
timed "db copy SQLite -> PostgreSQL" "$VIGIE" db copy --from "$W/bench.db" --to "$(pg_uri to_pg)"
tail -1 "$W/last"
timed "db copy PostgreSQL -> SQLite (back)" "$VIGIE" db copy --from "$(pg_uri to_pg)" \
    --to "$W/back.db"
tail -1 "$W/last"
timed "db verify first SQLite vs back" "$VIGIE" db verify --from "$W/bench.db" --to "$W/back.db"
tail -1 "$W/last"
timed "db copy PostgreSQL instance -> SQLite" "$VIGIE" db copy --from "$(pg_uri bench)" \
    --to "$W/from_pg.db"
tail -1 "$W/last"
timed "db verify PostgreSQL instance vs its copy" "$VIGIE" db verify --from "$(pg_uri bench)" \
    --to "$W/from_pg.db"
tail -1 "$W/last"
echo "sizes: SQLite $(du -h "$W/bench.db" | cut -f1), PostgreSQL $(psql -X -A -t -d "$URI" \
    -c "SELECT pg_size_pretty(pg_database_size('bench'))")"
