#!/bin/sh
# The test suites, one way to run each. `make test` runs everything (no argument):
#   0. the banned-function check and the house rules (include layers, clang-format);
#   1. release build (gcc): unit tests (cmocka) + end-to-end tests (pytest, real server);
#   1a. the same end-to-end tests on PostgreSQL (release build only: VIGIE_E2E_BACKEND=pg, a
#       throwaway PostgreSQL 15 cluster for the run, a fresh database per test's database);
#   2. ASan+UBSan build (clang): the same suites;
#   1b. the web in a real browser (tests/browser, Chromium), on the release build;
#   3. every fuzz target (clang libFuzzer) for a few seconds, seeded from tests/data;
#   4. a random sample of mutants (scripts/mutants.py), each of which some test must kill.
# One suite: `sh scripts/test.sh unit|e2e [release|asan]`, `sh scripts/test.sh e2e-pg` (the
# end-to-end tests on PostgreSQL, release build), `sh scripts/test.sh fuzz|browser`,
# `sh scripts/test.sh rules`; `check` = release unit + end-to-end (make check), `asan` = the
# ASan+UBSan unit + end-to-end (make asan), `coverage` = the gcov build's unit + end-to-end and
# gcovr's table per folder (make coverage), `mutants` = a sample of the mutation run.
# Ends with one line "N passed, N failed, N skipped" counting test cases across the suites run;
# exits non-zero when anything failed.
set -u
cd "$(dirname "$0")/.."
JOBS=$(nproc 2>/dev/null || echo 2)
FUZZ_SECONDS=${VIGIE_FUZZ_SECONDS:-5}
passed=0
failed=0
skipped=0
failures=""
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

count_cmocka() { # file -> adds to passed/failed/skipped
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$1" | awk '{s+=$1} END {print s+0}')
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$1" | awk '{s+=$1} END {print s+0}')
    s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$1" | awk '{s+=$1} END {print s+0}')
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

count_pytest() {
    line=$(grep -E '[0-9]+ (passed|failed|skipped|errors?).* in [0-9.]+s' "$1" | tail -n 1)
    p=$(echo " $line" | sed -n 's/.* \([0-9][0-9]*\) passed.*/\1/p')
    f=$(echo " $line" | sed -n 's/.* \([0-9][0-9]*\) failed.*/\1/p')
    e=$(echo " $line" | sed -n 's/.* \([0-9][0-9]*\) error.*/\1/p')
    s=$(echo " $line" | sed -n 's/.* \([0-9][0-9]*\) skipped.*/\1/p')
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0}))
    skipped=$((skipped + ${s:-0}))
}

# pytest_suite name dir [env...]: runs pytest on dir, counts its cases.
pytest_suite() {
    name=$1; dir=$2; shift 2
    out="$log/$name"
    env "$@" /usr/bin/python3 -m pytest -q -rs -p no:cacheprovider "$dir" >"$out" 2>&1
    rc=$?
    cat "$out" >&2
    count_pytest "$out"
    if [ $rc -ne 0 ]; then failures="$failures $name"; fi
    if [ $rc -ne 0 ] && ! grep -qE '[0-9]+ (failed|error)' "$out"; then failed=$((failed + 1)); fi
}

build() { # variant target... -> 0 when built
    v=$1; shift
    echo "== $v build" >&2
    if ! make -s -j"$JOBS" VARIANT="$v" "$@" >"$log/build-$v" 2>&1; then
        cat "$log/build-$v" >&2
        failed=$((failed + 1)); failures="$failures build-$v"
        return 1
    fi
}

unit() { # variant
    v=$1
    build "$v" unit-bin || return
    echo "== $v unit tests" >&2
    # $JOBS binaries at a time (each writes its own output and exit code), read in order after
    for t in build/$v/tests/test_*; do
        [ -x "$t" ] && echo "$t"
    done | xargs -P "$JOBS" -I{} sh -c 'o="$2/$(basename "$1")-$3"; "$1" >"$o" 2>&1; echo $? >"$o.rc"' \
        _ {} "$log" "$v"
    for t in build/$v/tests/test_*; do
        [ -x "$t" ] || continue
        out="$log/$(basename "$t")-$v"
        if [ "$(cat "$out.rc" 2>/dev/null)" != 0 ]; then failures="$failures $(basename "$t")-$v"; fi
        cat "$out" >&2
        count_cmocka "$out"
        if ! grep -q '^\[  PASSED  \]\|^\[  FAILED  \]' "$out"; then
            failed=$((failed + 1)); failures="$failures $(basename "$t")-$v(crashed)"
        fi
    done
}

