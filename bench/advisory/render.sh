#!/bin/sh
# Rendering benchmark of the publications (issue 13): bench_render over N generated advisories
# (default 10,000): Markdown, advisory pages, list pages, Atom and RSS feeds. Release build.
#   sh bench/advisory/render.sh [N]
set -eu
cd "$(dirname "$0")/../.."
N=${1:-10000}
mkdir -p build/release/bench
make -s build/release/libvigie.a
cc -std=c17 -D_GNU_SOURCE -O2 -g -Isrc -Wall -Wextra -Werror bench/advisory/bench_render.c \
    build/release/libvigie.a $(pkg-config --libs jansson sqlite3 libsodium libmicrohttpd \
    libcrypto libcurl libidn2 libcmark-gfm) -lcmark-gfm-extensions \
    $(pkg-config --libs jemalloc 2>/dev/null) -lpthread -lm -o build/release/bench/bench_render
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
build/release/bench/bench_render "$N"
