#!/bin/sh
# Sharing benchmark (issue 12): a generated MISP event of N attributes (default 1,000,000;
# bench/out/share, git-ignored) imported by `vigie share import` into a new database (time and
# peak RSS) and again (all unchanged), by VIGIE_PEER too when set (another vigie binary: the
# same-run peer), the MISP reader alone on it (bench_share --read), then every indicator of that
# database exported as MISP and as STIX 2.1 (bench/share/export.sh). Then the MISP
# format's own benchmark (bench_misp: reader, writer, Python's json.load as a peer).
#   sh bench/share/run.sh [N]
set -eu
cd "$(dirname "$0")/../.."
N=${1:-1000000}
OUT=${VIGIE_BENCH_OUT:-bench/out/share}
mkdir -p "$OUT" build/release/bench
make -s vigie build/release/libvigie.a
cc -std=c17 -D_GNU_SOURCE -O2 -g -Isrc -Wall -Wextra -Werror bench/share/bench_share.c \
    build/release/libvigie.a $(pkg-config --libs jansson sqlite3 libsodium libmicrohttpd \
    libcrypto libcurl libidn2) $(pkg-config --libs jemalloc 2>/dev/null) -lpthread -lm \
    -o build/release/bench/bench_share
EV="$OUT/event-$N.json"
if [ ! -f "$EV" ]; then
    echo "generating $EV ..." >&2
    /usr/bin/python3 bench/share/gen.py "$EV" "$N"
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "event: $N attributes, $(stat -c %s "$EV") bytes"
DB="$OUT/share.db"
rm -f "$DB" "$DB-wal" "$DB-shm"
./vigie init --db "$DB" >/dev/null
T='%e s wall, %U s user, %S s sys, %M KiB max RSS'
echo "--- vigie share import (new database) ---"
/usr/bin/time -f "$T" ./vigie share import --db "$DB" "$EV"
echo "--- the same again (all unchanged) ---"
/usr/bin/time -f "$T" ./vigie share import --db "$DB" "$EV"
# the peer: the same two imports by another vigie binary (VIGIE_PEER, e.g. one built from the
# commit before a change, in its own worktree), measured in the same run
if [ -n "${VIGIE_PEER:-}" ]; then
    PDB="$OUT/share-peer.db"
    rm -f "$PDB" "$PDB-wal" "$PDB-shm"
    "$VIGIE_PEER" init --db "$PDB" >/dev/null
    echo "--- peer $VIGIE_PEER: share import (new database), then again ---"
    /usr/bin/time -f "$T" "$VIGIE_PEER" share import --db "$PDB" "$EV"
    /usr/bin/time -f "$T" "$VIGIE_PEER" share import --db "$PDB" "$EV"
    rm -f "$PDB" "$PDB-wal" "$PDB-shm"
fi
echo "--- the MISP reader alone ---"
/usr/bin/time -f "$T" build/release/bench/bench_share --read "$EV"
echo "--- exports of every indicator (bench/share/export.sh; VIGIE_BASE: the old path beside) ---"
sh bench/share/export.sh "$DB"
echo "published PyMISP/MISP rate (MISP issue #3700): about 10,000 attributes in 5 minutes (~33/s)"
echo "--- the MISP format alone (bench_misp) ---"
cc -std=c17 -D_GNU_SOURCE -O2 -g -Isrc -Wall -Wextra -Werror bench/share/bench_misp.c \
    build/release/libvigie.a $(pkg-config --libs jansson libcrypto libsodium) -lm \
    -o build/release/bench/bench_misp
F="$OUT/misp-$N.json"
[ -f "$F" ] || /usr/bin/python3 bench/share/misp_gen.py "$N" "$F"
/usr/bin/time -f "  $T" build/release/bench/bench_misp read "$F"
/usr/bin/time -f "  $T" build/release/bench/bench_misp write "$N"
echo "peer: python3 json.load of the same file"
/usr/bin/time -f "  $T" /usr/bin/python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$F"
