#!/bin/sh
# Slices, merge and resume give exactly the single-process result: the
# JSON report (timing and thread fields aside) of `run` equals that of
# `merge` over slices 1/1, 2 and 5 (and 70, more slices than blocks), of a
# run resumed with more draws, and of an interrupted run resumed. Bad
# merge sets (missing, duplicated, other seed, other draw count, damaged
# file, not a state file, incomplete slice) are refused with a message
# saying which. A finished plain run whose last block is partial saves a
# complete state (merge, batch --collect, --resume take it); --resume keeps
# the saved draw count and slice and refuses another slice's state; a
# slice resumes in place; --plots keeps --checkpoint; a crafted state file
# (slices = 2^32, checksum recomputed) is refused, not a crash.
# usage: test_slices.sh SIMPLAN SCENARIOS_DIR
set -u
bin=$1; scen=$2/shock.cfg   # events, a uniform marginal, derived indicators
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; failed=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
strip() { grep -v -e '"elapsed_seconds"' -e '"threads"'; }
same() { [ -s "$1" ] && cmp -s "$1" "$2"; }
# Little-endian 64-bit field at byte $2 of file $1.
u64_at() { od -An -t u8 -j "$2" -N 8 "$1" | tr -d ' '; }
# Writes $3 (0 <= $3 < 2^63) as 8 little-endian bytes at byte $2 of $1.
put_u64() {
  v=$3; bytes=""; i=0
  while [ $i -lt 8 ]; do
    bytes="$bytes$(printf '\\%03o' $((v & 255)))"; v=$((v >> 8)); i=$((i + 1))
  done
  printf "$bytes" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
# Recomputes the SHA-256 that ends state file $1.
rechecksum() {
  body=$(( $(wc -c < "$1") - 32 ))
  head -c "$body" "$1" > "$1.body"
  hex=$(sha256sum "$1.body" | cut -c1-64); oct=""; i=1
  while [ $i -lt 64 ]; do
    oct="$oct$(printf '\\%03o' "0x$(echo "$hex" | cut -c$i-$((i + 1)))")"; i=$((i + 2))
  done
  { cat "$1.body"; printf "$oct"; } > "$1"; rm -f "$1.body"
}
# Byte offset of the `slices` field of state file $1: after the magic,
# format and byte order (20 bytes), four texts, seed, draws, the generator
# name, n_blocks and slice.
slices_offset() {
  off=20; n=0
  while [ $n -lt 4 ]; do off=$((off + 8 + $(u64_at "$1" $off))); n=$((n + 1)); done
  off=$((off + 16)); off=$((off + 8 + $(u64_at "$1" $off)))
  echo $((off + 16))
}

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

# A finished plain run whose last block is partial: its state is complete.
"$bin" run "$scen" --draws $draws --seed 9 --out "$tmp/plain" --no-plots -q > /dev/null
cp -r "$tmp/plain" "$tmp/plain_copy"
"$bin" merge "$tmp/plain" --format json -q 2> "$tmp/e" | strip > "$tmp/plain_merged.json"
if same "$tmp/single.json" "$tmp/plain_merged.json"; then ok "merge of a plain run's directory equals the run"
else bad "merge of a plain run" "$(cat "$tmp/e")"; fi
mkdir -p "$tmp/coll"; cp -r "$tmp/plain" "$tmp/coll/shock"
"$bin" batch --collect "$tmp/coll" --no-plots > "$tmp/o" 2> "$tmp/e"
rc=$?
if [ "$rc" -eq 0 ] && same "$tmp/plain_copy/targets.csv" "$tmp/coll/shock/targets.csv" &&
   same "$tmp/plain_copy/indicators.csv" "$tmp/coll/shock/indicators.csv"; then
  ok "batch --collect takes a plain run's directory"
else bad "batch --collect of a plain run" "exit $rc: $(cat "$tmp/e")"; fi
"$bin" run "$scen" --resume "$tmp/plain" --format json -q 2> "$tmp/e" | strip > "$tmp/resumed_same.json"
if same "$tmp/single.json" "$tmp/resumed_same.json"; then
  ok "resume of a finished run without --draws keeps its $draws draws"
else bad "resume without --draws" "$(cat "$tmp/e"; diff "$tmp/single.json" "$tmp/resumed_same.json" | head -5)"; fi
"$bin" run "$scen" --draws 90000 --seed 9 --format json -q | strip > "$tmp/fresh90.json"
"$bin" run "$scen" --draws 90000 --resume "$tmp/plain" --format json -q 2> "$tmp/e" | strip > "$tmp/resumed90.json"
if same "$tmp/fresh90.json" "$tmp/resumed90.json"; then
  ok "a finished run resumed to 90000 draws equals a fresh run (partial block run again)"
else bad "resume of a finished run with more draws" "$(cat "$tmp/e")"; fi

# --resume checks the slice; a slice resumes in place (no --out).
expect_resume_refusal() {
  name=$1; shift
  "$bin" run "$scen" "$@" -q > /dev/null 2> "$tmp/e"
  rc=$?
  if [ "$rc" -eq 1 ] && grep -q -- "$want1" "$tmp/e" && grep -q -- "$want2" "$tmp/e"; then
    ok "resume refuses $name"
  else bad "resume $name" "exit $rc: $(cat "$tmp/e")"; fi
}
cp -r "$s5/p2" "$tmp/p2copy"   # --out too: older versions needed it
want1="saved state is slice 2/5"; want2="asks for slice 3/5"
expect_resume_refusal "another slice's state" --slice 3/5 --resume "$tmp/p2copy" --out "$tmp/p2copy" --force
want2="asks for a whole run"
expect_resume_refusal "a slice's state for a whole run" --resume "$tmp/p2copy"
want1="--draws"; want2="continues its run's $draws draws"
expect_resume_refusal "a slice with another draw count" --slice 2/5 --draws 70000 --resume "$tmp/p2copy" --out "$tmp/p2copy" --force
cp -r "$s5/p5" "$tmp/p5again"
"$bin" run "$scen" --slice 5/5 --resume "$tmp/p5again" -q 2> "$tmp/e"
rc=$?
"$bin" merge "$s5/p1" "$s5/p2" "$s5/p3" "$s5/p4" "$tmp/p5again" --format json -q | strip > "$tmp/m5again.json"
if [ "$rc" -eq 0 ] && same "$tmp/single.json" "$tmp/m5again.json"; then
  ok "a slice resumed in place (--slice 5/5 --resume DIR, no --out) merges to the single run"
else bad "slice resumed in place" "exit $rc: $(cat "$tmp/e")"; fi

# --plots after --checkpoint keeps it: a checkpoint appears during the run
# (2000 full blocks; only a checkpoint can be incomplete).
"$bin" run "$scen" --draws 2048000 --seed 9 --threads 1 --out "$tmp/cp" \
  --checkpoint 0.001 --plots -q > /dev/null 2>&1 &
pid=$!
i=0
while [ ! -s "$tmp/cp/state.simplan" ] && kill -0 $pid 2>/dev/null && [ $i -lt 3000 ]; do
  sleep 0.05; i=$((i + 1))
done
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
"$bin" merge "$tmp/cp" -q > /dev/null 2> "$tmp/e"
if grep -q "is incomplete" "$tmp/e"; then ok "--checkpoint 0.001 --plots checkpoints during the run"
else bad "--checkpoint with --plots" "no checkpoint before the end: $(cat "$tmp/e")"; fi

# A crafted state file: slices = 2^32 with the checksum recomputed.
cp "$s5/p1/state.simplan" "$tmp/crafted.simplan"
put_u64 "$tmp/crafted.simplan" "$(slices_offset "$tmp/crafted.simplan")" 4294967296
rechecksum "$tmp/crafted.simplan"
expect_refusal "slices = 2^32 (checksum recomputed)" "slices: invalid state file" "$tmp/crafted.simplan"

echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