e2e() { # variant
    v=$1
    build "$v" "build/$v/vigie" || return
    echo "== $v end-to-end tests" >&2
    pytest_suite "e2e-$v" tests/e2e VIGIE_BIN="$PWD/build/$v/vigie" VIGIE_E2E_BACKEND=sqlite
}

# e2e_pg: the same end-to-end tests on PostgreSQL (tests/e2e/conftest.py, VIGIE_E2E_BACKEND),
# release build; tests marked sqlite_only and the files that compare both backends themselves
# are skipped (docs/TESTING.md lists them).
e2e_pg() {
    build release build/release/vigie || return
    echo "== release end-to-end tests on PostgreSQL" >&2
    pytest_suite "e2e-pg-release" tests/e2e VIGIE_BIN="$PWD/build/release/vigie" \
        VIGIE_E2E_BACKEND=pg
}

# browser: the web's tests in a real browser (tests/browser: headless Chromium driven through
# chromedriver by python3-selenium) against the release build; screenshots in build/artefacts.
browser() {
    build release build/release/vigie || return
    echo "== browser tests (Chromium)" >&2
    pytest_suite browser tests/browser VIGIE_BIN="$PWD/build/release/vigie" \
        VIGIE_ARTEFACTS="$PWD/build/artefacts"
}

rules() {
    echo "== banned functions" >&2
    if sh scripts/banned.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); failures="$failures banned"; fi

    # House rules (ARCHITECTURE.md, STYLE.md). The self-tests of the two checks always run; the
    # checks of the tree itself run unless VIGIE_CHECK_LAYERS / VIGIE_CHECK_FORMAT is set to 0
    # (e.g. while a large move is in progress on a branch).
    echo "== house rules: self-tests of layers.sh and format-check.sh" >&2
    pytest_suite rules-selftests tests/rules
    if [ "${VIGIE_CHECK_LAYERS:-1}" = 1 ]; then
        echo "== layers" >&2
        if sh scripts/layers.sh >&2; then passed=$((passed + 1)); else failed=$((failed + 1)); failures="$failures layers"; fi
    fi
    if [ "${VIGIE_CHECK_FORMAT:-1}" = 1 ]; then
        echo "== format" >&2
        if sh scripts/format-check.sh >&2; then passed=$((passed + 1)); else failed=$((failed + 1)); failures="$failures format"; fi
    fi
    # The recorded kills the mutants phase samples from still name the lines they were taken on
    # (an id whose line moved among lines of the same text may now be another line's mutant).
    echo "== mutants: killed.txt against the tree" >&2
    if /usr/bin/python3 scripts/mutants.py --check-killed >&2; then passed=$((passed + 1)); else failed=$((failed + 1)); failures="$failures killed.txt"; fi
}

fuzz() {
    [ -n "$(ls fuzz/fuzz_*.c 2>/dev/null)" ] || return 0
    echo "== fuzz targets (${FUZZ_SECONDS}s each)" >&2
    if ! make -s -j"$JOBS" fuzz >"$log/build-fuzz" 2>&1; then
        cat "$log/build-fuzz" >&2
        failed=$((failed + 1)); failures="$failures build-fuzz"
        return
    fi
    # $JOBS targets at a time (each one core for FUZZ_SECONDS), results read in order after
    names=""
    running=0
    for f in build/fuzz/bin/fuzz_*; do
        [ -x "$f" ] || continue # skip the compiler's .d dependency files beside them
        name=$(basename "$f" | sed 's/^fuzz_//')
        fuzz_one "$name" "$f" &
        names="$names $name"
        running=$((running + 1))
        if [ "$running" -ge "$JOBS" ]; then
            wait
            running=0
        fi
    done
    wait
    for name in $names; do
        if [ "$(cat "$log/fuzz-$name.rc")" = 0 ]; then
            passed=$((passed + 1))
            echo "fuzz $name: ok ($(grep -o 'Done [0-9]* runs' "$log/fuzz-$name"))" >&2
        else
            tail -n 40 "$log/fuzz-$name" >&2
            failed=$((failed + 1)); failures="$failures fuzz-$name"
        fi
    done
}

