#!/bin/sh
# Vulnerability matcher benchmark: generates the NVD-sized set once (bench/out/vuln, git-
# ignored), builds the C driver against build/release/libvigie.a and runs it.
#   sh bench/vuln/run.sh [--cves N --assets N ...]   (arguments go to gen.py)
# Then the database part: `vigie vuln import` of the whole set into SQLite, the inventory
# loaded as organisations (load_orgs.c, through the store API), `vigie vuln match` (full
# re-match, findings stored; again, printed; again with --quiet), one new CVE imported and
# matched incrementally, then a full re-match that finds nothing to rewrite.
# VIGIE_BENCH_PART=memory or =db runs one part only.
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
PART=${VIGIE_BENCH_PART:-all}
if [ "$PART" != db ]; then
    /usr/bin/time -v build/release/bench/bench_vuln "$OUT" 2>build/release/bench/time.txt
    grep -E 'Maximum resident|Elapsed' build/release/bench/time.txt
fi
[ "$PART" = memory ] && exit 0

echo "--- database (SQLite) ---"
make -s vigie
cc -std=c17 -D_GNU_SOURCE -O2 -g -Isrc -Wall -Wextra -Werror bench/vuln/load_orgs.c \
    build/release/libvigie.a $(pkg-config --libs jansson sqlite3 libsodium libmicrohttpd) \
    -lpthread -lm -o build/release/bench/load_orgs
DB=build/release/bench/vuln.db
rm -f "$DB" "$DB-wal" "$DB-shm"
./vigie init --db "$DB" >/dev/null
T='%e s wall, %U s user, %S s sys, %M KiB max RSS'
echo "import of the whole set (no organisations yet):"
/usr/bin/time -f "  $T" ./vigie vuln import --db "$DB" "$OUT/nvd" "$OUT/kev.json" "$OUT/epss.csv"
echo "re-import (idempotent):"
/usr/bin/time -f "  $T" ./vigie vuln import --db "$DB" "$OUT/nvd"
build/release/bench/load_orgs "$DB" "$OUT/inventory.tsv"
echo "full re-match (every stored CVE x every organisation's products, findings stored):"
/usr/bin/time -f "  $T" ./vigie vuln match --db "$DB" >build/release/bench/findings.ndjson
echo "  $(wc -l <build/release/bench/findings.ndjson) NDJSON lines"
echo "second full re-match (findings already stored, all printed to /dev/null):"
/usr/bin/time -f "  $T" ./vigie vuln match --db "$DB" >/dev/null
echo "full re-match without printing (--quiet), three times (nothing changed: fingerprints equal):"
for _ in 1 2 3; do /usr/bin/time -f "  $T" ./vigie vuln match --quiet --db "$DB"; done
echo "one new CVE (a copy, under a new id, of the page-1 CVE whose products the inventory holds most):"
/usr/bin/python3 - "$OUT" build/release/bench/new-cve.json "${VIGIE_BENCH_CVE_ID:-CVE-2026-999999}" <<'PY'
import collections, json, sys
held = collections.Counter()
for line in open(sys.argv[1] + "/inventory.tsv"):
    f = line.rstrip("\n").split("\t")[1].split(":")
    held[(f[3], f[4])] += 1
page = json.load(open(sys.argv[1] + "/nvd/page-0001.json"))
def score(v):
    names = {(m["criteria"].split(":")[3], m["criteria"].split(":")[4])
             for c in v["cve"].get("configurations", []) for n in c["nodes"] for m in n["cpeMatch"]}
    return sum(held[x] for x in names)
best = max(page["vulnerabilities"], key=score)
print("  %s: its products are held %d times in the inventory" % (best["cve"]["id"], score(best)))
best["cve"]["id"] = sys.argv[3]
best["cve"]["lastModified"] = "2026-11-29T00:00:00.000"
page["vulnerabilities"] = [best]
page["resultsPerPage"] = page["totalResults"] = 1
json.dump(page, open(sys.argv[2], "w"))
PY
/usr/bin/time -f "  $T" ./vigie vuln import --db "$DB" build/release/bench/new-cve.json
echo "full re-match after it (the incremental path kept the fingerprints: nothing to rewrite):"
/usr/bin/time -f "  $T" ./vigie vuln match --quiet --db "$DB"
echo "database: $(du -h "$DB" | cut -f1)"
echo "API on that database (one organisation's findings, one CVE, a PATCH adding a product):"
/usr/bin/python3 bench/vuln/api.py ./vigie "$DB"
