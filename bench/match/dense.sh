#!/bin/sh
# The dense-hits benchmark of `vigie match` (issue 17): 1M indicators of which 50,000 are nested
# IPv4 networks (12,500 each of /16, /20, /24, /28), events of which about half hit one
# (bench/match/gen.py --dense, in bench/out/dense/). One thread, best of RUNS runs, MB per
# CPU-second from --stats (scan_cpu_seconds: load-independent enough on a shared machine), for:
#   dense  - the dense events with all the indicators,
#   nonet  - the same events and indicators without the networks,
#   sparse - the sparse set of run.sh (bench/out/, generated if missing),
# then the added cost per hit, peak RSS per indicator on the dense and the sparse set
# (/usr/bin/time -f %M over the whole process, the indicator file's reading included; for each
# binary, the least of 3 runs), grep -F -f and the Python reference on the dense set.
# VIGIE_BEFORE=path also measures that binary, runs alternated with VIGIE_BIN's, and checks both
# outputs are byte-identical (and --threads 1/2/4 identical).
# usage: sh bench/match/dense.sh   env: VIGIE_BIN (./vigie), VIGIE_BEFORE, SIZE_MB (230), RUNS (5)
set -eu
cd "$(dirname "$0")/../.."
OUT=bench/out
D=$OUT/dense
VIGIE=${VIGIE_BIN:-./vigie}
BEFORE=${VIGIE_BEFORE:-}
RUNS=${RUNS:-5}
PY=/usr/bin/python3
mkdir -p "$D"
if [ ! -f "$D/eve.json" ] || [ ! -f "$D/iocs-nonet.txt" ] || [ ! -f "$D/expected.json" ]; then
    $PY bench/match/gen.py --dense "$D" "${SIZE_MB:-230}"
fi
if [ ! -f "$OUT/eve.json" ] || [ ! -f "$OUT/iocs.txt" ] || [ ! -f "$OUT/expected.json" ]; then
    $PY bench/match/gen.py "$OUT" "${SIZE_MB:-220}"
fi
cat "$D/eve.json" "$D/iocs.txt" "$OUT/eve.json" "$OUT/iocs.txt" > /dev/null
echo "== machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
bins="after:$VIGIE"
[ -n "$BEFORE" ] && bins="before:$BEFORE $bins"
for b in $bins; do
    for set in dense nonet sparse; do : > "$D/stats.${b%%:*}.$set"; done
done
i=0
while [ $i -lt "$RUNS" ]; do
    i=$((i + 1))
    for b in $bins; do # alternated: before and after see the same load
        name=${b%%:*} bin=${b#*:}
        "$bin" match --indicators "$D/iocs.txt" --threads 1 --stats "$D/eve.json" \
            > "$D/hits.$name" 2>> "$D/stats.$name.dense"
        "$bin" match --indicators "$D/iocs-nonet.txt" --threads 1 --stats "$D/eve.json" \
            > /dev/null 2>> "$D/stats.$name.nonet"
        "$bin" match --indicators "$OUT/iocs.txt" --threads 1 --stats "$OUT/eve.json" \
            > "$D/hits-sparse.$name" 2>> "$D/stats.$name.sparse"
    done
done
same=yes
for t in 2 4; do
    "$VIGIE" match --indicators "$D/iocs.txt" --threads $t "$D/eve.json" > "$D/hits.t$t"
    cmp -s "$D/hits.after" "$D/hits.t$t" || same=NO
done
ident=-
if [ -n "$BEFORE" ]; then
    cmp -s "$D/hits.before" "$D/hits.after" && cmp -s "$D/hits-sparse.before" "$D/hits-sparse.after" &&
        ident=yes || ident=NO
fi
# peak RSS in KiB of binary $1 scanning set $2 (its iocs.txt and eve.json), least of 3 runs
peak_rss() {
    best=
    for _ in 1 2 3; do
        k=$(/usr/bin/time -f %M "$1" match --indicators "$2/iocs.txt" --threads 1 "$2/eve.json" 2>&1 >/dev/null | tail -n 1)
        if [ -z "$best" ] || [ "$k" -lt "$best" ]; then best=$k; fi
    done
    echo "$best"
}
rss=
for b in $bins; do
    rss="$rss ${b%%:*}:$(peak_rss "${b#*:}" "$D"):$(peak_rss "${b#*:}" "$OUT")"
done
echo "== grep -F -f, Python reference (dense set)" >&2
t1=$(date +%s.%N)
grep_count=$(grep -F -c -f "$D/values.txt" "$D/eve.json" || true)
t2=$(date +%s.%N)
$PY bench/match/ref_match.py "$D/iocs.txt" "$D/eve.json" > "$D/ref.json"

$PY - "$D" "$t1" "$t2" "$grep_count" "$rss" "$same" "$ident" "$OUT" $bins <<'PYEOF'
import json, sys
d, t1, t2, grep_count, rss, same, ident, sparse_dir = sys.argv[1:9]
names = [b.split(":")[0] for b in sys.argv[9:]]
exp = json.load(open(d + "/expected.json"))
mb = exp["bytes"] / 1e6
def runs(name, s):
    return [json.loads(l) for l in open("%s/stats.%s.%s" % (d, name, s)) if l.startswith("{")]
print("data: %.0f MB, %d events, %d indicators (50,000 networks), %d expected hits" % (
    mb, exp["events"], exp["indicators"], exp["expected_hits"]))
for name in names:
    best = {s: max(runs(name, s), key=lambda r: r["mb_per_cpu_s"]) for s in ("dense", "nonet", "sparse")}
    for s in ("dense", "nonet", "sparse"):
        r = best[s]
        print("%-6s %-6s %7.1f MB per CPU-s (%.3f CPU-s), hits %d; all runs %s" % (
            name, s, r["mb_per_cpu_s"], r["scan_cpu_seconds"], r["hits"],
            [x["mb_per_cpu_s"] for x in runs(name, s)]))
    dn, nn = best["dense"], best["nonet"]
    extra = (dn["scan_cpu_seconds"] - nn["scan_cpu_seconds"]) / max(dn["hits"] - nn["hits"], 1)
    print("%-6s dense/nonet %.0f %%, added cost per hit %.3f us" % (
        name, 100 * dn["mb_per_cpu_s"] / nn["mb_per_cpu_s"], extra * 1e6))
n = exp["indicators"]
n_sparse = json.load(open(sparse_dir + "/expected.json"))["indicators"]
for item in rss.split():
    name, dense_kib, sparse_kib = item.split(":")
    print("%-6s peak RSS (whole process) dense %s KiB over %d indicators: %.1f B/indicator; "
          "sparse %s KiB over %d: %.1f B/indicator" % (
              name, dense_kib, n, int(dense_kib) * 1024 / n, sparse_kib, n_sparse,
              int(sparse_kib) * 1024 / n_sparse))
print("output --threads 1/2/4 identical: %s; before/after identical (dense and sparse): %s" % (same, ident))
ref = json.load(open(d + "/ref.json"))
gt = float(t2) - float(t1)
print("grep -F -f: %.1f s, %.1f MB/s (set-up included), %s matching lines" % (gt, mb / gt, grep_count))
print("Python reference: scan %.1f s -> %.2f MB/s; hits %d" % (ref["scan_seconds"], ref["mb_per_s"], ref["hits"]))
PYEOF
