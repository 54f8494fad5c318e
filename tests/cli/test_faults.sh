#!/bin/bash
# Result directories under real faults. After every fault DIR holds either
# what it held before (nothing, or the previous good run) or one complete
# new run -- never a mix of two runs, a truncated file or a temporary
# file -- and the exit code says which (0 only for a complete run with its
# charts, 3 otherwise, never a signal):
#  - a full disk (a small tmpfs), for a new DIR and with --force over a
#    previous good result, at many fill levels; errors name the file and
#    the system's reason;
#  - the k-th write, fsync or close failing (LD_PRELOAD shim), k = 1..;
#  - two runs of different seeds writing one DIR with --force at once;
#  - symbolic links planted at the temporary names writers used;
#  - kill -9 of a run and of a sweep after several short delays;
#  - a closed stdout: the results are saved, exit 3, no SIGPIPE;
#  - a memory limit that crashes the chart stage: data files published,
#    report.md links no missing chart, exit 3, no SIGSEGV;
#  - a SIGINT after checkpoints of a run with --force over a good result:
#    DIR keeps the good result, the checkpoint is in DIR.resume.
# usage: test_faults.sh SIMPLAN SCENARIOS_DIR SHIM|none
set -u
bin=$1; scen=$2/minimal.cfg; shim=$3
py=/usr/bin/python3
tmp=$(mktemp -d)
mnt=$tmp/mnt
cleanup() {
  mountpoint -q "$mnt" 2>/dev/null && umount "$mnt"
  rm -rf "$tmp"
}
trap cleanup EXIT
pass=0; failed=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
run() { "$bin" run "$scen" --draws 20000 -q "$@"; }

plots=0
case $("$bin" --version) in *"plots on"*) plots=1 ;; esac

# Reference results of seeds 1 and 2.
run --seed 1 --out "$tmp/ref1" > /dev/null || bad "reference run" "seed 1"
run --seed 2 --out "$tmp/ref2" > /dev/null || bad "reference run" "seed 2"
# Seed 3: the longer run that kill -9 interrupts.
"$bin" run "$scen" --draws 200000 --seed 3 -q --out "$tmp/ref3" > /dev/null ||
  bad "reference run" "seed 3"

# check.py DIR [BEFORE]: prints "absent", "before" (identical to the copy
# BEFORE), "complete N" (one whole run of seed N, data files identical to
# ref N, every linked chart a whole PNG or SVG), "checkpoint" (only a
# valid state file) or "BAD: why".
cat > "$tmp/check.py" <<'PY'
import json, os, struct, sys, zlib
d, refs = sys.argv[1], sys.argv[2]
before = sys.argv[3] if len(sys.argv) > 3 else None
DATA = ["targets.csv", "indicators.csv", "iamc.csv", "drivers.csv", "state.simplan"]
def same_tree(a, b):
    if sorted(os.listdir(a)) != sorted(os.listdir(b)):
        return False
    return all(open(os.path.join(a, f), "rb").read() ==
               open(os.path.join(b, f), "rb").read() for f in os.listdir(a))
def png_ok(b):
    if b[:8] != b"\x89PNG\r\n\x1a\n": return False
    at = 8
    while at + 12 <= len(b):
        n, = struct.unpack(">I", b[at:at+4]); t = b[at+4:at+8]
        if at + 12 + n > len(b): return False
        if zlib.crc32(b[at+4:at+8+n]) != struct.unpack(">I", b[at+8+n:at+12+n])[0]: return False
        at += 12 + n
        if t == b"IEND": return at == len(b)
    return False
def svg_ok(b):
    return b"<svg" in b[:512] and b.rstrip().endswith(b"</svg>")
