#!/bin/sh
# Fails if the C sources call a banned function (STYLE.md: no strcpy strcat sprintf vsprintf
# strtok atoi gets), or if src/ allocates other than through util/mem.h (malloc calloc
# realloc strdup strndup: vg_malloc ... so that the allocation failure hook sees every
# allocation; only src/util/mem.c calls the system allocator), or sorts or searches other than
# through util/sort.h (qsort and bsearch with an empty vector's NULL base are undefined).
# Prints file:line of each call.
# An optional argument is the root of the tree to check (tests/rules checks the script so).
cd "${1:-$(dirname "$0")/..}" || exit 2
files() { [ -d "$1" ] && find "$1" -name '*.[ch]'; }
calls() { # regex of names, files... -> file:line: of each call outside a comment line
    re=$1; shift
    [ $# -gt 0 ] || return 0
    grep -nE "(^|[^A-Za-z0-9_.>])($re)[[:space:]]*\\(" "$@" /dev/null |
        grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/\*|\*)'
}
status=0
hits=$(calls 'strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|gets' \
    $(files src; files tests/unit; files fuzz; files bench))
if [ -n "$hits" ]; then
    echo "banned functions (see STYLE.md):" >&2
    echo "$hits" >&2
    status=1
fi
hits=$(calls 'malloc|calloc|realloc|strdup|strndup' $(files src | grep -vx 'src/util/mem.c'))
if [ -n "$hits" ]; then
    echo "raw allocation in src/ (use vg_malloc, vg_calloc, vg_realloc, vg_strdup, vg_strndup" \
        "of util/mem.h):" >&2
    echo "$hits" >&2
    status=1
fi
hits=$(calls 'qsort|bsearch' $(files src | grep -vx 'src/util/sort.h'))
if [ -n "$hits" ]; then
    echo "raw qsort or bsearch in src/ (use vg_sort, vg_search of util/sort.h: an empty" \
        "vector's NULL base is undefined behaviour for them):" >&2
    echo "$hits" >&2
    status=1
fi
exit $status
