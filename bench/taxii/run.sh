#!/bin/sh
# TAXII benchmark: GET objects pages of 1,000 from a collection of N objects (default
# 1,000,000), through the server, beside the same page query run by the sqlite3 command-line
# tool on the same file in the same run. The collection is created through the API; its
# objects are written straight into the database by bench.py (a POST of a million objects
# would measure the import, not the page).
# usage: bench/taxii/run.sh [OBJECTS]   (needs sqlite3 and /usr/bin/python3 with requests)
# Prints a report on stdout; the figures in docs/PERFORMANCE.md come from it.
set -eu
cd "$(dirname "$0")/../.."
N=${1:-1000000}
OUT=bench/out/taxii
mkdir -p "$OUT"
rm -f "$OUT"/vigie.db*
port_of() { sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$1" | head -n 1; }
TOKEN=$(./vigie init --db "$OUT/vigie.db")
start_server() {
    ./vigie serve --db "$OUT/vigie.db" --listen 127.0.0.1:0 2>"$OUT/serve.log" & SPID=$!
    for _ in $(seq 100); do [ -n "$(port_of "$OUT/serve.log")" ] && break; sleep 0.1; done
    PORT=$(port_of "$OUT/serve.log")
}
start_server
trap 'kill $SPID 2>/dev/null || true' EXIT
echo "machine: $(nproc) cores, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 bench/taxii/bench.py --url "http://127.0.0.1:$PORT" --token "$TOKEN" \
    --db "$OUT/vigie.db" --objects "$N" --phase fill
kill "$SPID"; wait "$SPID" 2>/dev/null || true
start_server # a server started on the filled file, as after a restart
/usr/bin/python3 bench/taxii/bench.py --url "http://127.0.0.1:$PORT" --token "$TOKEN" \
    --db "$OUT/vigie.db" --objects "$N" --phase measure
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
