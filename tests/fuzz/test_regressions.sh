#!/bin/sh
# test_regressions.sh SIMPLAN REGRESSIONS_DIR
#
# Replays the scenarios that once crashed the scenario fuzzer
# (REGRESSIONS_DIR/*.cfg, see tests/fuzz/README.md) through the CLI:
#   SIMPLAN check FILE
#   SIMPLAN run   FILE --draws 64 --threads 1 -q
# Each must end with an exit code of 0, 1, 2 or 3 (ok, usage, scenario,
# runtime: model/sp_status.h) within 60 seconds -- not a signal, a sanitizer
# report (exit 1 from UBSan's halt_on_error is caught by the check that
# stderr names no "runtime error"/"Sanitizer") or a hang. Which code is
# right depends on the input; that it ends cleanly is the regression test.
#
# Prints one line per file and "N passed, M failed"; exits 1 if any failed,
# 2 on bad arguments.
set -u

if [ $# -ne 2 ] || [ ! -x "$1" ] || [ ! -d "$2" ]; then
  echo "usage: $0 SIMPLAN REGRESSIONS_DIR" >&2
  exit 2
fi
bin=$1
dir=$2
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# Runs one command; echoes a reason when it did not end cleanly.
judge() {
  timeout 60 "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -eq 124 ]; then
    echo "timed out"
  elif [ "$rc" -gt 3 ]; then
    echo "exit $rc"
  elif grep -Eq 'runtime error|Sanitizer' "$tmp/err"; then
    echo "sanitizer report:" \
         "$(grep -E 'runtime error|SUMMARY' "$tmp/err" | head -n 1)"
  fi
}

for f in "$dir"/*.cfg; do
  [ -f "$f" ] || continue
  why=$(judge "$bin" check "$f")
  [ -z "$why" ] && why=$(judge "$bin" run "$f" --draws 64 --threads 1 -q)
  if [ -z "$why" ]; then
    passed=$((passed + 1))
    echo "ok   $(basename "$f")"
  else
    failed=$((failed + 1))
    echo "FAIL $(basename "$f"): $why"
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
