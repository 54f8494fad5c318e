#!/bin/sh
# `simplan batch`: every scenario gets its own result directory with the
# results of `simplan run` on it (targets.csv byte for byte), each with its
# own seed unless --seed is shared; comparison.csv has one row per scenario
# and target; --collect rebuilds the same comparison; a failing scenario
# is reported and makes the batch fail without stopping the others.
# usage: test_batch.sh SIMPLAN SCENARIOS_DIR
set -u
bin=$1; dir=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; failed=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

"$bin" batch "$dir/minimal.cfg" "$dir/shock.cfg" --out "$tmp/b" --jobs 2 \
  --draws 20000 --no-plots > "$tmp/table" 2> "$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && ok "batch of 2 scenarios exits 0" || bad "batch" "exit $rc: $(cat "$tmp/err")"
for s in minimal shock; do
  "$bin" run "$dir/$s.cfg" --draws 20000 --out "$tmp/single_$s" --no-plots -q > /dev/null
  if cmp -s "$tmp/b/$s/targets.csv" "$tmp/single_$s/targets.csv"; then
    ok "$s in the batch equals simplan run with its own seed"
  else
    bad "$s in the batch" "targets.csv differs from simplan run"
  fi
done
rows=$(tail -n +2 "$tmp/b/comparison.csv" | wc -l)
want=$(( $(tail -n +2 "$tmp/single_minimal/targets.csv" | wc -l) +
         $(tail -n +2 "$tmp/single_shock/targets.csv" | wc -l) ))
[ "$rows" -eq "$want" ] && ok "comparison.csv has one row per scenario and target" ||
  bad "comparison.csv" "$rows rows, expected $want"
grep -q 'gdp_2025' "$tmp/table" && ok "the table lists the targets" || bad "table" "$(cat "$tmp/table")"
cp "$tmp/b/comparison.csv" "$tmp/first.csv"
"$bin" batch --collect "$tmp/b" --no-plots > /dev/null 2>&1
cmp -s "$tmp/first.csv" "$tmp/b/comparison.csv" && ok "--collect rebuilds the same comparison" ||
  bad "--collect" "comparison differs"
"$bin" batch "$dir/minimal.cfg" "$dir/shock.cfg" --out "$tmp/seeded" --seed 77 \
  --draws 20000 --no-plots > /dev/null 2>&1
grep -q '"seed": 77' "$tmp/seeded/minimal/summary.json" && grep -q '"seed": 77' "$tmp/seeded/shock/summary.json" &&
  ok "--seed is shared by every scenario" || bad "--seed" "not recorded in both runs"
printf 'scenario = { name = "broken"; };\n' > "$tmp/broken.cfg"
"$bin" batch "$tmp/broken.cfg" "$dir/minimal.cfg" --out "$tmp/mixed" --draws 2000 \
  --no-plots > /dev/null 2> "$tmp/err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q broken "$tmp/err" && [ -s "$tmp/mixed/minimal/targets.csv" ]; then
  ok "a failing scenario fails the batch (exit 2), the others still run"
else
  bad "failing scenario" "exit $rc: $(cat "$tmp/err")"
fi
echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
