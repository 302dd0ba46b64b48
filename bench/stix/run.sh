#!/bin/sh
# STIX 2.1 writer and reader benchmark: builds the C driver against build/release/libvigie.a
# (with jemalloc, as the release binary), runs it on N indicators (1,000,000 by default), then
# the Python peer (bench/stix/peer.py: the same objects with the stdlib's json and uuid) in the
# same run. Usage: sh bench/stix/run.sh [N]
set -eu
cd "$(dirname "$0")/../.."
N=${1:-1000000}
make -s build/release/libvigie.a
mkdir -p build/release/bench
cc -std=c17 -D_GNU_SOURCE -O2 -g -Isrc -Wall -Wextra -Werror bench/stix/bench_stix.c \
    build/release/libvigie.a $(pkg-config --libs jansson libcrypto libsodium) \
    $(pkg-config --libs jemalloc 2>/dev/null) -lm -o build/release/bench/bench_stix
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f "  %e s wall, %M KiB max RSS" build/release/bench/bench_stix "$N"
/usr/bin/time -f "  %e s wall, %M KiB max RSS" /usr/bin/python3 bench/stix/peer.py "$N"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
