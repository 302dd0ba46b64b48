#!/bin/sh
# The whole test suite, as `make test` runs it:
#   1. release build (gcc): unit tests (cmocka) + end-to-end tests (pytest, real server);
#   2. ASan+UBSan build (clang): the same suites;
#   3. every fuzz target (clang libFuzzer) for a few seconds, seeded from tests/data.
# Before them: the banned-function check and the house rules (include layers, clang-format).
# Ends with one line "N passed, N failed" counting test cases across all suites.
set -u
cd "$(dirname "$0")/.."
JOBS=$(nproc 2>/dev/null || echo 2)
FUZZ_SECONDS=${VIGIE_FUZZ_SECONDS:-5}
passed=0
failed=0
failures=""
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

count_cmocka() { # file -> adds to passed/failed
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$1" | awk '{s+=$1} END {print s+0}')
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$1" | awk '{s+=$1} END {print s+0}')
    passed=$((passed + p)); failed=$((failed + f))
}

count_pytest() {
    line=$(grep -E '[0-9]+ (passed|failed|errors?).* in [0-9.]+s' "$1" | tail -n 1)
    p=$(echo " $line" | sed -n 's/.* \([0-9][0-9]*\) passed.*/\1/p')
    f=$(echo " $line" | sed -n 's/.* \([0-9][0-9]*\) failed.*/\1/p')
    e=$(echo " $line" | sed -n 's/.* \([0-9][0-9]*\) error.*/\1/p')
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0}))
}

suite() { # variant
    v=$1
    echo "== $v build" >&2
    if ! make -s -j"$JOBS" VARIANT="$v" "build/$v/vigie" unit-bin >"$log/build-$v" 2>&1; then
        cat "$log/build-$v" >&2
        failed=$((failed + 1)); failures="$failures build-$v"
        return
    fi
    echo "== $v unit tests" >&2
    for t in build/$v/tests/test_*; do
        [ -x "$t" ] || continue
        out="$log/$(basename "$t")-$v"
        if ! "$t" >"$out" 2>&1; then failures="$failures $(basename "$t")-$v"; fi
        cat "$out" >&2
        count_cmocka "$out"
        if ! grep -q '^\[  PASSED  \]\|^\[  FAILED  \]' "$out"; then
            failed=$((failed + 1)); failures="$failures $(basename "$t")-$v(crashed)"
        fi
    done
    echo "== $v end-to-end tests" >&2
    out="$log/e2e-$v"
    VIGIE_BIN="$PWD/build/$v/vigie" /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/e2e \
        >"$out" 2>&1
    rc=$?
    cat "$out" >&2
    count_pytest "$out"
    if [ $rc -ne 0 ]; then failures="$failures e2e-$v"; fi
    if [ $rc -ne 0 ] && ! grep -qE '[0-9]+ (failed|error)' "$out"; then failed=$((failed + 1)); fi
}

echo "== banned functions" >&2
if sh scripts/banned.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); failures="$failures banned"; fi

# House rules (ARCHITECTURE.md, STYLE.md). The self-tests of the two checks always run; the
# checks of the tree itself run unless VIGIE_CHECK_LAYERS / VIGIE_CHECK_FORMAT is set to 0
# (e.g. while a large move is in progress on a branch).
echo "== house rules: self-tests of layers.sh and format-check.sh" >&2
out="$log/rules"
/usr/bin/python3 -m pytest -q -p no:cacheprovider tests/rules >"$out" 2>&1
rc=$?
cat "$out" >&2
count_pytest "$out"
if [ $rc -ne 0 ]; then failures="$failures rules-selftests"; fi
if [ $rc -ne 0 ] && ! grep -qE '[0-9]+ (failed|error)' "$out"; then failed=$((failed + 1)); fi
if [ "${VIGIE_CHECK_LAYERS:-1}" = 1 ]; then
    echo "== layers" >&2
    if sh scripts/layers.sh >&2; then passed=$((passed + 1)); else failed=$((failed + 1)); failures="$failures layers"; fi
fi
if [ "${VIGIE_CHECK_FORMAT:-1}" = 1 ]; then
    echo "== format" >&2
    if sh scripts/format-check.sh >&2; then passed=$((passed + 1)); else failed=$((failed + 1)); failures="$failures format"; fi
fi

suite release
suite asan

if [ -n "$(ls fuzz/fuzz_*.c 2>/dev/null)" ]; then
    echo "== fuzz targets (${FUZZ_SECONDS}s each)" >&2
    if make -s -j"$JOBS" fuzz >"$log/build-fuzz" 2>&1; then
        for f in build/fuzz/bin/fuzz_*; do
            [ -x "$f" ] || continue # skip the compiler's .d dependency files beside them
            name=$(basename "$f" | sed 's/^fuzz_//')
            corpus="$log/corpus-$name"
            mkdir -p "$corpus"
            seeds=""
            [ -d "tests/data/$name" ] && seeds="tests/data/$name"
            if "$f" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -max_len=65536 \
                "$corpus" $seeds >"$log/fuzz-$name" 2>&1; then
                passed=$((passed + 1))
                echo "fuzz $name: ok ($(grep -o 'Done [0-9]* runs' "$log/fuzz-$name"))" >&2
            else
                tail -n 40 "$log/fuzz-$name" >&2
                failed=$((failed + 1)); failures="$failures fuzz-$name"
            fi
        done
    else
        cat "$log/build-fuzz" >&2
        failed=$((failed + 1)); failures="$failures build-fuzz"
    fi
fi

[ -n "$failures" ] && echo "failing:$failures" >&2
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ -z "$failures" ]
