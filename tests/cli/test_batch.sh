#!/bin/sh
# `simplan batch`: every scenario gets its own result directory with the
# results of `simplan run` on it (targets.csv byte for byte), each with its
# own seed unless --seed is shared; comparison.csv has one row per scenario
# and target; --collect rebuilds the same comparison; a failing scenario
# is reported and makes the batch fail without stopping the others;
# directory names stay unique whatever the scenarios are called; an
# existing --out is refused without --force; SIGTERM to the batch stops
# and waits for its children and exits 3.
# usage: test_batch.sh SIMPLAN SCENARIOS_DIR PAUSE_SHIM
set -u
bin=$1; dir=$2; shim=${3:-}
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
# Regression: a/x, b/x_3, c/x made two directories (the renamed x_3 hit
# the real one) and a result was lost with exit 0.
mkdir -p "$tmp/a" "$tmp/b2" "$tmp/c"
cp "$dir/minimal.cfg" "$tmp/a/x.cfg"
cp "$dir/shock.cfg" "$tmp/b2/x_3.cfg"
cp "$dir/minimal.cfg" "$tmp/c/x.cfg"
"$bin" batch "$tmp/a/x.cfg" "$tmp/b2/x_3.cfg" "$tmp/c/x.cfg" --out "$tmp/names" \
  --draws 2000 --no-plots > /dev/null 2> "$tmp/err"
rc=$?
dirs=$(find "$tmp/names" -mindepth 1 -maxdepth 1 -type d | wc -l)
scen=$(tail -n +2 "$tmp/names/comparison.csv" 2>/dev/null | cut -d, -f1 | sort -u | wc -l)
if [ "$rc" -eq 0 ] && [ "$dirs" -eq 3 ] && [ "$scen" -eq 3 ] &&
   grep -q '"name": "shock"' "$tmp/names/x_3/summary.json"; then
  ok "x, x_3, x: three result directories, x_3 keeps its own run"
else bad "unique names" "exit $rc, $dirs directories, $scen scenarios: $(ls "$tmp/names")"; fi

# Regression: an existing --out was overwritten without --force.
mkdir "$tmp/exists"; echo keep > "$tmp/exists/mine.txt"
"$bin" batch "$dir/minimal.cfg" --out "$tmp/exists" --draws 2000 --no-plots \
  > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ "$rc" -eq 3 ] && grep -q -- '--force' "$tmp/err" && [ ! -e "$tmp/exists/minimal" ] &&
   [ ! -e "$tmp/exists/comparison.csv" ] && [ ! -s "$tmp/out" ]; then
  ok "an existing --out is refused without --force (exit 3), left as it was"
else bad "existing --out" "exit $rc: $(cat "$tmp/err"); $(ls "$tmp/exists")"; fi
"$bin" batch "$dir/minimal.cfg" --out "$tmp/exists" --force --draws 2000 --no-plots \
  > /dev/null 2> "$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && [ -s "$tmp/exists/minimal/targets.csv" ] &&
  ok "with --force an existing --out is used" || bad "--force" "exit $rc: $(cat "$tmp/err")"

# Regression: SIGTERM to batch left its children running. Both children
# are held at their first gsl_rng_alloc (after their own handlers are
# installed) until the batch has been signalled.
if [ -n "$shim" ] && [ -r "$shim" ]; then
  SP_PAUSE_MARK=$tmp/mark SP_PAUSE_AT=1 LD_PRELOAD=$shim \
    ASAN_OPTIONS=verify_asan_link_order=0 "$bin" batch "$dir/minimal.cfg" \
    "$dir/shock.cfg" --out "$tmp/sig" --jobs 2 --threads 2 --draws 20000 \
    --no-plots > "$tmp/out" 2> "$tmp/err" &
  pid=$!
  i=0
  while [ $i -lt 1200 ] && [ "$(ls "$tmp"/mark.* 2>/dev/null | wc -l)" -lt 2 ]; do
    sleep 0.1; i=$((i + 1))
  done
  children=$(ls "$tmp"/mark.* 2>/dev/null | sed 's/.*mark\.//')
  kill -TERM $pid
  wait $pid
  rc=$?
  alive=
  for c in $children; do
    kill -0 "$c" 2>/dev/null && alive="$alive $c"
  done
  if [ "$rc" -eq 3 ] && [ -n "$children" ] && [ -z "$alive" ] &&
     grep -q 'interrupted by signal 15' "$tmp/err" && [ ! -e "$tmp/sig/comparison.csv" ]; then
    ok "SIGTERM to batch stops and waits for its children, exit 3, no comparison"
  else
    bad "batch signal" "exit $rc, children '$children' still alive '$alive': $(cat "$tmp/err")"
  fi
  for c in $alive; do kill -TERM "$c" 2>/dev/null; done
else
  bad "batch signal" "no pause shim given ($shim)"
fi

echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
