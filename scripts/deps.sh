#!/bin/sh
# Installs the Debian packages vigie needs to build, test and benchmark, when they are missing.
# As root it runs apt-get; otherwise it prints the exact command to run.
set -eu

PKGS="build-essential pkg-config clang libclang-rt-14-dev
libmicrohttpd-dev libjansson-dev libsqlite3-dev libsodium-dev libcmocka-dev libcurl4-openssl-dev
libjemalloc-dev libcmark-gfm-dev libcmark-gfm-extensions-dev libxml2-utils
libidn2-dev libssl-dev libgmime-3.0-dev
python3 python3-pytest python3-pytest-timeout python3-requests python3-jsonschema sqlite3 curl clang-format-14
gcovr chromium chromium-driver python3-selenium python3-html5lib python3-aiosmtpd openssl
postgresql-15 libpq-dev python3-psycopg2"

[ "${1:-}" = "--bench" ] && PKGS="$PKGS wrk time linux-perf"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
# The throwaway PostgreSQL clusters of the tests (scripts/pgcluster.sh) run as this
# unprivileged user: the server refuses to run as root, and CI runs as root.
pg_user() {
    if [ "$(id -u)" -eq 0 ] && ! id vigiepg >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin vigiepg
    fi
}

if [ -z "$missing" ]; then
    pg_user
    exit 0
fi

echo "deps: missing packages:$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
    echo "deps: run as root: apt-get update && apt-get install -y --no-install-recommends$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2
pg_user
