#!/bin/sh
# Where the CPU of an incident creation goes on PostgreSQL, in figures that depend little on
# the machine's load (unlike the rate): wrk POSTs bench/api/create.lua's creations (10
# observables each) to one `vigie serve` on a throwaway durable cluster with
# pg_stat_statements, then prints per creation: the CPU seconds of each PostgreSQL process
# and of vigie (from /proc, so µs per creation), the statements sent (pg_stat_statements'
# calls: BEGIN, SAVEPOINT and the like included) and each statement's exec time.
#
# usage: sh bench/pg/profile.sh        env: VIGIE_BIN (./vigie), SECONDS_RUN (10), CONN (16),
#        LUA (create: bench/api/LUA.lua), PERF=1 (perf record of the busiest backend into
#        bench/out/pg-profile/backend.perf), TRY_SQL (SQL run on the database before the server
#        starts: what a schema change would save, e.g. TRY_SQL='DROP TRIGGER
#        stats_incident_insert ON incident'; an experiment, never a migration)
set -eu
cd "$(dirname "$0")/../.."
. bench/pg/lib.sh
BIN=${VIGIE_BIN:-./vigie}
DUR=${SECONDS_RUN:-10}
CONN=${CONN:-16}
LUA=${LUA:-create}
OUT=bench/out/pg-profile
rm -rf "$OUT"
mkdir -p "$OUT"
PGDIR=$(mktemp -d /tmp/vgpg.XXXXXX)
SP=""
cleanup() {
    if [ -n "$SP" ]; then
        kill "$SP" 2>/dev/null || true
        wait "$SP" 2>/dev/null || true
    fi
    sh scripts/pgcluster.sh stop "$PGDIR" || true
}
trap cleanup EXIT INT TERM
export PGCLUSTER_DURABLE=1
base=$(sh scripts/pgcluster.sh start "$PGDIR")
psql -X -q -d "$base" -c "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'"
sh scripts/pgcluster.sh restart "$PGDIR" >/dev/null
# the triggers' statements too (track 'all'), as the integrator measured
psql -X -q -d "$base" -c "ALTER SYSTEM SET pg_stat_statements.track = 'all'" \
    -c "ALTER SYSTEM SET pg_stat_statements.track_planning = on" \
    -c "SELECT pg_reload_conf()" >/dev/null
psql -X -q -d "$base" -c "CREATE DATABASE bench"
DB=$(echo "$base" | sed 's|/postgres?|/bench?|')
psql -X -q -d "$DB" -c "CREATE EXTENSION pg_stat_statements"
VIGIE_TOKEN=$("$BIN" init --db "$DB")
export VIGIE_TOKEN
[ -z "${TRY_SQL:-}" ] || psql -X -q -d "$DB" -c "$TRY_SQL"
"$BIN" serve --db "$DB" --listen 127.0.0.1:0 >/dev/null 2>"$OUT/serve.log" &
SP=$!
URL=$(serve_url "$OUT/serve.log")
wrk -t1 -c"$CONN" -d3s -s "bench/api/$LUA.lua" "$URL" >/dev/null # warm up: plans, caches
count() { psql -X -q -A -t -d "$DB" -c "SELECT count(*) FROM incident"; }
# snap: "pid utime+stime (ticks)" of this cluster's processes (its postmaster and children:
# other clusters may run on the machine) and of vigie
PM=$(head -n 1 "$PGDIR/data/postmaster.pid")
snap() {
    for p in "$PM" $(pgrep -P "$PM") "$SP"; do
        awk -v p="$p" '{print p, $14 + $15}' "/proc/$p/stat" 2>/dev/null || true
    done | sort
}
psql -X -q -d "$DB" -c "SELECT pg_stat_statements_reset()" >/dev/null
n0=$(count)
snap >"$OUT/cpu0"
if [ "${PERF:-0}" = 1 ]; then
    busy=$(ps -o pid= --sort=-time --ppid "$PM" | head -n 1)
    perf record -g -o "$OUT/backend.perf" -p "$busy" -- sleep "$DUR" >/dev/null 2>&1 &
fi
wrk -t1 -c"$CONN" -d"${DUR}s" --latency -s "bench/api/$LUA.lua" "$URL" >"$OUT/wrk.txt"
snap >"$OUT/cpu1"
n1=$(count)
n=$((n1 - n0))
[ "$LUA" = create ] || n=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$OUT/wrk.txt")
hz=$(getconf CLK_TCK)
echo "profile.sh: $n requests in ${DUR} s ($(grep Requests/sec "$OUT/wrk.txt" | awk '{print $2}')/s," \
    "noisy on a shared machine), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "CPU per request (µs), by process:"
join "$OUT/cpu0" "$OUT/cpu1" | while read -r p a b; do
    [ "$b" -gt "$a" ] || continue
    if [ "$p" = "$SP" ]; then what=vigie; else what=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-50); fi
    echo "$p $((b - a)) $what"
done | sort -k2 -n -r | awk -v n="$n" -v hz="$hz" \
    '{t = $2 / hz; printf "  %8.0f  %5.2f s  %s", t * 1e6 / n, t, $3; for (i = 4; i <= NF; i++) printf " %s", $i; print ""}'
psql -X -q -A -t -d "$DB" -c "SELECT 'statements per request: ' || round(sum(calls) FILTER (WHERE toplevel)::numeric / $n, 2) || ' sent, ' || round(sum(calls) FILTER (WHERE NOT toplevel)::numeric / $n, 2) || ' run inside them (triggers, foreign key checks)' FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%' AND query NOT LIKE '%count(*) FROM incident%'"
psql -X -d "$DB" -c "SELECT round(calls::numeric / $n, 3) AS per_req, calls, round((total_exec_time / calls * 1000)::numeric, 0) AS exec_us, round((total_plan_time / calls * 1000)::numeric, 0) AS plan_us, plans, left(regexp_replace(query, '\s+', ' ', 'g'), 90) AS query FROM pg_stat_statements WHERE calls > 0 AND query NOT LIKE '%pg_stat_statements%' ORDER BY total_exec_time + total_plan_time DESC LIMIT 15"
