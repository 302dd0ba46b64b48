#!/bin/sh
# A batch's incident creations through the store on PostgreSQL, one by one against one
# statement per batch (vg_store_incident_create_many), in figures that depend little on the
# machine's load: bench/pg/bench_many.c alternates rounds of GROUP creations (10 observables
# each) in one batch, one mode then the other, on a durable throwaway cluster with
# pg_stat_statements, and prints per creation the CPU µs of vigie and of its backend; then
# each statement's exec time (pg_stat_statements; the group statement's per creation is its
# time per call / GROUP).
# usage: sh bench/pg/many.sh [ROUNDS [GROUP]]   (200, 32)   env: VIGIE_BIN (./vigie: init),
#        TRY_SQL (SQL run on the PostgreSQL database before the rounds: what a schema change
#        would save, as in bench/pg/profile.sh; an experiment, never a migration)
set -eu
cd "$(dirname "$0")/../.."
ROUNDS=${1:-200}
GROUP=${2:-32}
BIN=${VIGIE_BIN:-./vigie}
LIBS="$(pkg-config --libs jansson sqlite3 libpq libsodium libmicrohttpd libcrypto libcurl libidn2 \
libcmark-gfm gmime-3.0) -lcmark-gfm-extensions $(pkg-config --libs jemalloc 2>/dev/null) -lpthread -lm"
make -s vigie build/release/libvigie.a
mkdir -p build/release/bench
PQ_CFLAGS=$(pkg-config --cflags libpq)
# shellcheck disable=SC2086
cc -std=c17 -D_GNU_SOURCE -O2 -g -Isrc -Ibuild/gen $PQ_CFLAGS -Wall -Wextra \
    -Werror bench/pg/bench_many.c build/release/libvigie.a $LIBS -o build/release/bench/bench_many
PGDIR=$(mktemp -d /tmp/vgpg.XXXXXX)
trap 'sh scripts/pgcluster.sh stop "$PGDIR" || true' EXIT INT TERM
export PGCLUSTER_DURABLE=1
base=$(sh scripts/pgcluster.sh start "$PGDIR")
psql -X -q -d "$base" -c "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'"
sh scripts/pgcluster.sh restart "$PGDIR" >/dev/null
psql -X -q -d "$base" -c "ALTER SYSTEM SET pg_stat_statements.track = 'all'" \
    -c "SELECT pg_reload_conf()" >/dev/null
psql -X -q -d "$base" -c "CREATE DATABASE bench"
DB=$(echo "$base" | sed 's|/postgres?|/bench?|')
psql -X -q -d "$DB" -c "CREATE EXTENSION pg_stat_statements"
"$BIN" init --db "$DB" >/dev/null
[ -z "${TRY_SQL:-}" ] || psql -X -q -d "$DB" -c "$TRY_SQL"
psql -X -q -d "$DB" -c "SELECT pg_stat_statements_reset()" >/dev/null
echo "many.sh: $(date -u '+%F %H:%M') UTC, load average before $(cut -d' ' -f1-3 /proc/loadavg)"
build/release/bench/bench_many "$DB" "$ROUNDS" "$GROUP"
echo "load average after $(cut -d' ' -f1-3 /proc/loadavg)"

psql -X -d "$DB" -c "SELECT calls, round((total_exec_time / calls * 1000)::numeric, 0) AS exec_us_per_call, round((total_exec_time / calls * 1000 / CASE WHEN query LIKE '%unnest(\$5::text[]%' THEN $GROUP ELSE 1 END)::numeric, 1) AS exec_us_per_creation, left(regexp_replace(query, '\s+', ' ', 'g'), 70) AS query FROM pg_stat_statements WHERE toplevel AND calls > 0 AND query NOT LIKE '%pg_stat%' AND query NOT LIKE '%pg_reload%' ORDER BY total_exec_time DESC LIMIT 12"
# SQLite (a file in a temporary folder, WAL): no speed target, not slower than one by one
SQ=$(mktemp -d /tmp/vgmany.XXXXXX)
"$BIN" init --db "$SQ/v.db" >/dev/null
echo "SQLite:"
build/release/bench/bench_many "$SQ/v.db" "$ROUNDS" "$GROUP"
rm -rf "$SQ"
