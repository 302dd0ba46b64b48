#!/bin/sh
# Benchmark of the inbound mail reader and the observable extraction (issue 15): bench/mail/read.c
# over N messages (default 10,000), one core. Release build.
#   sh bench/mail/read.sh [N]
set -eu
cd "$(dirname "$0")/../.."
N=${1:-10000}
mkdir -p build/release/bench
make -s build/release/libvigie.a
cc -std=c17 -D_GNU_SOURCE -O2 -g -Isrc -Wall -Wextra -Werror bench/mail/read.c \
    build/release/libvigie.a $(pkg-config --libs jansson sqlite3 libsodium libmicrohttpd \
    libcrypto libcurl libidn2 libcmark-gfm gmime-3.0) -lcmark-gfm-extensions \
    $(pkg-config --libs jemalloc 2>/dev/null) -lpthread -lm -o build/release/bench/bench_mail_read
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
build/release/bench/bench_mail_read "$N"