def verdict():
    if not os.path.lexists(d): return "absent"
    if before and os.path.isdir(before) and same_tree(d, before): return "before"
    names = sorted(os.listdir(d))
    if names == ["state.simplan"]:
        return "checkpoint" if open(os.path.join(d, names[0]), "rb").read(12) == b"SIMPLANSTATE" else "BAD: damaged checkpoint"
    hidden = [n for n in names if n.startswith(".") or "tmp" in n]
    if hidden: return "BAD: temporary files %s" % hidden
    try:
        s = json.load(open(os.path.join(d, "summary.json")))
    except Exception as e:
        return "BAD: summary.json: %s" % e
    seed = s["seed"]
    ref = os.path.join(refs, "ref%d" % seed)
    if not os.path.isdir(ref): return "BAD: seed %s" % seed
    for f in DATA:
        p = os.path.join(d, f)
        if not os.path.exists(p): return "BAD: %s missing" % f
        if open(p, "rb").read() != open(os.path.join(ref, f), "rb").read():
            return "BAD: %s is not seed %s's" % (f, seed)
    md = open(os.path.join(d, "report.md")).read()
    charts = [n for n in names if n.endswith(".png") or n.endswith(".svg")]
    for n in charts:
        b = open(os.path.join(d, n), "rb").read()
        if not (png_ok(b) if n.endswith(".png") else svg_ok(b)):
            return "BAD: %s is damaged" % n
    import re
    for link in re.findall(r"\]\(([^)]+\.png)\)", md):
        if link not in names: return "BAD: report.md links missing %s" % link
    for n in charts:
        if n.endswith(".png") and n not in md: return "BAD: %s not in report.md" % n
    extra = set(names) - set(DATA) - {"summary.json", "report.md"} - set(charts)
    if extra: return "BAD: files of another run %s" % sorted(extra)
    return "complete %d%s" % (seed, "" if charts else " nocharts")
print(verdict())
PY
check() { "$py" "$tmp/check.py" "$1" "$tmp" "${2:-}"; }

# A verdict allowed after a fault: the state before, or a complete run of
# seed $want; exit 0 only for a complete run with its charts.
judge() { # name rc verdict want
  name=$1; rc=$2; v=$3; want=$4
  case $v in
    BAD*) bad "$name" "$v (exit $rc)"; return 1 ;;
  esac
  if [ "$rc" -ge 128 ]; then bad "$name" "killed by signal $((rc - 128))"; return 1; fi
  if [ "$rc" -eq 0 ] && [ "$v" != "complete $want" ]; then
    bad "$name" "exit 0 but DIR is '$v'"; return 1; fi
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then bad "$name" "exit $rc"; return 1; fi
  case $v in
    absent|before|"complete $want"|"complete $want nocharts") return 0 ;;
  esac
  bad "$name" "DIR is '$v' (exit $rc)"; return 1
}

# ---- --force over another scenario's result keeps none of its files ----
"$bin" run "$2/baseline.cfg" --draws 2000 -q --out "$tmp/other" > /dev/null 2>&1
run --seed 1 --out "$tmp/other" --force > /dev/null 2> "$tmp/err"
rc=$?
v=$(check "$tmp/other")
if [ $rc -eq 0 ] && [ "$v" = "complete 1" ] && [ ! -e "$tmp/other/fan_nonfossil_share.png" ]; then
  ok "--force over another scenario's result: only the new run's files remain"
else
  bad "--force over another scenario" "exit $rc, $v: $(ls "$tmp/other" | tr '\n' ' ')"
fi

