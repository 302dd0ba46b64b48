#!/bin/sh
# Web benchmark (issue 14): a database of N incidents (100,000 by default) filled through the
# store by bench/web/fill.c, `vigie serve` on it, a console session from the login form, then
# wrk on the console's pages (the dashboard, the incident queue first and filtered, incident
# pages at random) and, in the same run, their API peers with a bearer token and a static
# file. A page whose route does not exist (404) is reported "missing". Targets: the queue and
# the incident page >= 5,000 pages/s each, the dashboard <= 50 ms.
# usage: sh bench/web/run.sh [N]; env VIGIE_BENCH_SECONDS (10), VIGIE_BENCH_CONNECTIONS (16)
set -eu
cd "$(dirname "$0")/../.."
N=${1:-100000}
DUR=${VIGIE_BENCH_SECONDS:-10}
CONN=${VIGIE_BENCH_CONNECTIONS:-16}
OUT=${VIGIE_BENCH_OUT:-bench/out}/web
mkdir -p "$OUT" build/release/bench
make -s vigie build/release/libvigie.a
cc -std=c17 -D_GNU_SOURCE -O2 -g -Isrc -Wall -Wextra -Werror bench/web/fill.c \
    build/release/libvigie.a $(pkg-config --libs jansson sqlite3 libsodium libcrypto libcurl \
    libidn2 libmicrohttpd libcmark-gfm) -lcmark-gfm-extensions \
    $(pkg-config --libs jemalloc 2>/dev/null) -lpthread -lm -o build/release/bench/fill_web
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "wrk: 2 threads, $CONN connections, ${DUR} s per page; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== a database of $N incidents (bench/web/fill.c, through the store)"
rm -f "$OUT"/web.db "$OUT"/web.db-wal "$OUT"/web.db-shm
ADMIN=$(./vigie init --db "$OUT/web.db")
/usr/bin/time -f "  filled in %e s wall (%U s user), %M KiB max RSS" \
    build/release/bench/fill_web "$OUT/web.db" "$N" "$OUT/refs.txt"
echo "  $(sqlite3 "$OUT/web.db" "SELECT count(*) FROM incident") incidents," \
    "$(sqlite3 "$OUT/web.db" "SELECT count(*) FROM timeline") timeline entries," \
    "$(sqlite3 "$OUT/web.db" "SELECT count(*) FROM observable") observables," \
    "$(sqlite3 "$OUT/web.db" "SELECT count(*) FROM sighting") sightings;" \
    "$(ls -l "$OUT/web.db" | awk '{print $5}') bytes"

rm -f "$OUT/serve.log"
./vigie serve --db "$OUT/web.db" --listen 127.0.0.1:0 2>"$OUT/serve.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT INT TERM HUP PIPE
for _ in $(seq 100); do grep -qs listening "$OUT/serve.log" && break; sleep 0.1; done
URL=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$OUT/serve.log" | head -n 1)
PASSWORD="bench-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
code=$(curl -s -o "$OUT/user.json" -w '%{http_code}' -H "Authorization: Bearer $ADMIN" \
    -H "Content-Type: application/json" \
    -d "{\"name\":\"bench\",\"role\":\"analyst\",\"password\":\"$PASSWORD\"}" "$URL/api/v1/users")
[ "$code" = 201 ] || { echo "POST /api/v1/users: $code $(cat "$OUT/user.json")" >&2; exit 1; }
# the console's session: the login form's cookie
SESSION=$(curl -s -o /dev/null -D - --data-urlencode "name=bench" \
    --data-urlencode "password=$PASSWORD" "$URL/console/login" |
    sed -n 's/^[Ss]et-[Cc]ookie: vigie_session=\([^;]*\).*/\1/p' | tr -d '\r')
[ -n "$SESSION" ] || { echo "login through /console/login failed" >&2; exit 1; }
COOKIE="Cookie: vigie_session=$SESSION"
BEARER="Authorization: Bearer $ADMIN"
REF=$(head -n 1 "$OUT/refs.txt")

# measure NAME HEADER PATH [LUA_PATH_PREFIX]: wrk on PATH (or, with a prefix, on random
# references through bench/web/refs.lua), or "missing" when the route answers 404.
measure() {
    name=$1 hdr=$2 path=$3 prefix=${4:-}
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "$hdr" "$URL$path")
    if [ "$code" = 404 ]; then
        printf '  %-34s missing (%s answers 404 on this build)\n' "$name" "$path"
        return
    fi
    if [ -n "$prefix" ]; then
        VIGIE_PATH=$prefix VIGIE_REFS="$OUT/refs.txt" wrk -t2 -c"$CONN" -d"${DUR}s" --latency \
            -H "$hdr" -s bench/web/refs.lua "$URL" > "$OUT/$name.txt"
    else
        wrk -t2 -c"$CONN" -d"${DUR}s" --latency -H "$hdr" "$URL$path" > "$OUT/$name.txt"
    fi
    awk -v n="$name" -v c="$code" '
        /Requests\/sec/ { rps = $2 } / 50% / { p50 = $2 } / 99% / { p99 = $2 }
        /Non-2xx/ { bad = " NON-2XX: " $NF }
        END { printf "  %-34s %9s pages/s  latency 50%% %-8s 99%% %-8s (status %s)%s\n",
              n, rps, p50, p99, c, bad }' "$OUT/$name.txt"
}

echo "== the dashboard, one connection (latency of one page)"
for i in 1 2 3; do
    curl -s -o /dev/null -H "$COOKIE" -w "  GET /console/: %{http_code}, %{size_download} bytes, %{time_total} s\n" "$URL/console/"
done
wrk -t1 -c1 -d"${DUR}s" --latency -H "$COOKIE" "$URL/console/" > "$OUT/dashboard-1.txt"
awk '/Requests\/sec/ { rps = $2 } / 50% / { p50 = $2 } / 99% / { p99 = $2 }
     END { printf "  one connection: %s pages/s, latency 50%% %s, 99%% %s\n", rps, p50, p99 }' \
    "$OUT/dashboard-1.txt"
curl -s -o /dev/null -H "$BEARER" -w "  GET /api/v1/stats: %{http_code}, %{time_total} s\n" "$URL/api/v1/stats"

echo "== pages and their API peers, $CONN connections"
measure dashboard "$COOKIE" /console/
measure api-stats "$BEARER" /api/v1/stats
measure queue "$COOKIE" /console/incidents
measure queue-filtered "$COOKIE" "/console/incidents?status=triage&severity=high"
measure api-incidents "$BEARER" /api/v1/incidents
measure api-incidents-filtered "$BEARER" "/api/v1/incidents?status=triage&severity=high"
measure incident-page "$COOKIE" "/console/incidents/$REF" /console/incidents/
measure api-incident "$BEARER" "/api/v1/incidents/$REF" /api/v1/incidents/
measure static "Accept: text/css" /static/vigie.css
echo "  server resident memory after: $(ps -o rss= -p $SERVER) KiB"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
