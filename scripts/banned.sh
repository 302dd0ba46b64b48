#!/bin/sh
# Fails if the C sources call a banned function (STYLE.md: no strcpy strcat sprintf vsprintf
# strtok atoi gets). Prints file:line of each call.
cd "$(dirname "$0")/.."
hits=$(grep -nE '(^|[^A-Za-z0-9_])(strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|gets)[[:space:]]*\(' \
    $(find src tests/unit fuzz bench -name '*.[ch]') | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/\*|\*)')
if [ -n "$hits" ]; then
    echo "banned functions (see STYLE.md):" >&2
    echo "$hits" >&2
    exit 1
fi
exit 0
