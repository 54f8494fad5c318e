#!/bin/sh
# Every shipped scenario gives byte-identical JSON (timing and thread-count
# fields aside) with --threads 1, 2 and 3; with FORMAT csv (builds without
# JSON) the target rows are compared instead.
# usage: test_threads.sh SIMPLAN SCENARIOS_DIR [FORMAT]
set -u
bin=$1; dir=$2; format=${3:-json}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; failed=0
for scen in "$dir"/*.cfg; do
  for t in 1 2 3; do
    "$bin" run "$scen" --draws 40000 --seed 11 --threads "$t" --format "$format" -q \
      | grep -v -e '"elapsed_seconds"' -e '"threads"' > "$tmp/t$t.json"
  done
  if [ -s "$tmp/t1.json" ] && cmp -s "$tmp/t1.json" "$tmp/t2.json" &&
     cmp -s "$tmp/t1.json" "$tmp/t3.json"; then
    echo "ok   $(basename "$scen")"; pass=$((pass + 1))
  else
    echo "FAIL $(basename "$scen"): outputs differ across thread counts"
    failed=$((failed + 1))
  fi
done
echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
