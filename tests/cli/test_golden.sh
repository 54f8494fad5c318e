#!/bin/sh
# The minimal scenario with a fixed seed reproduces the stored JSON report
# (timing and thread-count fields aside).
# usage: test_golden.sh SIMPLAN SCENARIOS_DIR GOLDEN_DIR
# Regenerate after an intended change of results with:
#   simplan run scenarios/minimal.cfg --draws 20000 --seed 2021 --format json \
#     -q | grep -v -e elapsed_seconds -e '"threads"' > tests/data/golden/minimal.json
set -u
bin=$1; dir=$2; golden=$3
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
(cd "$dir/.." && "$bin" run scenarios/minimal.cfg --draws 20000 --seed 2021 \
   --format json -q) | grep -v -e '"elapsed_seconds"' -e '"threads"' > "$tmp"
if diff -u "$golden/minimal.json" "$tmp"; then
  echo "1 passed, 0 failed"
else
  echo "0 passed, 1 failed"; exit 1
fi
