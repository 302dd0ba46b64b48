#!/bin/sh
# Round trips to PostgreSQL per request of `vigie serve`, counted with strace (they do not
# depend on the machine's load, unlike bench/pg/serve.sh's rates): N incident creations
# (bench/api/create.lua's body: 10 observables) then N /related lookups, one at a time with
# curl, on a throwaway cluster. A round trip is one send() of libpq (a statement's
# Bind/Execute/Sync, or a simple query, goes out in one); HTTP answers are told apart by their
# first bytes. Then N creations again, C at a time (xargs -P C curl): the server's batches
# share their BEGIN, COMMIT and token lookup, so the figure depends on how many requests a
# batch gathers (printed: the COMMITs sent), hence on the machine a little.
# usage: sh bench/pg/roundtrips.sh [N [C]]   env: VIGIE_BIN (./vigie)
set -eu
. bench/pg/lib.sh
N=${1:-100}
C=${2:-16}
BIN=${VIGIE_BIN:-./vigie}
PGDIR=$(mktemp -d /tmp/vgpg.XXXXXX)
OUT=$(mktemp -d /tmp/vgrt.XXXXXX)
PID=""
cleanup() {
    # the server is strace's child: stopping it ends strace
    if [ -n "$PID" ]; then
        kill $(pgrep -P "$PID") 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
    fi
    sh scripts/pgcluster.sh stop "$PGDIR" || true
    rm -rf "$OUT"
}
trap cleanup EXIT INT TERM
base=$(sh scripts/pgcluster.sh start "$PGDIR")
psql -X -q -d "$base" -c "CREATE DATABASE rt"
DB=$(echo "$base" | sed 's|/postgres?|/rt?|')
TOKEN=$("$BIN" init --db "$DB")
: >"$OUT/serve.log"
strace -f -qq -e trace=sendto -s 200 -o "$OUT/trace" "$BIN" serve --db "$DB" --listen 127.0.0.1:0 \
    >/dev/null 2>"$OUT/serve.log" &
PID=$!
URL=$(serve_url "$OUT/serve.log")
# pg_sends: libpq's sends so far (HTTP answers start with "HTTP")
pg_sends() { grep -c 'sendto(' "$OUT/trace" | awk -v h="$(grep -c 'sendto([0-9]*, "HTTP' "$OUT/trace")" '{print $1 - h}'; }
body() {
    i=$1
    printf '{"title":"rt %d","class":"fraud","type":"phishing","severity":"low","observables":[' "$i"
    printf '{"value":"10.1.%d.%d"},{"value":"172.16.%d.1"},{"value":"2001:db8::%x"},' $((i % 200)) $((i % 250 + 1)) $((i % 50)) "$i"
    printf '{"value":"10.%d.0.0/24"},{"value":"d%d.example"},{"value":"h1.d%d.example"},' $((i % 100)) $((i % 30)) $((i % 30))
    printf '{"value":"http://h1.d%d.example/p%d"},{"value":"u%d@d%d.example"},' $((i % 30)) "$i" "$i" $((i % 30))
    printf '{"value":"%032x"},{"value":"%064x"}]}' $((i % 40)) "$i"
}
curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL/api/v1/incidents" # warm up
s0=$(pg_sends)
for i in $(seq "$N"); do
    body "$i" | curl -s -f -o /dev/null -H "Authorization: Bearer $TOKEN" \
        -H "Content-Type: application/json" --data-binary @- "$URL/api/v1/incidents"
done
s1=$(pg_sends)
y=$(date -u +%Y)
curl -s -f -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL/api/v1/incidents/VIG-$y-000001/related"
s2=$(pg_sends)
for i in $(seq "$N"); do
    curl -s -f -o /dev/null -H "Authorization: Bearer $TOKEN" \
        "$URL/api/v1/incidents/VIG-$y-$(printf %06d "$i")/related"
done
s3=$(pg_sends)
awk -v a=$((s1 - s0)) -v b=$((s3 - s2)) -v n="$N" \
    'BEGIN {printf "round trips to PostgreSQL per request (%d of each): creation %.2f, /related %.2f\n", n, a / n, b / n}'
# N creations, C at a time
mkdir "$OUT/bodies"
for i in $(seq "$N"); do body $((N + i)) >"$OUT/bodies/$i.json"; done
commits() { grep -c 'sendto(.*COMMIT' "$OUT/trace" || true; }
s4=$(pg_sends)
c4=$(commits)
ls "$OUT/bodies" | xargs -P "$C" -I{} curl -s -f -o /dev/null -H "Authorization: Bearer $TOKEN" \
    -H "Content-Type: application/json" --data-binary "@$OUT/bodies/{}" "$URL/api/v1/incidents"
s5=$(pg_sends)
c5=$(commits)
awk -v a=$((s5 - s4)) -v c=$((c5 - c4)) -v n="$N" -v k="$C" \
    'BEGIN {printf "creation, %d at a time: %.2f round trips per creation (%d batches: %.1f creations each)\n", k, a / n, c, n / c}'
