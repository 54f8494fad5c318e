#!/bin/sh
# Every shipped scenario runs clean under valgrind (memcheck): no invalid
# read or write, no use of uninitialised values, no definite leak.
# usage: test_valgrind.sh SIMPLAN SCENARIOS_DIR
set -u
bin=$1; dir=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; failed=0
if ! command -v valgrind > /dev/null; then
  echo "FAIL valgrind is not installed (make test installs it)"; echo "0 passed, 1 failed"; exit 1
fi
for scen in "$dir"/*.cfg; do
  name=$(basename "$scen")
  # One thread: valgrind serialises threads anyway; libgomp's pool is not
  # a definite leak. The run also writes its result files (without charts).
  valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
    --quiet "$bin" run "$scen" --draws 3000 --param-sets 4 --threads 1 -q --out "$tmp/$name" \
    --no-plots --format csv > /dev/null 2> "$tmp/log"
  rc=$?
  if [ "$rc" -eq 0 ]; then
    echo "ok   $name"; pass=$((pass + 1))
  else
    echo "FAIL $name: exit $rc"; head -n 30 "$tmp/log"; failed=$((failed + 1))
  fi
done
valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
  --quiet "$bin" check "$dir/baseline.cfg" > /dev/null 2> "$tmp/log" &&
  { echo "ok   check under valgrind"; pass=$((pass + 1)); } ||
  { echo "FAIL check under valgrind"; head -n 30 "$tmp/log"; failed=$((failed + 1)); }
echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
