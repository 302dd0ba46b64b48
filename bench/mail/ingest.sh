#!/bin/sh
# Benchmark of inbound mail (issue 15): N generated messages (default 10,000, ten shapes:
# bench/mail/gen_inbound.py) in a Maildir, ingested by `vigie mail ingest --maildir` (release
# build) into a database holding one constituent (the domain and the addresses the messages
# name). Peer in the same run: /usr/bin/python3's email parser (email.message_from_bytes with
# the default policy, and get_body()'s text) over the same files, parse only, no storage.
#   sh bench/mail/ingest.sh [N]
set -eu
cd "$(dirname "$0")/../.."
N=${1:-10000}
PY=/usr/bin/python3
OUT=${VIGIE_BENCH_DATA:-bench/out/mail-ingest}
rm -rf "$OUT"
mkdir -p "$OUT"
make -s vigie
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
$PY bench/mail/gen_inbound.py "$OUT/Maildir" "$N"
echo "data: $N messages, $(du -sk "$OUT/Maildir/new" | cut -f1) KB in $OUT/Maildir/new"
cp -r "$OUT/Maildir" "$OUT/Maildir.peer"

# one constituent, made through the API of a short-lived server
DB="$OUT/vigie.db"
TOKEN=$(./vigie init --db "$DB")
./vigie serve --db "$DB" --listen 127.0.0.1:0 2>"$OUT/serve.log" &
SRV=$!
i=0
until URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$OUT/serve.log" 2>/dev/null | head -1) &&
    [ -n "$URL" ]; do
    i=$((i + 1)); [ $i -lt 500 ] || { echo "server did not start" >&2; kill $SRV; exit 1; }
    sleep 0.02
done
curl -sf -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d '{"name":"Ministère","kind":"ministry","sector":"government","assets":{"domains":
        ["ministere.example"],"cidrs":["192.0.2.0/24"],"products":[]}}' "$URL/api/v1/orgs" \
    >/dev/null
kill $SRV
wait $SRV 2>/dev/null || true

/usr/bin/time -f "%e %U %S" -o "$OUT/ingest.time" \
    ./vigie mail ingest --db "$DB" --maildir "$OUT/Maildir" >"$OUT/ingest.ndjson" 2>"$OUT/ingest.err"
cat "$OUT/ingest.err"
read -r wall user sys <"$OUT/ingest.time"
left=$(ls "$OUT/Maildir/new" | wc -l)
echo "vigie mail ingest --maildir: $N messages in $wall s wall ($(echo "$N / $wall" | bc)" \
    "messages/s), CPU $user s user + $sys s system ($(echo "$N / ($user + $sys)" | bc)" \
    "messages per CPU second); left in new/: $left"
echo "database: $(du -k "$DB" | cut -f1) KB"

t0=$(date +%s.%N)
$PY - "$OUT/Maildir.peer/new" <<'PYEOF'
import email, email.policy, os, sys
d = sys.argv[1]
n = 0
for name in sorted(os.listdir(d)):
    with open(os.path.join(d, name), "rb") as f:
        m = email.message_from_bytes(f.read(), policy=email.policy.default)
    try:
        b = m.get_body(("plain", "html"))
        if b is not None:
            b.get_content()
    except Exception:
        pass
    n += 1
print(f"python email parsed {n}", file=sys.stderr)
PYEOF
t1=$(date +%s.%N)
echo "peer: /usr/bin/python3 email parser (parse and body text only): $N messages in" \
    "$(echo "$t1 - $t0" | bc) s, $(echo "$N / ($t1 - $t0)" | bc) messages/s"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
