#!/bin/sh
# Same-run comparison of this tree's release binary with another revision's, on the data of
# bench/match and bench/vuln: each measurement alternates the two binaries (A B A B ...), so
# that load on the machine falls on both alike. Use it before landing a change that may cost
# speed; the full benchmarks (make bench) stay the reference for docs/PERFORMANCE.md.
#   sh bench/compare.sh [REV]        REV defaults to HEAD~1
# env: VIGIE_COMPARE_RUNS (default 3 per binary), VIGIE_COMPARE_PARTS (default "match vuln api"),
#      VIGIE_BENCH_DATA (default bench/out/compare: generated data, git-ignored).
set -eu
cd "$(dirname "$0")/.."
REV=${1:-HEAD~1}
RUNS=${VIGIE_COMPARE_RUNS:-3}
PARTS=${VIGIE_COMPARE_PARTS:-match vuln api}
DATA=${VIGIE_BENCH_DATA:-bench/out/compare}
PY=/usr/bin/python3
mkdir -p "$DATA"
DATA=$(cd "$DATA" && pwd)
WORK=$(mktemp -d)
trap 'git worktree remove --force "$WORK/base" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

echo "== building $(git rev-parse --short "$REV") (A) and the working tree (B)" >&2
git worktree add -q --detach "$WORK/base" "$REV"
make -s -C "$WORK/base" vigie >/dev/null
make -s vigie >/dev/null
A="$WORK/base/vigie"
B="$PWD/vigie"
echo "A = $(git rev-parse --short "$REV") $(git log -1 --format=%s "$REV" | cut -c1-60)"
echo "B = working tree on $(git rev-parse --short HEAD)"
echo "machine: $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg); $RUNS runs each"

# Prints "best median" of the numbers on stdin (best: the lowest, or the highest when ORDER=-r).
ORDER=
stats() { sort -g $ORDER | awk '{v[NR]=$1} END {printf "best %s, median %s", v[1], v[int((NR+1)/2)]}'; }
# Runs "cmd A" and "cmd B" alternately RUNS times; each prints one number (seconds).
ab() { # name cmd
    name=$1; shift
    : >"$WORK/a"; : >"$WORK/b"
    i=0
    while [ $i -lt "$RUNS" ]; do
        "$@" "$A" >>"$WORK/a"
        "$@" "$B" >>"$WORK/b"
        i=$((i + 1))
    done
    echo "$name: A $(stats <"$WORK/a") | B $(stats <"$WORK/b")"
}
elapsed() { # cmd... -> wall seconds of cmd on stdout, its output discarded
    /usr/bin/time -f %e -o "$WORK/t" "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
    cat "$WORK/t"
}

for part in $PARTS; do
case $part in
match)
    [ -f "$DATA/match/eve.json" ] || $PY bench/match/gen.py "$DATA/match" 220 >&2
    cat "$DATA/match/eve.json" "$DATA/match/iocs.txt" >/dev/null
    scan() { # bin -> seconds of the scan, one thread
        "$1" match --indicators "$DATA/match/iocs.txt" --threads 1 --stats "$DATA/match/eve.json" \
            2>&1 >/dev/null | sed -n 's/.*"scan_seconds": *\([0-9.]*\).*/\1/p' | tail -n 1
    }
    ab "match, 1 thread, scan of $(du -m "$DATA/match/eve.json" | cut -f1) MB (s)" scan
    ;;
