#!/bin/sh
# Slices, merge and resume give exactly the single-process result: the
# JSON report (timing and thread fields aside) of `run` equals that of
# `merge` over slices 1/1, 2 and 5 (and 70, more slices than blocks), of a
# run resumed with more draws, and of an interrupted run resumed. Bad
# merge sets (missing, duplicated, other seed, other draw count, damaged
# file, not a state file, incomplete slice) are refused with a message
# saying which.
# usage: test_slices.sh SIMPLAN SCENARIOS_DIR
set -u
bin=$1; scen=$2/shock.cfg   # events, a uniform marginal, derived indicators
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; failed=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
strip() { grep -v -e '"elapsed_seconds"' -e '"threads"'; }

draws=60000   # 59 blocks, the last one partial
"$bin" run "$scen" --draws $draws --seed 9 --format json -q | strip > "$tmp/single.json"

for n in 1 2 5 70; do
  mkdir -p "$tmp/s$n"; k=1
  while [ $k -le $n ]; do
    "$bin" run "$scen" --draws $draws --seed 9 --slice $k/$n --out "$tmp/s$n/p$k" \
      --threads $(( (k % 3) + 1 )) -q || bad "slice $k/$n" "exit $?"
    k=$((k + 1))
  done
  "$bin" merge "$tmp"/s$n/p* --format json -q | strip > "$tmp/merged$n.json"
  if [ -s "$tmp/single.json" ] && cmp -s "$tmp/single.json" "$tmp/merged$n.json"; then
    ok "merge of $n slices equals the single run"
  else
    bad "merge of $n slices" "$(diff "$tmp/single.json" "$tmp/merged$n.json" | head -5)"
  fi
done

# Bad merge sets.
expect_refusal() {
  name=$1; want=$2; shift 2
  "$bin" merge "$@" -q > "$tmp/o" 2> "$tmp/e"
  rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] && grep -q -- "$want" "$tmp/e" && [ ! -s "$tmp/o" ]; then
    ok "merge refuses $name"
  else
    bad "merge $name" "exit $rc, stderr: $(cat "$tmp/e")"
  fi
}
s5=$tmp/s5
expect_refusal "a missing slice" "slice 3/5 is missing" "$s5/p1" "$s5/p2" "$s5/p4" "$s5/p5"
expect_refusal "a duplicated slice" "given twice" "$s5/p1" "$s5/p2" "$s5/p2" "$s5/p3" "$s5/p4" "$s5/p5"
"$bin" run "$scen" --draws $draws --seed 10 --slice 3/5 --out "$tmp/other_seed" -q
expect_refusal "a slice of another seed" "seed differs" "$s5/p1" "$s5/p2" "$tmp/other_seed" "$s5/p4" "$s5/p5"
"$bin" run "$scen" --draws 70000 --seed 9 --slice 3/5 --out "$tmp/other_draws" -q
expect_refusal "a slice of another draw count" "number of draws differs" "$s5/p1" "$s5/p2" "$tmp/other_draws" "$s5/p4" "$s5/p5"
cp "$s5/p3/state.simplan" "$tmp/damaged.simplan"
printf '\377' | dd of="$tmp/damaged.simplan" bs=1 seek=5000 conv=notrunc 2>/dev/null
expect_refusal "a damaged state file" "checksum mismatch" "$s5/p1" "$s5/p2" "$tmp/damaged.simplan" "$s5/p4" "$s5/p5"
expect_refusal "a file that is not a state" "not a simplan state file" "$scen"

# Resume with more draws equals a fresh run with that many.
"$bin" run "$scen" --draws 30500 --seed 9 --out "$tmp/r1" -q > /dev/null
"$bin" run "$scen" --draws $draws --resume "$tmp/r1" --format json -q | strip > "$tmp/resumed.json"
if cmp -s "$tmp/single.json" "$tmp/resumed.json"; then ok "resume 30500 -> 60000 draws equals a fresh run"
else bad "resume with more draws" "$(diff "$tmp/single.json" "$tmp/resumed.json" | head -5)"; fi
"$bin" run "$scen" --draws 1000 --resume "$tmp/r1" -q > /dev/null 2> "$tmp/e"
rc=$?
if [ "$rc" -eq 1 ] && grep -q 'already has' "$tmp/e"; then ok "resume with fewer draws is refused"
else bad "resume with fewer draws" "exit $rc: $(cat "$tmp/e")"; fi
"$bin" run "$2/baseline.cfg" --draws $draws --resume "$tmp/r1" -q > /dev/null 2> "$tmp/e"
rc=$?
if [ "$rc" -eq 1 ] && grep -q 'scenario file differs' "$tmp/e"; then ok "resume with another scenario is refused"
else bad "resume with another scenario" "exit $rc: $(cat "$tmp/e")"; fi

# An interrupted run resumed equals a fresh run.
big=4000000
"$bin" run "$scen" --draws $big --seed 9 --out "$tmp/int" --checkpoint 0.2 -q > /dev/null 2>&1 &
pid=$!
sleep 0.7
kill -INT $pid 2>/dev/null
wait $pid
rc=$?
[ -s "$tmp/int/state.simplan" ] && ok "interrupted run (exit $rc) left a state file" ||
  bad "interrupted run" "no state file (exit $rc)"
if [ "$rc" -eq 3 ]; then
  expect_refusal "an incomplete slice" "incomplete" "$tmp/int"
fi
"$bin" run "$scen" --draws $big --resume "$tmp/int" --format json -q | strip > "$tmp/int_resumed.json"
"$bin" run "$scen" --draws $big --seed 9 --format json -q | strip > "$tmp/int_fresh.json"
if [ -s "$tmp/int_fresh.json" ] && cmp -s "$tmp/int_fresh.json" "$tmp/int_resumed.json"; then
  ok "interrupted run resumed equals a fresh run"
else
  bad "interrupted run resumed" "$(diff "$tmp/int_fresh.json" "$tmp/int_resumed.json" | head -5)"
fi

echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
