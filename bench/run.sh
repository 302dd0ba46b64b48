#!/bin/sh
# `make bench`: every benchmark under bench/, reports under bench/out/.
set -eu
cd "$(dirname "$0")/.."
sh bench/api/run.sh "${VIGIE_BENCH_INCIDENTS:-100000}" | tee bench/out/api-report.txt