# ---- a full disk --------------------------------------------------------
size=$(du -sk "$tmp/ref1" | cut -f1)
mkdir -p "$mnt"
if mount -t tmpfs -o size=$((size * 3))k tmpfs "$mnt" 2> "$tmp/mount.err"; then
  umount "$mnt"
  errs=0; named=0; cases=0
  for force in 0 1; do
    for pct in 10 30 50 60 70 80 88 95 100 130; do
      # With --force the old run stays until the new one is published.
      limit=$(( size * pct / 100 + force * size ))
      mount -t tmpfs -o size=${limit}k tmpfs "$mnt"
      rm -rf "$tmp/before"
      if [ $force -eq 1 ]; then
        cp -r "$tmp/ref2" "$mnt/out"; cp -r "$tmp/ref2" "$tmp/before"
        run --seed 1 --out "$mnt/out" --force > /dev/null 2> "$tmp/err"
      else
        run --seed 1 --out "$mnt/out" > /dev/null 2> "$tmp/err"
      fi
      rc=$?
      v=$(check "$mnt/out" "$tmp/before")
      cases=$((cases + 1))
      judge "full disk at $pct % (force $force)" $rc "$v" 1 || errs=$((errs + 1))
      if [ $rc -eq 3 ]; then
        if grep -q "No space left on device" "$tmp/err" && grep -q "$mnt/out" "$tmp/err"; then
          named=$((named + 1))
        else
          bad "full disk at $pct % (force $force)" "message: $(cat "$tmp/err")"
        fi
      fi
      left=$(ls -A "$mnt" | grep -v '^out$' | tr '\n' ' ')
      [ -z "$left" ] || bad "full disk at $pct % (force $force)" "left behind: $left"
      umount "$mnt"
    done
  done
  [ $errs -eq 0 ] && ok "full disk: $cases fill levels, DIR as before or complete ($named errors named file and errno)"
else
  bad "tmpfs" "cannot mount: $(cat "$tmp/mount.err")"
fi

# ---- the k-th write, fsync or close fails -------------------------------
if [ "$shim" != none ]; then
  k=1; errs=0; reached=0
  while [ $k -le 200 ]; do
    rm -rf "$tmp/out" "$tmp/before" "$tmp/fault.log"
    cp -r "$tmp/ref2" "$tmp/out"; cp -r "$tmp/ref2" "$tmp/before"
    SP_FAULT=io:$k SP_FAULT_LOG=$tmp/fault.log LD_PRELOAD=$shim \
      run --seed 1 --out "$tmp/out" --force > /dev/null 2> "$tmp/err"
    rc=$?
    [ -s "$tmp/fault.log" ] || break   # past the last call: done
    reached=$((reached + 1))
    judge "failing I/O call $k" $rc "$(check "$tmp/out" "$tmp/before")" 1 || errs=$((errs + 1))
    [ $rc -ne 0 ] || bad "failing I/O call $k" "exit 0 although a call failed"
    k=$((k + 1))
  done
  if [ $reached -ge 10 ] && [ $errs -eq 0 ]; then
    ok "each of the $reached write/fsync/close calls failing: DIR as before or complete"
  elif [ $reached -lt 10 ]; then
    bad "failing I/O calls" "only $reached calls reached"
  fi
  # fsync alone failing with EIO (a disk error after the write).
  rm -rf "$tmp/out"
  SP_FAULT=fsync:3:EIO LD_PRELOAD=$shim run --seed 1 --out "$tmp/out" > /dev/null 2> "$tmp/err"
  rc=$?
  if [ $rc -eq 3 ] && [ ! -e "$tmp/out" ] && grep -q "Input/output error" "$tmp/err" &&
     grep -q "cannot write $tmp/out/" "$tmp/err"; then
    ok "a failing fsync: exit 3, no DIR, the file and errno named"
  else
    bad "failing fsync" "exit $rc, $(ls "$tmp/out" 2>&1 | head -3): $(cat "$tmp/err")"
  fi
else
  echo "skip failing I/O calls (no shim in this build)"
fi

# ---- two writers at once ------------------------------------------------
errs=0
for i in 1 2 3 4 5 6; do
  run --seed 1 --out "$tmp/race" --force > /dev/null 2> "$tmp/e1" & p1=$!
  run --seed 2 --out "$tmp/race" --force > /dev/null 2> "$tmp/e2" & p2=$!
  wait $p1; r1=$?; wait $p2; r2=$?
  v=$(check "$tmp/race")
  case $v in
    "complete 1"|"complete 2") ;;
    *) bad "two writers, round $i" "$v"; errs=$((errs + 1)) ;;
  esac
  if [ $r1 -ne 0 ] || [ $r2 -ne 0 ]; then
    bad "two writers, round $i" "exit $r1 and $r2: $(cat "$tmp/e1" "$tmp/e2")"; errs=$((errs + 1))
  fi
