#!/bin/sh
# Publication benchmark (issue 13): the whole site of N generated advisories (10,000 by
# default) rendered by advisory/site.c in memory and to disk, with the Python peer in the same
# run; then a server whose database holds N published advisories (filled through the API by
# fill.py), `vigie advisory publish-site` on it, and wrk on GET /advisories/{ref} (random
# references) beside the libmicrohttpd hello ceiling. Usage: sh bench/advisory/run.sh [N]
set -eu
cd "$(dirname "$0")/../.."
N=${1:-10000}
OUT=${VIGIE_BENCH_OUT:-bench/out}/advisory
mkdir -p "$OUT" build/release/bench
make -s vigie build/release/libvigie.a
cc -std=c17 -D_GNU_SOURCE -O2 -g -Isrc -Wall -Wextra -Werror bench/advisory/bench_site.c \
    build/release/libvigie.a $(pkg-config --libs jansson libsodium libcrypto libcmark-gfm) \
    -lcmark-gfm-extensions $(pkg-config --libs jemalloc 2>/dev/null) -lpthread -lm \
    -o build/release/bench/bench_site
cc -O2 bench/api/hello.c $(pkg-config --cflags --libs libmicrohttpd) -o build/release/bench/hello
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== the renderers alone (bench/advisory/render.sh)"
sh bench/advisory/render.sh "$N" | grep -v "^machine\|^load"
echo "== site rendering"
for i in 1 2 3; do
    /usr/bin/time -f "  %U s user, %S s sys, %M KiB max RSS" build/release/bench/bench_site "$N"
    /usr/bin/time -f "  %U s user, %S s sys, %M KiB max RSS" /usr/bin/python3 bench/advisory/peer.py "$N"
done
rm -rf "$OUT/site-mem"
/usr/bin/time -f "  %e s wall, %U s user, %S s sys" build/release/bench/bench_site "$N" "$OUT/site-mem"
echo "== a database of $N published advisories"
rm -f "$OUT/adv.db" "$OUT/adv.db-wal" "$OUT/adv.db-shm"
./vigie init --db "$OUT/adv.db" >/dev/null
./vigie serve --db "$OUT/adv.db" --listen 127.0.0.1:0 --single-analyst \
    --site-url https://cert.example.org 2>"$OUT/serve.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q listening "$OUT/serve.log" && break; sleep 0.1; done
URL=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$OUT/serve.log")
TOKEN=$(./vigie token create --db "$OUT/adv.db" --user bench --role analyst)
/usr/bin/python3 bench/advisory/fill.py "$URL" "$TOKEN" "$N" "$OUT/refs.txt"
echo "== vigie advisory publish-site ($N advisories, from the database)"
rm -rf "$OUT/site"
/usr/bin/time -f "  %e s wall, %U s user, %S s sys, %M KiB max RSS" ./vigie advisory publish-site \
    --db "$OUT/adv.db" --out "$OUT/site" --site-url https://cert.example.org
echo "== GET /advisories/{ref}, 16 connections, 10 s (the first request renders the site)"
curl -s -o /dev/null -w "  first request: %{time_total} s\n" "$URL/advisories/"
sed 's/^/"/; s/$/",/' "$OUT/refs.txt" | sed '$ s/,$//' > "$OUT/refs.lua.txt"
{ echo "refs = {"; cat "$OUT/refs.lua.txt"; echo "}"; cat bench/advisory/refs.lua; } > "$OUT/get.lua"
wrk -t2 -c16 -d10s --latency -s "$OUT/get.lua" "$URL" | grep -E "Requests/sec|50%|99%|Non-2xx"
echo "  server resident memory after: $(ps -o rss= -p $SERVER) KiB"
kill $SERVER; wait $SERVER 2>/dev/null || true
build/release/bench/hello 18999 & HELLO=$!
sleep 0.3
echo "== libmicrohttpd hello ceiling, same wrk"
wrk -t2 -c16 -d10s --latency http://127.0.0.1:18999/ | grep -E "Requests/sec|50%|99%"
kill $HELLO
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
