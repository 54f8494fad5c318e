#!/bin/sh
# No NaN or infinity ever reaches a report: a scenario whose rate
# overflows and whose formula divides by zero gives JSON, CSV, table and
# result files without them, and warnings that name the indicator and the
# years affected.
# usage: test_numeric.sh SIMPLAN DATA_DIR
set -u
bin=$1; scen=$2/numeric/overflow.cfg
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; failed=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
"$bin" run "$scen" --format json -q --out "$tmp/out" --no-plots > "$tmp/j" 2> "$tmp/e"
rc=$?
[ "$rc" -eq 0 ] && ok "the run completes" || bad "run" "exit $rc: $(cat "$tmp/e")"
"$bin" run "$scen" -q > "$tmp/table"
"$bin" run "$scen" -q --format csv > "$tmp/csv"
if grep -i -E '(^|[^a-z])(nan|inf|infinity)([^a-z]|$)' "$tmp/j" "$tmp/table" "$tmp/csv" \
     "$tmp/out"/*.csv "$tmp/out"/*.json "$tmp/out"/*.md > "$tmp/hits"; then
  bad "no NaN or infinity in any output" "$(head -n 5 "$tmp/hits")"
else
  ok "no NaN or infinity in any output"
fi
/usr/bin/python3 -c "import json; json.load(open('$tmp/j'))" 2>/dev/null &&
  ok "the JSON is valid" || bad "JSON" "does not parse"
grep -q 'g: the level overflowed to a non-finite value in .* (20[0-9][0-9]: ' "$tmp/table" &&
  ok "the overflow warning names the indicator and the years" ||
  bad "overflow warning" "$(grep -i warn -A4 "$tmp/table")"
grep -q 'inv: the formula gave a non-finite value' "$tmp/table" &&
  ok "the division warning names the indicator" || bad "division warning" "$(tail -n 5 "$tmp/table")"
echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