done
[ $errs -eq 0 ] && ok "two runs writing one DIR at once: one complete run every time"
left=$(ls -A "$tmp" | grep '^\.race' | tr '\n' ' ')
[ -z "$left" ] && ok "no private directory left beside DIR" || bad "two writers" "left $left"

# ---- planted symbolic links ---------------------------------------------
rm -rf "$tmp/sym"; cp -r "$tmp/ref2" "$tmp/sym"
echo precious > "$tmp/outside"
for n in .targets.csv.tmp .summary.json.tmp .report.md.tmp state.simplan.tmp \
         .targets.tmp.png .fan_gdp.tmp.svg; do
  ln -s "$tmp/outside" "$tmp/sym/$n"
done
ln -s "$tmp/outside" "$tmp/.sym.aaaaaa"
run --seed 1 --out "$tmp/sym" --force > /dev/null 2> "$tmp/err"
rc=$?
if [ "$(cat "$tmp/outside")" = precious ] && [ $rc -eq 0 ] &&
   [ "$(check "$tmp/sym")" = "complete 1" ]; then
  ok "symlinks planted at temporary names: not followed, the file outside unchanged"
else
  bad "planted symlinks" "exit $rc, outside: $(head -c 60 "$tmp/outside"), DIR: $(check "$tmp/sym")"
fi

# ---- kill -9 ------------------------------------------------------------
errs=0
for delay in 0.05 0.1 0.2 0.3 0.5 0.7 0.9 1.2; do
  rm -rf "$tmp/k" "$tmp/before"; cp -r "$tmp/ref2" "$tmp/k"; cp -r "$tmp/ref2" "$tmp/before"
  "$bin" run "$scen" --draws 200000 --seed 3 -q --out "$tmp/k" --force > /dev/null 2>&1 &
  pid=$!
  sleep $delay; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
  v=$(check "$tmp/k" "$tmp/before")
  case $v in
    before|"complete 3") ;;
    *) bad "kill -9 of a run after $delay s" "$v"; errs=$((errs + 1)) ;;
  esac
done
[ $errs -eq 0 ] && ok "kill -9 of a run at 8 points: DIR as before or complete"

# Sweeps: sweep.csv and the charts are one result too.
sweep() { "$bin" sweep "$scen" --vary 'indicators.gdp.path[0].mean=0.03:0.07:5' \
  --draws 20000 --seed 1 -q "$@"; }
sweep --out "$tmp/sw_ref" > /dev/null 2>&1 || bad "sweep" "reference failed"
sweep_check() { # DIR: "before", or BAD
  "$py" - "$1" "$tmp/sw_ref" <<'PY'
import os, sys
d, ref = sys.argv[1], sys.argv[2]
names = sorted(os.listdir(d))
if names != sorted(os.listdir(ref)):
    print("BAD: files %s" % names); sys.exit()
for n in names:
    if open(os.path.join(d, n), "rb").read() != open(os.path.join(ref, n), "rb").read():
        print("BAD: %s differs from a complete sweep" % n); sys.exit()
print("complete")
PY
}
errs=0
for delay in 0.1 0.3 0.5 0.8 1.1 1.5; do
  rm -rf "$tmp/swk"; cp -r "$tmp/sw_ref" "$tmp/swk"
  sweep --out "$tmp/swk" --force > /dev/null 2>&1 &
  pid=$!
  sleep $delay; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
  v=$(sweep_check "$tmp/swk")
  [ "$v" = complete ] || { bad "kill -9 of a sweep after $delay s" "$v"; errs=$((errs + 1)); }
