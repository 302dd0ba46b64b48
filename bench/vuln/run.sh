#!/bin/sh
# Vulnerability matcher benchmark: generates the NVD-sized set once (bench/out/vuln, git-
# ignored), builds the C driver against build/release/libvigie.a and runs it.
#   sh bench/vuln/run.sh [--cves N --assets N ...]   (arguments go to gen.py)
set -eu
cd "$(dirname "$0")/../.."
OUT=${VIGIE_BENCH_OUT:-bench/out/vuln}
make -s build/release/libvigie.a
mkdir -p build/release/bench
cc -std=c17 -D_GNU_SOURCE -O2 -g -Isrc -Wall -Wextra -Werror bench/vuln/bench_vuln.c \
    build/release/libvigie.a $(pkg-config --libs jansson) -lm -o build/release/bench/bench_vuln
if [ ! -f "$OUT/inventory.tsv" ] || [ $# -gt 0 ]; then
    echo "generating $OUT ..." >&2
    start=$(date +%s)
    /usr/bin/python3 bench/vuln/gen.py "$@" "$OUT"
    echo "generated in $(( $(date +%s) - start )) s; $(du -sh "$OUT" | cut -f1) on disk" >&2
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -v build/release/bench/bench_vuln "$OUT" 2>build/release/bench/time.txt
grep -E 'Maximum resident|Elapsed' build/release/bench/time.txt
