#!/bin/sh
# `make bench`: every benchmark under bench/, one after the other (each wants the machine to
# itself); reports under bench/out/. Figures go to docs/PERFORMANCE.md by hand.
set -eu
cd "$(dirname "$0")/.."
mkdir -p bench/out
echo "== api (bench/api/run.sh)"
sh bench/api/run.sh "${VIGIE_BENCH_INCIDENTS:-100000}" | tee bench/out/api-report.txt
echo "== match (bench/match/run.sh)"
sh bench/match/run.sh | tee bench/out/match-report.txt
echo "== vuln (bench/vuln/run.sh)"
sh bench/vuln/run.sh | tee bench/out/vuln-report.txt
echo "== load (bench/load/load.py)"
/usr/bin/python3 bench/load/load.py | tee bench/out/load-report.txt
echo "== share (bench/share/run.sh)"
sh bench/share/run.sh | tee bench/out/share-report.txt
echo "== advisory (bench/advisory/run.sh)"
sh bench/advisory/run.sh | tee bench/out/advisory-report.txt
echo "== web (bench/web/run.sh)"
sh bench/web/run.sh "${VIGIE_BENCH_INCIDENTS:-100000}" | tee bench/out/web-report.txt