done
[ $errs -eq 0 ] && ok "kill -9 of a sweep at 6 points: sweep.csv and charts whole"

# ---- solve --out writes its result through the same writer -------------
solve() { "$bin" solve "$scen" --target ei_2025 --prob 0.5 \
  --vary 'indicators.energy_intensity.path[0].mean' --draws 5000 "$@"; }
rm -rf "$tmp/solve"
solve --out "$tmp/solve" > "$tmp/solve.out" 2> "$tmp/err"
rc=$?
if [ $rc -eq 0 ] && [ "$(ls "$tmp/solve" | tr '\n' ' ')" = "solve.csv solve.json " ] &&
   "$py" -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['target']=='ei_2025'" \
     "$tmp/solve/solve.json" && grep -q '^"ei_2025",0.5,' "$tmp/solve/solve.csv"; then
  ok "solve --out DIR writes solve.csv and solve.json"
else
  bad "solve --out" "exit $rc, $(ls "$tmp/solve" 2>&1): $(cat "$tmp/err")"
fi
solve --out "$tmp/solve" > /dev/null 2> "$tmp/err"
rc=$?
if [ $rc -eq 3 ] && grep -q -- --force "$tmp/err"; then ok "solve --out over an existing DIR needs --force"
else bad "solve --out existing" "exit $rc: $(cat "$tmp/err")"; fi