# fuzz_one NAME BINARY: one fuzz target for FUZZ_SECONDS, seeded from tests/data/NAME; its
# output in $log/fuzz-NAME, its exit code in $log/fuzz-NAME.rc (run in the background).
fuzz_one() {
    corpus="$log/corpus-$1"
    mkdir -p "$corpus"
    seeds=""
    [ -d "tests/data/$1" ] && seeds="tests/data/$1"
    # More seed directories, one per line, in fuzz/seeds/NAME.list ('#' comments; those
    # missing, e.g. ../shared/corpus outside CI, are skipped); a dictionary of the format
    # in fuzz/dict/NAME.dict.
    if [ -f "fuzz/seeds/$1.list" ]; then
        for dir in $(sed -e 's/#.*//' "fuzz/seeds/$1.list"); do
            [ -d "$dir" ] && seeds="$seeds $dir"
        done
    fi
    dict=""
    [ -f "fuzz/dict/$1.dict" ] && dict="-dict=fuzz/dict/$1.dict"
    rc=0
    "$2" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -max_len=65536 $dict \
        "$corpus" $seeds >"$log/fuzz-$1" 2>&1 || rc=$?
    echo "$rc" >"$log/fuzz-$1.rc"
}

# coverage: the gcov build (VARIANT=coverage), unit + end-to-end on it, then gcovr's line and
# branch coverage per folder of src/ (a table on stdout, HTML in build/coverage/html).
coverage() {
    command -v gcovr >/dev/null || { echo "test.sh: gcovr missing (apt-get install gcovr)" >&2; exit 2; }
    find build/coverage -name '*.gcda' -delete 2>/dev/null # counters of this run only
    unit coverage; e2e coverage
    echo "== coverage (gcovr)" >&2
    mkdir -p build/coverage/html
    if ! gcovr -r . --object-directory build/coverage --filter 'src/' -j "$JOBS" \
        --exclude-unreachable-branches --exclude-throw-branches \
        --json-summary build/coverage/summary.json \
        --html-details build/coverage/html/index.html build/coverage >"$log/gcovr" 2>&1; then
        cat "$log/gcovr" >&2
        failed=$((failed + 1)); failures="$failures gcovr"
        return
    fi
    /usr/bin/python3 scripts/coverage_table.py build/coverage/summary.json
    echo "HTML: build/coverage/html/index.html" >&2
}

# mutants: mutation testing (scripts/mutants.py; docs/TESTING.md, "Mutation score"). A random
# sample of VIGIE_MUTANTS_SAMPLE (2) mutants drawn from those a recorded run killed
# (tests/mutants/killed.txt): a mutant that survives now is a pin that was lost. The seed is
# printed; VIGIE_MUTANTS_SEED repeats a sample. VIGIE_MUTANTS_SAMPLE=all runs every mutant (as
# `make mutants`). Each mutant counts as one case: killed, or surviving but listed equivalent =
# passed; surviving unlisted, or listed but killed (stale) = failed; not building = skipped.
mutants() {
    echo "== mutants" >&2
    n=${VIGIE_MUTANTS_SAMPLE:-2}
    args=""
    [ "$n" = all ] || args="--sample $n --from tests/mutants/killed.txt"
    [ -n "${VIGIE_MUTANTS_SEED:-}" ] && args="$args --seed $VIGIE_MUTANTS_SEED"
    # shellcheck disable=SC2086 # args are words
    /usr/bin/python3 scripts/mutants.py $args >"$log/mutants" 2>&1
    rc=$?
    cat "$log/mutants" >&2
    line=$(grep '^mutants: [0-9]* killed or listed' "$log/mutants" | tail -n 1)
    if [ -z "$line" ]; then
        failed=$((failed + 1)); failures="$failures mutants"
        return
    fi
    set -- $(echo "$line" | sed 's/[^0-9 ]//g')
    passed=$((passed + $1)); failed=$((failed + $2 + $4)); skipped=$((skipped + $3))
    [ $rc -eq 0 ] || failures="$failures mutants"
}

v=${2:-release}
case "$v" in
release | asan | coverage) ;;
*) echo "test.sh: unknown variant '$v' (release, asan or coverage)" >&2; exit 2 ;;
esac
case "${1:-all}" in
all)
    # each phase with its duration, to keep CI under its 30 minutes
    for phase in rules "unit release" "e2e release" e2e_pg browser "unit asan" "e2e asan" fuzz mutants; do
        t0=$(date +%s)
        $phase
        echo "== $phase: $(($(date +%s) - t0)) s" >&2
    done
    ;;
check) unit release; e2e release; browser ;;
asan) unit asan; e2e asan ;;
coverage) coverage ;;
unit) unit "$v" ;;
e2e) e2e "$v" ;;
e2e-pg) e2e_pg ;;
fuzz) fuzz ;;
rules) rules ;;
browser) browser ;;
mutants) mutants ;;
*)
    echo "usage: sh scripts/test.sh [all|check|asan|coverage|unit [VARIANT]|e2e [VARIANT]|e2e-pg|fuzz|browser|rules|mutants]" >&2
    exit 2
    ;;
esac

[ -n "$failures" ] && echo "failing:$failures" >&2
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ -z "$failures" ]
