#!/bin/sh
# Rewrites the agreement table of docs/CSAF-TESTS.md (between its "<!-- table -->" and
# "<!-- /table -->" lines) with what tests/unit/test_csaf_tests.c measures now over the
# corpus's CSAF 2.0 test documents. Builds the release unit test first.
# Usage: sh scripts/csaf_tests_table.sh
set -eu
cd "$(dirname "$0")/.."
make -s build/release/tests/test_csaf_tests
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.md"' EXIT
VIGIE_CSAF_TABLE="$tmp" ./build/release/tests/test_csaf_tests >/dev/null
awk -v table="$tmp" '
    /^<!-- \/table -->$/ { skip = 0 }
    !skip { print }
    /^<!-- table -->$/ { while ((getline line < table) > 0) print line; skip = 1 }
' docs/CSAF-TESTS.md >"$tmp.md"
cat "$tmp.md" >docs/CSAF-TESTS.md
echo "docs/CSAF-TESTS.md: table rewritten" >&2
