#!/bin/sh
# API benchmark: incident creation and /related lookups on SQLite with N incidents (10
# observables each) loaded, beside a plain libmicrohttpd "hello" measured in the same run.
# usage: bench/api/run.sh [INCIDENTS]   (default 100000, i.e. 1,000,000 observables)
# Prints a report on stdout; the figures in docs/PERFORMANCE.md come from it.
set -eu
cd "$(dirname "$0")/../.."
N=${1:-100000}
OUT=bench/out/api
mkdir -p "$OUT"
rm -f "$OUT"/vigie.db*
DUR=${VIGIE_BENCH_SECONDS:-10}
CONN=${VIGIE_BENCH_CONNECTIONS:-16}

cc -O2 -o "$OUT/hello" bench/api/hello.c $(pkg-config --cflags --libs libmicrohttpd)

port_of() { sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$1" | head -n 1; }

echo "machine: $(nproc) cores, $(uname -r); wrk 1 thread, $CONN connections, ${DUR}s per run"
echo "== ceiling: libmicrohttpd hello"
"$OUT/hello" 18391 & HPID=$!
sleep 0.5
wrk -t1 -c"$CONN" -d"${DUR}s" --latency http://127.0.0.1:18391/ | tee "$OUT/hello.txt"
kill "$HPID"; wait "$HPID" 2>/dev/null || true

TOKEN=$(./vigie init --db "$OUT/vigie.db")
./vigie serve --db "$OUT/vigie.db" --listen 127.0.0.1:0 2>"$OUT/serve.log" & SPID=$!
trap 'kill $SPID 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -n "$(port_of "$OUT/serve.log")" ] && break; sleep 0.1; done
PORT=$(port_of "$OUT/serve.log")
URL=http://127.0.0.1:$PORT
export VIGIE_TOKEN="$TOKEN"

echo "== load: $N incidents x 10 observables through POST /api/v1/incidents"
start=$(date +%s.%N)
# wrk runs for a duration, not a count: run until the database holds N incidents
while :; do
    have=$(sqlite3 "$OUT/vigie.db" "SELECT count(*) FROM incident")
    [ "$have" -ge "$N" ] && break
    wrk -t1 -c"$CONN" -d5s -s bench/api/create.lua "$URL" > "$OUT/load-step.txt"
done
end=$(date +%s.%N)
have=$(sqlite3 "$OUT/vigie.db" "SELECT count(*) FROM incident")
obs=$(sqlite3 "$OUT/vigie.db" "SELECT count(*) FROM observable")
echo "loaded $have incidents, $obs observables in $(awk "BEGIN {printf \"%.1f\", $end - $start}") s"
ls -l "$OUT/vigie.db" | awk '{print "database size: " $5 " bytes"}'

echo "== creation with $have incidents loaded"
wrk -t1 -c"$CONN" -d"${DUR}s" --latency -s bench/api/create.lua "$URL" | tee "$OUT/create.txt"

echo "== related lookups"
export VIGIE_REF_PREFIX="VIG-$(date -u +%Y)-" VIGIE_INCIDENTS="$have"
# the first /related loads the correlation index: time it, then measure the steady state
t0=$(date +%s.%N)
curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL/api/v1/incidents/${VIGIE_REF_PREFIX}000001/related"
t1=$(date +%s.%N)
echo "first /related (loads the correlation index of $obs observables): $(awk "BEGIN {printf \"%.2f\", $t1 - $t0}") s"
wrk -t1 -c"$CONN" -d"${DUR}s" --latency -s bench/api/related.lua "$URL" | tee "$OUT/related.txt"

echo "== related, one connection (latency without queueing)"
wrk -t1 -c1 -d"${DUR}s" --latency -s bench/api/related.lua "$URL" | tee "$OUT/related-1.txt"

kill "$SPID"; wait "$SPID" 2>/dev/null || true
