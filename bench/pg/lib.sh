# Shell functions of bench/pg's scripts (sourced: `. bench/pg/lib.sh`).

# serve_url LOG: waits (10 s at most) for `vigie serve` to write its address into LOG and
# prints its URL, or prints LOG to stderr and fails.
serve_url() {
    port=""
    for _ in $(seq 100); do
        port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$1" | head -n 1)
        [ -n "$port" ] && break
        sleep 0.1
    done
    [ -n "$port" ] || { cat "$1" >&2; return 1; }
    echo "http://127.0.0.1:$port"
}
