#!/bin/sh
# The `vigie match` benchmark (issue 3). Generates the data if missing (bench/match/gen.py), then
# in one run measures on the same files:
#   - vigie match with 1 and 2 threads (best of 5; wall and CPU time from --stats),
#   - resident memory per indicator (RSS after loading 1M indicators, minus RSS with none),
#   - grep -F -f over the indicator values (set-up, i.e. pattern compilation, timed apart),
#   - the Python reference matcher bench/match/ref_match.py (IntelMQ-style),
# and prints a summary with ratios. Output files go to bench/out/ (git-ignored).
# usage: sh bench/match/run.sh     env: VIGIE_BIN (default ./vigie), SIZE_MB (default 220)
# With VIGIE_BEFORE=path, first a same-run A/B of the scan alone (issue 17): RUNS (5) runs of
# that binary alternated with VIGIE_BIN's, one thread, on the sparse set and on the dense one
# (bench/match/dense.sh's data, if generated): best and median MB per CPU-second, and whether
# the outputs are byte-identical; AB_ONLY=1 stops there.
set -eu
cd "$(dirname "$0")/../.."
OUT=bench/out
VIGIE=${VIGIE_BIN:-./vigie}
PY=/usr/bin/python3
mkdir -p "$OUT"
if [ ! -f "$OUT/eve.json" ] || [ ! -f "$OUT/iocs.txt" ] || [ ! -f "$OUT/values.txt" ] ||
    [ ! -f "$OUT/expected.json" ]; then
    $PY bench/match/gen.py "$OUT" "${SIZE_MB:-220}"
fi
cat "$OUT/eve.json" "$OUT/iocs.txt" > /dev/null # page cache warm for everyone
: > "$OUT/empty.txt"

