#!/bin/sh
# Result files of `simplan run --out DIR`: every file is there with its
# stated columns, the CSVs agree with summary.json, the JSON has every key
# of the schema, the scenario's SHA-256 is right, charts (when built with
# plots) have the expected type and size, an existing DIR needs --force, an
# unwritable DIR exits 3, and a run interrupted by a signal leaves no report
# file, only a complete state file.
# usage: test_output.sh SIMPLAN SCENARIOS_DIR
set -u
bin=$1; scen_dir=$2
py=/usr/bin/python3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; failed=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

scen=$scen_dir/baseline.cfg
out=$tmp/run1
"$bin" run "$scen" --draws 30000 --seed 5 -q --out "$out" > "$tmp/stdout" 2> "$tmp/stderr"
rc=$?
[ "$rc" -eq 0 ] && ok "run --out exits 0" || bad "run --out" "exit $rc: $(cat "$tmp/stderr")"

plots=0
case $("$bin" --version) in *"plots on"*) plots=1 ;; esac
for f in summary.json targets.csv indicators.csv iamc.csv report.md state.simplan; do
  [ -s "$out/$f" ] && ok "$f written" || bad "$f" "missing or empty"
done
if ls -a "$out" | grep -q '\.tmp'; then bad "temporary files" "left in DIR"; else ok "no temporary files left"; fi

# Contents, checked against summary.json.
"$py" - "$out" "$scen" "$plots" <<'PY' > "$tmp/py.out" 2>&1
import csv, hashlib, json, math, os, struct, sys
out, scen, plots = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
problems = []
def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
d = json.load(open(os.path.join(out, "summary.json")))
keys = ["simplan_version", "scenario", "draws", "seed", "rng", "threads",
        "elapsed_seconds", "targets", "indicators", "warnings",
        "scenario_sha256", "command_line", "settings"]
check(all(k in d for k in keys), "summary.json has every top-level key")
check(all(k in d["scenario"] for k in ["name", "file", "base_year", "horizon"]),
      "summary.json scenario has name, file, base_year, horizon")
tk = ["id", "name", "probability", "ci95", "met", "measure"]
check(all(all(k in t for k in tk) for t in d["targets"]),
      "every target has id, name, probability, ci95, met, measure")
ik = ["name", "years", "mean", "p05", "p25", "p50", "p75", "p95"]
check(all(all(k in i for k in ik) for i in d["indicators"]),
      "every indicator has name, years, mean and p05..p95")
sha = hashlib.sha256(open(scen, "rb").read()).hexdigest()
check(d["scenario_sha256"] == sha, "scenario_sha256 is the file's SHA-256")
check(d["settings"]["draws"] == 30000 and d["settings"]["seed"] == 5,
      "settings record draws and seed")
check("--out" in d["command_line"] and d["command_line"].find("run") <
      d["command_line"].find("--out"), "command_line is the command as typed")

rows = list(csv.DictReader(open(os.path.join(out, "targets.csv"))))
cols = ["id", "name", "indicator", "measure", "from", "to", "op", "value",
        "lo", "hi", "probability", "ci_low", "ci_high", "met", "draws",
        "mean", "p05", "p25", "p50", "p75", "p95", "param_mean", "param_low",
        "param_high"]
check(rows and list(rows[0].keys()) == cols, "targets.csv has the stated columns")
check(len(rows) == len(d["targets"]), "targets.csv has one row per target")
agree = True
for r, t in zip(rows, d["targets"]):
    agree &= r["id"] == t["id"] and float(r["probability"]) == t["probability"]
    agree &= float(r["ci_low"]) == t["ci95"][0] and float(r["ci_high"]) == t["ci95"][1]
    agree &= int(r["met"]) == t["met"] and int(r["draws"]) == d["draws"]
    if t["measure"] is not None:
        for k in ["mean", "p05", "p25", "p50", "p75", "p95"]:
            agree &= float(r[k]) == t["measure"][k]
check(agree, "targets.csv agrees with summary.json")

rows = list(csv.DictReader(open(os.path.join(out, "indicators.csv"))))
check(rows and list(rows[0].keys()) == ["indicator", "year", "statistic", "value"],
      "indicators.csv has columns indicator, year, statistic, value")
