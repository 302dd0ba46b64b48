#!/bin/sh
# Checks that the C sources (src tests fuzz bench, *.c and *.h) are as clang-format 14 writes
# them with the repository's .clang-format (STYLE.md). Prints "file:line: ..." for the first
# differing line of each file that differs, and a count; exits 1 if any differs. `make format`
# rewrites them.
# Usage: scripts/format-check.sh [ROOT]   (ROOT defaults to the repository holding this script)
set -u
root=${1:-"$(dirname "$0")/.."}
cd "$root" || exit 2
[ -f .clang-format ] || { echo "format-check: no .clang-format under $root" >&2; exit 2; }

cf=${CLANG_FORMAT:-}
if [ -z "$cf" ]; then
    for c in clang-format-14 clang-format; do
        if command -v "$c" >/dev/null 2>&1; then cf=$c; break; fi
    done
fi
[ -n "$cf" ] || { echo "format-check: clang-format-14 not found (scripts/deps.sh)" >&2; exit 2; }
case $("$cf" --version) in
*"version 14."*) ;;
*) echo "format-check: $cf is not clang-format 14; its output may differ" >&2 ;;
esac

files=$(find src tests fuzz bench -name '*.[ch]' 2>/dev/null | sort)
[ -n "$files" ] || exit 0
total=$(echo "$files" | wc -l)
out=$(mktemp)
fmt=$(mktemp)
trap 'rm -f "$out" "$fmt"' EXIT
# shellcheck disable=SC2086
"$cf" --style=file:.clang-format --dry-run --Werror $files >"$out" 2>&1
rc=$?
bad=$(grep -E '^[^ ]+:[0-9]+:[0-9]+: error: ' "$out" | cut -d: -f1 | uniq)
if [ -z "$bad" ]; then
    [ $rc -eq 0 ] && exit 0
    cat "$out" >&2
    exit 1
fi
# clang-format places a wrong indentation at the end of the line before: name the first line
# that differs from its output instead.
n=0
for f in $bad; do
    n=$((n + 1))
    "$cf" --style=file:.clang-format "$f" >"$fmt" 2>/dev/null
    line=$(cmp "$f" "$fmt" 2>&1 | sed -n 's/.*[ ,]line \([0-9][0-9]*\).*/\1/p' | head -n 1)
    echo "$f:${line:-1}: differs from $cf's output (STYLE.md)"
done
echo "format-check: $n of $total files differ from $cf's output; run: make format" >&2
exit 1
