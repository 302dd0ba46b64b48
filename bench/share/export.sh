#!/bin/sh
# Export benchmark (issue 12): every indicator of database DB (bench/share/run.sh's, or any)
# exported as MISP and as STIX 2.1, with the old path beside it in the same run when
# VIGIE_BASE names a build of the old code (a worktree where `make -s` ran; its
# bench_share built as below). Sightings are added first (1 in 10 indicators seen once, 1 in
# 50 once more with TLP RED, which an AMBER partner does not get) unless the database has
# some. Each export is its own process: CPU (user + sys) and peak RSS by /usr/bin/time.
#   sh bench/share/export.sh DB
set -eu
cd "$(dirname "$0")/../.."
DB=$1
T='%e s wall, %U s user, %S s sys, %M KiB max RSS'
LIBS="$(pkg-config --libs jansson sqlite3 libsodium libmicrohttpd libcrypto libcurl libidn2) \
$(pkg-config --libs jemalloc 2>/dev/null) -lpthread -lm"
mkdir -p build/release/bench
make -s vigie build/release/libvigie.a
# shellcheck disable=SC2086
cc -std=c17 -D_GNU_SOURCE -O2 -g -Isrc -Wall -Wextra -Werror bench/share/bench_share.c \
    build/release/libvigie.a $LIBS -o build/release/bench/bench_share
if [ -n "${VIGIE_BASE:-}" ]; then
    # shellcheck disable=SC2086
    (cd "$VIGIE_BASE" && mkdir -p build/release/bench && cc -std=c17 -D_GNU_SOURCE -O2 -g -Isrc \
        bench/share/bench_share.c build/release/libvigie.a $LIBS \
        -o build/release/bench/bench_share)
fi
/usr/bin/python3 - "$DB" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
if db.execute("SELECT count(*) FROM sighting").fetchone()[0] == 0:
    for mod, seen, tlp in ((10, "2026-12-01T10:00:00Z", None), (50, "2026-12-02T10:00:00Z", "RED")):
        db.execute("INSERT INTO sighting(indicator_id, org_id, seen, value, field, source, created,"
                   " tlp) SELECT id, NULL, ?, value, 'dns.rrname', 'eve.json:1', ?, ? FROM indicator"
                   " WHERE id % ? = 0", (seen, seen, tlp, mod))
    db.commit()
n, s = (db.execute(q).fetchone()[0] for q in ("SELECT count(*) FROM indicator",
                                               "SELECT count(*) FROM sighting"))
print(f"database: {n} indicators, {s} sightings")
PY
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
OUT=$(dirname "$DB")
for fmt in misp stix; do
    echo "--- $fmt for an AMBER partner, into one buffer (as the API answers) ---"
    /usr/bin/time -f "  $T" build/release/bench/bench_share "$DB" $fmt
    MALLOC_CONF=thp:always /usr/bin/time -f "  $T (THP)" build/release/bench/bench_share "$DB" $fmt
    if [ -n "${VIGIE_BASE:-}" ]; then
        echo "  old path (document, then writer):"
        /usr/bin/time -f "  $T" "$VIGIE_BASE/build/release/bench/bench_share" "$DB" $fmt
    fi
    echo "--- vigie share export --format $fmt (every indicator, to a file as it is written) ---"
    /usr/bin/time -f "  $T" ./vigie share export --db "$DB" --format $fmt --indicators "" \
        >"$OUT/export.$fmt"
    echo "  $(stat -c %s "$OUT/export.$fmt") bytes"
    if [ -n "${VIGIE_BASE:-}" ]; then
        echo "  old path:"
        /usr/bin/time -f "  $T" "$VIGIE_BASE/vigie" share export --db "$DB" --format $fmt \
            --indicators "" >"$OUT/export-old.$fmt"
        echo "  $(stat -c %s "$OUT/export-old.$fmt") bytes"
    fi
    rm -f "$OUT/export.$fmt" "$OUT/export-old.$fmt"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