vuln)
    [ -f "$DATA/vuln/inventory.tsv" ] || $PY bench/vuln/gen.py "$DATA/vuln" >&2
    # Organisations are loaded once, by A's own loader, into a database both then copy.
    cc -std=c17 -D_GNU_SOURCE -O2 -I"$WORK/base/src" "$WORK/base/bench/vuln/load_orgs.c" \
        "$WORK/base/build/release/libvigie.a" \
        $(pkg-config --libs jansson sqlite3 libsodium libmicrohttpd) -lpthread -lm \
        -o "$WORK/load_orgs"
    import() { # bin -> seconds of a whole import into a new database
        rm -f "$WORK/imp.db"*
        "$1" init --db "$WORK/imp.db" >/dev/null
        elapsed "$1" vuln import --db "$WORK/imp.db" "$DATA/vuln/nvd" "$DATA/vuln/kev.json" \
            "$DATA/vuln/epss.csv"
    }
    ab "vuln import of the whole set (s)" import
    "$A" init --db "$WORK/orgs.db" >/dev/null
    "$A" vuln import --db "$WORK/orgs.db" "$DATA/vuln/nvd" "$DATA/vuln/kev.json" \
        "$DATA/vuln/epss.csv" >/dev/null 2>&1
    "$WORK/load_orgs" "$WORK/orgs.db" "$DATA/vuln/inventory.tsv" >/dev/null
    for v in A B; do
        cp "$WORK/orgs.db" "$WORK/match-$v.db"
        eval "bin=\$$v"
        "$bin" vuln match --quiet --db "$WORK/match-$v.db" >/dev/null 2>&1 # first: stores
    done
    rematch() { # bin -> seconds of a full re-match that finds nothing to rewrite
        if [ "$1" = "$A" ]; then db="$WORK/match-A.db"; else db="$WORK/match-B.db"; fi
        elapsed "$1" vuln match --quiet --db "$db"
    }
    ab "vuln match --quiet, full re-match, nothing changed (s)" rematch
    printed() {
        if [ "$1" = "$A" ]; then db="$WORK/match-A.db"; else db="$WORK/match-B.db"; fi
        elapsed "$1" vuln match --db "$db"
    }
    ab "vuln match, all findings printed (s)" printed
    ;;
api)
    command -v wrk >/dev/null || { echo "api: wrk missing (sh scripts/deps.sh --bench)" >&2; continue; }
    N=${VIGIE_COMPARE_INCIDENTS:-50000}
    port_of() { sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$1" | head -n 1; }
    serve() { # bin db -> sets SPID, URL
        "$1" serve --db "$2" --listen 127.0.0.1:0 2>"$WORK/serve.log" &
        SPID=$!
        for _ in $(seq 100); do [ -n "$(port_of "$WORK/serve.log")" ] && break; sleep 0.1; done
        URL=http://127.0.0.1:$(port_of "$WORK/serve.log")
    }
    TOKEN=$("$A" init --db "$WORK/api.db")
    export VIGIE_TOKEN="$TOKEN"
    serve "$A" "$WORK/api.db"
    while [ "$(sqlite3 "$WORK/api.db" 'SELECT count(*) FROM incident')" -lt "$N" ]; do
        wrk -t1 -c16 -d5s -s bench/api/create.lua "$URL" >/dev/null
    done
    kill "$SPID"; wait "$SPID" 2>/dev/null || true
    have=$(sqlite3 "$WORK/api.db" 'SELECT count(*) FROM incident')
    export VIGIE_REF_PREFIX="VIG-$(date -u +%Y)-" VIGIE_INCIDENTS="$have"
    for v in A B; do cp "$WORK/api.db" "$WORK/api-$v.db"; done
    rps() { # bin script -> requests per second, 16 connections, 5 s
        if [ "$1" = "$A" ]; then db="$WORK/api-A.db"; else db="$WORK/api-B.db"; fi
        serve "$1" "$db"
        curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" \
            "$URL/api/v1/incidents/${VIGIE_REF_PREFIX}000001/related"
        wrk -t1 -c16 -d5s -s "$2" "$URL" | sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p'
        kill "$SPID"; wait "$SPID" 2>/dev/null || true
    }
    create() { rps "$1" bench/api/create.lua; }
    related() { rps "$1" bench/api/related.lua; }
    ORDER=-r
    ab "POST /api/v1/incidents with $have loaded (req/s, higher is better)" create
    ab "GET /related with $have loaded (req/s, higher is better)" related
    ORDER=
    ;;
*) echo "unknown part: $part" >&2; exit 2 ;;
esac
done
