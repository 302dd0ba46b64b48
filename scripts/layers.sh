#!/bin/sh
# Checks the include direction of ../shared/ARCHITECTURE.md's module table: a file of src/<m>/
# may include "<n>/..." only when <n> is <m> itself or listed under <m> below, and never
# "<n>/<x>_int.h", what <n> shares only inside itself (STYLE.md). Prints
# "file:line: module X may not include Y/..." for each violation and exits 1.
# Usage: scripts/layers.sh [ROOT]   (ROOT defaults to the repository holding this script)
#        scripts/layers.sh --table    prints the table as "module: may use..." (for the tests)
set -u
table=0
[ "${1:-}" = "--table" ] && { table=1; shift; }
root=${1:-"$(dirname "$0")/.."}

# The table, bottom to top, read against ARCHITECTURE.md's "may use" column with "below"
# written out. A module always may include its own headers. Peer engines (match, vuln, share,
# advisory, notify, crisis) do not list each other; api and web do not list each other.
#   module    may use
LAYERS='
    util
    core      util
    store     core util
    match     core util
    vuln      core util
    share     core util
    advisory  core util
    notify    core util
    crisis    core util
    app       store match vuln share advisory notify crisis core util
    http      app store match vuln share advisory notify crisis core util
    api       http app store match vuln share advisory notify crisis core util
    web       http app store match vuln share advisory notify crisis core util
    cli       api web http app store match vuln share advisory notify crisis core util
'
# Narrower rules: of module <n>, files of module <m> may include only the headers listed.
#   module    of    only
ONLY='
    cli       http  http/server.h
'
# tests/, fuzz/ and bench/ link libvigie.a: they may include any module but cli/ (not in it).
OUTSIDE_DENY='cli'

if [ $table -eq 1 ]; then
    echo "$LAYERS" | awk 'NF { printf "%s:", $1; for (i = 2; i <= NF; i++) printf " %s", $i; print "" }'
    echo "$ONLY" | awk 'NF { printf "only %s %s:", $1, $2; for (i = 3; i <= NF; i++) printf " %s", $i; print "" }'
    exit 0
fi
cd "$root" || exit 2
[ -d src ] || { echo "layers: no src/ under $root" >&2; exit 2; }

files=$(find src -name '*.[ch]' | sort)
others=$(find tests fuzz bench -name '*.[ch]' 2>/dev/null | sort)
[ -n "$files$others" ] || exit 0

# shellcheck disable=SC2086
awk -v layers="$LAYERS" -v only="$ONLY" -v deny="$OUTSIDE_DENY" '
BEGIN {
    n = split(layers, lines, "\n")
    for (i = 1; i <= n; i++) {
        k = split(lines[i], w, " ")
        if (k == 0) continue
        known[w[1]] = 1
        for (j = 2; j <= k; j++) may[w[1], w[j]] = 1
    }
    n = split(only, lines, "\n")
    for (i = 1; i <= n; i++) {
        k = split(lines[i], w, " ")
        if (k < 3) continue
        for (j = 3; j <= k; j++) {
            allowed[w[1], w[j]] = 1
            narrowed[w[1], w[2]] = narrowed[w[1], w[2]] (j > 3 ? ", " : "") w[j]
        }
    }
    k = split(deny, w, " ")
    for (j = 1; j <= k; j++) denied[w[j]] = 1
    bad = 0
}
FNR == 1 {
    split(FILENAME, p, "/")
    inside = (p[1] == "src")
    mod = inside ? p[2] : p[1]
    if (inside && FILENAME !~ /^src\/[^\/]+\//) {
        print FILENAME ":1: file outside the module folders of src/"
        bad = 1
    } else if (inside && !(mod in known)) {
        print FILENAME ":1: module " mod " is not in the table of scripts/layers.sh"
        bad = 1
    }
}
/^[ \t]*#[ \t]*include[ \t]*"/ {
    inc = $0
    sub(/^[ \t]*#[ \t]*include[ \t]*"/, "", inc)
    sub(/".*/, "", inc)
    if (index(inc, "/") == 0) {
        if (inside) {
            print FILENAME ":" FNR ": module " mod " includes \"" inc "\": write \"<module>/" inc "\""
            bad = 1
        }
        next
    }
    tgt = inc
    sub(/\/.*/, "", tgt)
    if (!inside) {
        if (tgt in denied) {
            print FILENAME ":" FNR ": " mod "/ may not include " inc " (" tgt "/ is not in libvigie.a)"
            bad = 1
        }
        next
    }
    if (!(mod in known)) next
    if (!(tgt in known)) {
        print FILENAME ":" FNR ": module " mod " may not include " inc " (no module " tgt "/ in the table)"
        bad = 1
    } else if (tgt != mod && !((mod, tgt) in may)) {
        print FILENAME ":" FNR ": module " mod " may not include " inc
        bad = 1
    } else if (tgt != mod && inc ~ /_int\.h$/) {
        print FILENAME ":" FNR ": module " mod " may not include " inc " (internal to " tgt "/)"
        bad = 1
    } else if (((mod, tgt) in narrowed) && !((mod, inc) in allowed)) {
        print FILENAME ":" FNR ": module " mod " may not include " inc " (of " tgt "/ only " narrowed[mod, tgt] ")"
        bad = 1
    }
}
END { exit bad }
' $files $others
