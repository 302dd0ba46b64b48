#!/bin/sh
# A throwaway PostgreSQL 15 cluster for the tests (issue 16): Debian's postgresql-15 binaries,
# data and Unix socket in DIR, no TCP port, run as the unprivileged user vigiepg when root
# (scripts/deps.sh creates it; the server refuses to run as root).
#   sh scripts/pgcluster.sh start DIR   initdb + start; prints the connection URI of the
#                                       database "postgres" (postgresql:///postgres?host=DIR)
#   sh scripts/pgcluster.sh stop DIR    stop (fast) and remove DIR
#   sh scripts/pgcluster.sh url DIR     prints the URI again
#   sh scripts/pgcluster.sh restart DIR pg_ctl restart -m fast (the failure tests: every
#                                       connection is cut, the server is back when it returns)
#   sh scripts/pgcluster.sh halt DIR    stop the server (fast), keep DIR; resume starts it again
# A database per test: createdb -h DIR NAME (as the same user), or CREATE DATABASE over the URI.
set -eu

BIN=/usr/lib/postgresql/15/bin
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: pgcluster.sh start|stop|restart|halt|resume|url DIR" >&2; exit 2; }

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u vigiepg -- "$@"
    else
        "$@"
    fi
}

# Starts the server of the cluster in $1 (its data folder made by initdb).
start_server() {
    # fsync off: a throwaway cluster; durability tests say so when they need it. With
    # PGCLUSTER_DURABLE=1 (the benchmarks), PostgreSQL's own defaults: fsync, synchronous
    # commit and full page writes on, as in production.
    fast="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    [ "${PGCLUSTER_DURABLE:-0}" = 1 ] && fast=""
    as_pg "$BIN/pg_ctl" -D "$1/data" -l "$1/server.log" -w -t 30 \
        -o "-c listen_addresses='' -c unix_socket_directories='$1' $fast \
            -c max_connections=200" \
        start >/dev/null || { cat "$1/server.log" >&2; exit 1; }
}

case "$cmd" in
start)
    [ -x "$BIN/initdb" ] || { echo "pgcluster: $BIN/initdb not found: run scripts/deps.sh" >&2; exit 1; }
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ "$(id -u)" -eq 0 ]; then
        id vigiepg >/dev/null 2>&1 || { echo "pgcluster: no user vigiepg: run scripts/deps.sh" >&2; exit 1; }
        chown vigiepg "$dir"
        # the socket's folder must be reachable by the tests' user (root here)
        chmod 0755 "$dir"
    fi
    as_pg "$BIN/initdb" -D "$dir/data" -U vigie -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    start_server "$dir"
    echo "postgresql://vigie@/postgres?host=$dir"
    ;;
stop)
    if [ -d "$dir/data" ]; then
        as_pg "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
restart)
    [ -d "$dir/data" ] || { echo "pgcluster: no cluster in $dir" >&2; exit 1; }
    dir=$(cd "$dir" && pwd)
    # the options of start again: pg_ctl restart reuses them (postmaster.opts)
    as_pg "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w -t 30 restart \
        >/dev/null || { tail -n 20 "$dir/server.log" >&2; exit 1; }
    ;;
halt)
    [ -d "$dir/data" ] || { echo "pgcluster: no cluster in $dir" >&2; exit 1; }
    as_pg "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
resume)
    [ -d "$dir/data" ] || { echo "pgcluster: no cluster in $dir" >&2; exit 1; }
    dir=$(cd "$dir" && pwd)
    start_server "$dir"
    ;;
url)
    dir=$(cd "$dir" && pwd)
    echo "postgresql://vigie@/postgres?host=$dir"
    ;;
*)
    echo "usage: pgcluster.sh start|stop|restart|halt|resume|url DIR" >&2
    exit 2
    ;;
esac
