#!/bin/sh
# MISP format benchmark: generates an N-attribute event once (bench/out/share, git-ignored),
# builds the C driver against build/release/libvigie.a, then on one core: the reader over the
# file, the writer of N items, and the same-run peer, Python's json.load over the same file
# (time and memory).   sh bench/share/run.sh [N]   (default 1,000,000)
set -eu
cd "$(dirname "$0")/../.."
N=${1:-1000000}
OUT=bench/out/share
mkdir -p "$OUT" build/release/bench
make -s build/release/libvigie.a
cc -std=c17 -D_GNU_SOURCE -O2 -g -Isrc -Wall -Wextra -Werror bench/share/bench_misp.c \
    build/release/libvigie.a $(pkg-config --libs jansson libcrypto libsodium) -lm \
    -o build/release/bench/bench_misp
F="$OUT/misp-$N.json"
[ -f "$F" ] || /usr/bin/python3 bench/share/misp_gen.py "$N" "$F"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); file $(du -h "$F" | cut -f1)"
T='%e s wall, %U s user, %S s sys, %M KiB max RSS'
/usr/bin/time -f "  $T" build/release/bench/bench_misp read "$F"
/usr/bin/time -f "  $T" build/release/bench/bench_misp write "$N"
echo "peer: python3 json.load of the same file"
/usr/bin/time -f "  $T" /usr/bin/python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$F"