byname = {i["name"]: i for i in d["indicators"]}
agree = len(rows) == sum(6 * len(i["years"]) for i in d["indicators"])
for r in rows:
    i = byname[r["indicator"]]
    agree &= float(r["value"]) == i[r["statistic"]][i["years"].index(int(r["year"]))]
check(agree, "indicators.csv agrees with summary.json, one row per statistic")

rows = list(csv.reader(open(os.path.join(out, "iamc.csv"))))
head = rows[0]
years = [str(y) for y in range(d["scenario"]["base_year"], d["scenario"]["horizon"] + 1)]
check(head == ["Model", "Scenario", "Region", "Variable", "Unit"] + years,
      "iamc.csv has the IAMC template columns")
check(len(rows) - 1 == 6 * len(d["indicators"]), "iamc.csv has six rows per indicator")
med = {r[3]: r for r in rows[1:]}
g = byname["gdp"]
check(float(med["gdp|Median"][5 + 5]) == g["p50"][5], "iamc.csv gdp|Median 2025 equals the JSON median")
check(all(r[2] == "Inner Mongolia" and r[4] for r in rows[1:]), "iamc.csv has region and units")

def png_size(p):
    b = open(p, "rb").read(24)
    return b[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", b[16:24])
if plots:
    names = ["targets"] + ["fan_" + i["name"] for i in d["indicators"]]
    for n in names:
        p = os.path.join(out, n + ".png")
        s = os.path.join(out, n + ".svg")
        check(os.path.getsize(p) > 1000 and png_size(p) == (1000, 700),
              n + ".png is a 1000x700 PNG")
        check(os.path.getsize(s) > 1000 and b"<svg" in open(s, "rb").read(),
              n + ".svg is an SVG")
    md = open(os.path.join(out, "report.md")).read()
    check("![" in md and "targets.png" in md, "report.md shows the charts")
PY
while IFS= read -r line; do
  case $line in
    ok*) ok "${line#ok   }" ;;
    FAIL*) bad "${line#FAIL }" "see above" ;;
    *) bad "python check" "$line" ;;
  esac
done < "$tmp/py.out"

# An existing DIR needs --force.
"$bin" run "$scen" --draws 2000 -q --out "$out" > /dev/null 2> "$tmp/err"
rc=$?
if [ "$rc" -eq 3 ] && grep -q -- '--force' "$tmp/err"; then ok "existing DIR without --force: exit 3"
else bad "existing DIR" "exit $rc: $(cat "$tmp/err")"; fi
"$bin" run "$scen" --draws 2000 -q --out "$out" --force > /dev/null 2> "$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && ok "existing DIR with --force: exit 0" || bad "--force" "exit $rc"

# Unwritable places.
touch "$tmp/file"
for place in "$tmp/file/sub" "/proc/simplan-out" "$tmp/missing/parent/dir"; do
  "$bin" run "$scen" --draws 2000 -q --out "$place" > "$tmp/o" 2> "$tmp/err"
  rc=$?
  if [ "$rc" -eq 3 ] && [ -s "$tmp/err" ] && [ ! -s "$tmp/o" ]; then ok "--out $place: exit 3 with a message"
  else bad "--out $place" "exit $rc: $(cat "$tmp/err")"; fi
done

# A signal mid-run leaves no report file: only the state of the finished
# blocks, complete and valid (resuming from it is tested in test_slices.sh).
for sig in INT TERM; do
  dir=$tmp/interrupted_$sig
  "$bin" run "$scen" --draws 10000000000 -q --out "$dir" > /dev/null 2> "$tmp/err" &
  pid=$!
  sleep 1.5
  kill -s "$sig" "$pid"
  wait "$pid"
  rc=$?
  left=$(ls -A "$dir" 2>/dev/null | tr '\n' ' ')
  if [ "$rc" -eq 3 ] && [ "$left" = "state.simplan " ] && grep -q interrupted "$tmp/err"; then
    ok "SIG$sig mid-run: exit 3, only the state file in DIR"
  else
    bad "SIG$sig mid-run" "exit $rc, files: $left: $(cat "$tmp/err")"
  fi
done

echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
