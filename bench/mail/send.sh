#!/bin/sh
# Benchmark of outbound mail delivery (issue 15: 10,000 queued notifications delivered to a
# local SMTP server at >= 1,000 messages/s). Queues N messages (default 10,000) by direct SQL
# into a fresh database's outbox (the shape `vigie mail queue` writes: 2 recipients, a UTF-8
# subject with a reference, text and HTML bodies), times `vigie mail send` against
# bench/mail/sink.c (a C sink, one process per connection, that writes each Message-ID it
# receives), checks that the sink got N distinct Message-IDs and that the outbox says N sent;
# then, in the same run, the peer: bench/mail/peer.py (Python smtplib, one connection) sending
# the same N messages to the same kind of sink. Release build.
#   sh bench/mail/send.sh [N]
set -eu
cd "$(dirname "$0")/../.."
N=${1:-10000}
make -s -j2 vigie
mkdir -p build/release/bench
cc -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror bench/mail/sink.c \
    -o build/release/bench/mail_sink
T=$(mktemp -d)
PORT=$((20000 + $$ % 20000))
cleanup() { [ -n "${SINK:-}" ] && kill "$SINK" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT INT TERM

fill() { # db: N queued messages
    ./vigie init --db "$1" >/dev/null
    sqlite3 "$1" <<SQL
WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < $N)
INSERT INTO outbox(message_id, kind, object, recipients, subject, body_text, body_html,
                   next_attempt, created, updated)
SELECT printf('<bench-%06d@vigie.example>', n), 'incident', printf('VIG-2026-%06d', n),
       printf('["soc%d@org%d.example","rssi@org%d.example"]', n, n % 97, n % 97),
       printf('[VIG-2026-%06d] Incident ouvert : hameçonnage ciblant vos agents', n),
       printf('Bonjour,%sUn incident vous concernant a été ouvert par le CERT (référence '
              || 'VIG-2026-%06d, TLP:AMBER).%sNature : hameçonnage ciblé ; sévérité : haute.%s'
              || 'Suivez-le sur https://cert.example.org/incidents/VIG-2026-%06d%s'
              || 'Le CERT Vigie', char(10), n, char(10) || char(10), char(10), n,
              char(10) || char(10)),
       printf('<p>Bonjour,</p><p>Un incident vous concernant a été ouvert par le CERT '
              || '(référence <b>VIG-2026-%06d</b>, TLP:AMBER).</p><p>Nature&nbsp;: '
              || 'hameçonnage ciblé&nbsp;; sévérité&nbsp;: haute.</p><p><a href="https://'
              || 'cert.example.org/incidents/VIG-2026-%06d">Suivre l''incident</a></p>'
              || '<p>Le CERT Vigie</p>', n, n),
       '2000-01-01T00:00:00Z', '2000-01-01T00:00:00Z', '2000-01-01T00:00:00Z'
FROM i;
SQL
}

sink() { # out file: starts the sink on $PORT
    build/release/bench/mail_sink "$PORT" "$1" >"$T/sink.ready" &
    SINK=$!
    while ! grep -q ready "$T/sink.ready" 2>/dev/null; do sleep 0.05; done
}

now() { date +%s.%N; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
fill "$T/vigie.db"
cp "$T/vigie.db" "$T/peer.db"

sink "$T/vigie.ids"
t0=$(now)
VIGIE_SMTP_URL="smtp://127.0.0.1:$PORT" VIGIE_MAIL_FROM="CERT Vigie <cert@vigie.example>" \
    ./vigie mail send --db "$T/vigie.db"
t1=$(now)
kill "$SINK"; wait "$SINK" 2>/dev/null || true; SINK=
got=$(sort -u "$T/vigie.ids" | wc -l)
sent=$(sqlite3 "$T/vigie.db" "SELECT count(*) FROM outbox WHERE state = 'sent'")
echo "vigie: $N messages in $(echo "$t1 - $t0" | bc) s: $(echo "$N / ($t1 - $t0)" | bc) messages/s; sink got $got distinct Message-IDs, outbox says $sent sent"
[ "$got" -eq "$N" ] && [ "$sent" -eq "$N" ] || { echo "vigie: MISSING MESSAGES" >&2; exit 1; }

sink "$T/peer.ids"
t0=$(now)
/usr/bin/python3 bench/mail/peer.py "$T/peer.db" "$PORT" >/dev/null
t1=$(now)
kill "$SINK"; wait "$SINK" 2>/dev/null || true; SINK=
got=$(sort -u "$T/peer.ids" | wc -l)
echo "peer (python3 smtplib, one connection): $N messages in $(echo "$t1 - $t0" | bc) s: $(echo "$N / ($t1 - $t0)" | bc) messages/s; sink got $got distinct Message-IDs"