# ---- a DIR so long that DIR/summary.json does not fit in a path ---------
deep=$tmp
while [ ${#deep} -lt 3990 ]; do
  deep=$deep/$(printf '%0200d' 0 | tr 0 d)
  mkdir "$deep" || break
done
long=$deep/$(printf '%0*d' $((4090 - ${#deep} - 1)) 0 | tr 0 r)
run --seed 1 --out "$long" > /dev/null 2> "$tmp/err"
rc=$?
trunc=$(find "$tmp" -name 'summary.j*' ! -name summary.json | head -1)
if [ $rc -eq 3 ] && grep -q "too long" "$tmp/err" && [ -z "$trunc" ] && [ ! -e "$long" ]; then
  ok "a DIR too long for its file names: exit 3, no file under a truncated name"
else
  bad "long DIR" "exit $rc, truncated: $trunc: $(head -c 200 "$tmp/err")"
fi
rm -rf "$tmp/dddd"*

# ---- a closed stdout ----------------------------------------------------
rm -rf "$tmp/pipe"
"$py" - "$bin" "$scen" "$tmp/pipe" > "$tmp/pipe.out" 2>&1 <<'PY'
import os, subprocess, sys
r, w = os.pipe()
os.close(r)                      # the reader is gone before anything is written
p = subprocess.run([sys.argv[1], "run", sys.argv[2], "--draws", "20000", "--seed", "1",
                    "-q", "--out", sys.argv[3]], stdout=w, stderr=subprocess.PIPE)
print(p.returncode)
print(p.stderr.decode())
PY
rc=$(head -1 "$tmp/pipe.out")
if [ "$rc" = 3 ] && [ "$(check "$tmp/pipe")" = "complete 1" ] &&
   grep -q "standard output: Broken pipe" "$tmp/pipe.out"; then
  ok "closed stdout: results saved, exit 3 with a message, no SIGPIPE"
else
  bad "closed stdout" "$(cat "$tmp/pipe.out"), DIR: $(check "$tmp/pipe")"
fi
rm -rf "$tmp/pipe"
{ run --seed 1 --out "$tmp/pipe"; echo $? > "$tmp/rc"; } | head -1 > /dev/null
rc=$(cat "$tmp/rc")
if { [ "$rc" = 0 ] || [ "$rc" = 3 ]; } && [ "$(check "$tmp/pipe")" = "complete 1" ]; then
  ok "run --out D | head -1: D complete, exit $rc"
else
  bad "| head -1" "exit $rc, DIR: $(check "$tmp/pipe")"
fi

# ---- a memory limit -----------------------------------------------------
if [ "$shim" != none ] && [ $plots -eq 1 ] && command -v prlimit > /dev/null; then
  errs=0; chart_fail=0
  for mb in 50 60 70 80 90 100 120 150; do
    rm -rf "$tmp/mem"
    prlimit --as=$((mb * 1024 * 1024)) "$bin" run "$scen" --draws 20000 --seed 1 -q \
      --out "$tmp/mem" > /dev/null 2> "$tmp/err"
    rc=$?
    v=$(check "$tmp/mem")
    judge "memory limit $mb MB" $rc "$v" 1 || errs=$((errs + 1))
    if [ "$v" = "complete 1 nocharts" ]; then
      if [ $rc -eq 3 ] && grep -q "the charts were not written (chart stage" "$tmp/err"; then
        chart_fail=$((chart_fail + 1))
      else
        bad "memory limit $mb MB" "no charts but exit $rc: $(tail -2 "$tmp/err")"
      fi
    fi
  done
  if [ $errs -eq 0 ] && [ $chart_fail -gt 0 ]; then
    ok "memory limits: never a signal; $chart_fail limits failed the charts and kept the data (exit 3)"
  elif [ $chart_fail -eq 0 ]; then
    bad "memory limit" "no limit made the chart stage fail; widen the range"
  fi
else
  echo "skip memory limits (sanitizer build, no plots or no prlimit)"
fi

# ---- a checkpoint never replaces a complete run ---------------------------
# With --force over a good result, the checkpoints of the new run go to
# DIR.resume; a SIGINT leaves DIR as it was, and --resume DIR.resume
# finishes the run into DIR, equal to a single run, and removes DIR.resume.
rm -rf "$tmp/cp" "$tmp/cp.resume"
cp -r "$tmp/ref1" "$tmp/cp"
"$bin" run "$scen" --draws 4000000 --seed 5 -q --no-plots --out "$tmp/cp" \
  --force --checkpoint 0.05 > /dev/null 2> "$tmp/cp.err" &
pid=$!
for _ in $(seq 1 600); do
  [ -f "$tmp/cp.resume/state.simplan" ] && break
  kill -0 $pid 2>/dev/null || break
  sleep 0.1
done
kill -INT $pid 2>/dev/null
wait $pid
rc=$?
v=$($py "$tmp/check.py" "$tmp/cp" "$tmp" "$tmp/ref1")
if [ ! -f "$tmp/cp.resume/state.simplan" ]; then
  bad "checkpoint beside a complete run" "no DIR.resume/state.simplan (exit $rc)"
elif [ $rc -ne 3 ] || [ "$v" != "before" ]; then
  bad "checkpoint beside a complete run" "exit $rc, DIR $v"
elif ! grep -q "cp.resume/state.simplan for --resume" "$tmp/cp.err"; then
  bad "checkpoint beside a complete run" "message: $(cat "$tmp/cp.err")"
else
  ok "a SIGINT after checkpoints with --force: DIR is the old run, the state in DIR.resume"
  "$bin" run "$scen" --draws 4000000 --seed 5 -q --no-plots \
    --resume "$tmp/cp.resume" --out "$tmp/cp" --force > /dev/null 2> "$tmp/cp.err"
  rc=$?
  "$bin" run "$scen" --draws 4000000 --seed 5 -q --no-plots \
    --out "$tmp/cp.single" > /dev/null
  if [ $rc -eq 0 ] && cmp -s "$tmp/cp/targets.csv" "$tmp/cp.single/targets.csv" &&
     cmp -s "$tmp/cp/indicators.csv" "$tmp/cp.single/indicators.csv" &&
     [ ! -e "$tmp/cp.resume" ]; then
    ok "--resume DIR.resume completes DIR as a single run would and removes DIR.resume"
  else
    bad "resume from DIR.resume" "exit $rc: $(tail -2 "$tmp/cp.err")"
  fi
fi

echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
