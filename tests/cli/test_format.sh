#!/bin/sh
# Every C source and header of the project follows .clang-format.
# Usage: test_format.sh SOURCE_DIR [CLANG_FORMAT]
set -u
root=$1
cf=${2:-clang-format}
command -v "$cf" >/dev/null 2>&1 || { echo "no $cf"; exit 1; }
cd "$root" || exit 1
bad=0
for f in model/*.[ch] src/*/*.[ch] tests/*.[ch] tests/fuzz/*.c tests/fault/*.c; do
    [ -f "$f" ] || continue
    if ! "$cf" --style=file --dry-run -Werror "$f" >/dev/null 2>&1; then
        echo "not formatted: $f (clang-format -i $f)"
        bad=$((bad + 1))
    fi
done
if [ "$bad" -gt 0 ]; then
    echo "$bad files differ from .clang-format"
    exit 1
fi
echo "every source file follows .clang-format"