echo "== machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
if [ -n "${VIGIE_BEFORE:-}" ]; then
    sets="sparse:$OUT"
    [ -f "$OUT/dense/eve.json" ] && [ -f "$OUT/dense/iocs.txt" ] && sets="$sets dense:$OUT/dense"
    for set in $sets; do
        dir=${set#*:}
        for b in before after; do : > "$OUT/ab-stats.$b"; done
        i=0
        while [ $i -lt "${RUNS:-5}" ]; do
            i=$((i + 1))
            for b in before:$VIGIE_BEFORE after:$VIGIE; do
                "${b#*:}" match --indicators "$dir/iocs.txt" --threads 1 --stats "$dir/eve.json" \
                    > "$OUT/ab-hits.${b%%:*}" 2>> "$OUT/ab-stats.${b%%:*}"
            done
        done
        cmp -s "$OUT/ab-hits.before" "$OUT/ab-hits.after" && ident=identical || ident=DIFFERENT
        $PY - "$OUT" "${set%%:*}" "$ident" <<'PYEOF'
import json, sys
out, name, ident = sys.argv[1:]
for b in ("before", "after"):
    r = sorted(json.loads(l)["mb_per_cpu_s"] for l in open("%s/ab-stats.%s" % (out, b)) if l.startswith("{"))
    print("%-6s %-6s best %6.1f median %6.1f MB per CPU-second; runs %s" % (name, b, r[-1], r[len(r) // 2], r))
print("%-6s outputs %s" % (name, ident))
PYEOF
    done
    [ "${AB_ONLY:-0}" = 1 ] && exit 0
fi
for t in 1 2; do
    : > "$OUT/vigie-stats.$t"
    for i in 1 2 3 4 5; do
        "$VIGIE" match --indicators "$OUT/iocs.txt" --threads "$t" --stats "$OUT/eve.json" \
            > "$OUT/hits.$t" 2>> "$OUT/vigie-stats.$t"
    done
done
cmp -s "$OUT/hits.1" "$OUT/hits.2" && same=yes || same=NO
"$VIGIE" match --indicators "$OUT/iocs.txt" --stats "$OUT/empty.txt" 2> "$OUT/vigie-load" >/dev/null
# RSS with the index vs. with an empty one (peak includes the mapped indicator file while loading)
rss_full=$(/usr/bin/time -f %M "$VIGIE" match --indicators "$OUT/iocs.txt" "$OUT/empty.txt" 2>&1 >/dev/null | tail -n 1)
rss_none=$(/usr/bin/time -f %M "$VIGIE" match --indicators "$OUT/empty.txt" "$OUT/empty.txt" 2>&1 >/dev/null | tail -n 1)

echo "== grep -F -f (1M fixed strings)" >&2
t0=$(date +%s.%N)
grep -F -c -f "$OUT/values.txt" /dev/null > /dev/null || true
t1=$(date +%s.%N)
grep_count=$(grep -F -c -f "$OUT/values.txt" "$OUT/eve.json" || true)
t2=$(date +%s.%N)

echo "== Python reference matcher" >&2
$PY bench/match/ref_match.py "$OUT/iocs.txt" "$OUT/eve.json" > "$OUT/ref.json"

$PY - "$OUT" "$t0" "$t1" "$t2" "$grep_count" "$rss_full" "$rss_none" "$same" <<'PYEOF'
import json, sys
out, t0, t1, t2, grep_count, rss_full, rss_none, same = sys.argv[1:]
t0, t1, t2 = float(t0), float(t1), float(t2)
exp = json.load(open(out + "/expected.json"))
def best(t):
    runs = [json.loads(l) for l in open("%s/vigie-stats.%d" % (out, t)) if l.startswith("{")]
    return min(runs, key=lambda r: r["scan_seconds"]), runs
v1, r1 = best(1)
v2, r2 = best(2)
load = json.loads([l for l in open(out + "/vigie-load") if l.startswith("{")][-1])
loads = [load] + r1 + r2  # every run loads the same indicators: report the best and the median
load_best = min(r["load_seconds"] for r in loads)
load_cpu = sorted(r["load_cpu_seconds"] for r in loads)[len(loads) // 2]
ref = json.load(open(out + "/ref.json"))
mb = exp["bytes"] / 1e6
grep_setup, grep_total = t1 - t0, t2 - t1
grep_scan = max(grep_total - grep_setup, 1e-9)
n = load["indicators"]
rows = [
    ("data", "%.0f MB, %d events, %d indicators, %d planted hits" % (mb, exp["events"], n, exp["expected_hits"])),
    ("vigie load 1M indicators", "best %.3f s wall of %d runs, median %.3f CPU-s; index %.1f B/indicator; RSS after load +%.1f B/indicator" % (
        load_best, len(loads), load_cpu, load["bytes_per_indicator"], load["load_rss_kib"] * 1024 / n)),
    ("vigie peak RSS", "%s KiB with 1M indicators, %s KiB with none -> %.1f B/indicator" % (
        rss_full, rss_none, (int(rss_full) - int(rss_none)) * 1024 / n)),
    ("vigie 1 thread", "%.1f MB/s wall (%.3f s), %.1f MB per CPU-second; runs: %s" % (
        v1["mb_per_s"], v1["scan_seconds"], v1["mb_per_cpu_s"], [r["mb_per_s"] for r in r1])),
    ("vigie 2 threads", "%.1f MB/s wall (%.3f s); runs: %s; scaling x%.2f" % (
        v2["mb_per_s"], v2["scan_seconds"], [r["mb_per_s"] for r in r2], v2["mb_per_s"] / v1["mb_per_s"])),
    ("vigie hits", "%d (expected %d; 1 vs 2 threads identical: %s)" % (v1["hits"], exp["expected_hits"], same)),
    ("grep -F -f", "%.1f s total = %.1f s pattern set-up + %.1f s scan -> %.1f MB/s overall, %.1f MB/s scan only; %s matching lines" % (
        grep_total, grep_setup, grep_total - grep_setup, mb / grep_total, mb / grep_scan, grep_count)),
    ("Python reference", "load %.1f s, scan %.1f s -> %.2f MB/s; hits %d" % (
        ref["load_seconds"], ref["scan_seconds"], ref["mb_per_s"], ref["hits"])),
    ("ratios (1 thread)", "vigie/grep overall x%.0f, vigie/Python scan x%.0f, load vigie/Python x%.1f" % (
        v1["mb_per_s"] / (mb / grep_total), v1["mb_per_s"] / ref["mb_per_s"], ref["load_seconds"] / load["load_seconds"])),
]
for k, v in rows:
    print("%-26s %s" % (k, v))
PYEOF

echo "== dense hits (bench/match/dense.sh)" >&2
sh bench/match/dense.sh
