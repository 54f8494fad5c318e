#!/bin/sh
# The shipped scenarios quote their own back-test: for every scenario with
# a `backtest = { command = "simplan backtest ..."; ... }` group, running
# that command gives the verdict, 90 % coverage (to the 4 decimals
# written) and count of scored values the group records, and the run
# report quotes them. Each indicator's `sd_factor` is the one its comment's
# command finds on the scenario without its sd_factor lines, rounded up to
# two decimals, and on all draws its 90 % coverage there is at least 0.9
# (ontrack_2024's energy intensity reaches 0.9 on the search's 5000 draws
# at 2.63 and holds only 16 of 21 values on all 20 000 there: the factor
# must be checked on all draws, doc/model.md §15.3).
# Usage: test_backtest_record.sh SIMPLAN SOURCE_DIR
set -u
bin=$1 root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root" || exit 1
fail=0 checked=0
for cfg in scenarios/*.cfg; do
    grep -q '^backtest = {' "$cfg" || continue
    checked=$((checked + 1))
    cmd=$(sed -n 's/^ *command = "simplan \(backtest .*\)";.*/\1/p' "$cfg")
    # shellcheck disable=SC2086 # the command's words
    if ! "$bin" $cmd --format json >"$tmp/bt.json" 2>"$tmp/err"; then
        echo "FAIL: $cfg: simplan $cmd failed:"; cat "$tmp/err"; fail=1; continue
    fi
    "$bin" run "$cfg" --draws 2000 -q >"$tmp/run.txt" 2>&1
    if python3 - "$cfg" "$tmp/bt.json" "$tmp/run.txt" <<'PY'; then
import json, re, sys
text = open(sys.argv[1]).read()
g = text[text.index("\nbacktest = {"):]
rec = {k: re.search(r'\b%s = "?([^";]+)"?;' % k, g).group(1)
       for k in ("verdict", "coverage90", "scored")}
d = json.load(open(sys.argv[2]))
got = {"verdict": d["verdict"], "coverage90": "%.4f" % d["coverage90"],
       "scored": str(d["scored"])}
if got != rec:
    print("  recorded %s, the command gives %s" % (rec, got))
    sys.exit(1)
run = open(sys.argv[3]).read()
want = "Back-test: %s, its 90 %% intervals held %.1f %%" % (rec["verdict"], 100 * float(rec["coverage90"]))
if want not in run:
    print("  the run report does not say: " + want)
    sys.exit(1)
PY
        echo "ok: $cfg records what its back-test gives"
    else
        echo "FAIL: $cfg: its backtest group is not what the command gives"
        fail=1
    fi
done
for cfg in scenarios/*.cfg; do
    grep -q '^ *sd_factor = ' "$cfg" || continue
    sed '/^ *sd_factor = /d' "$cfg" >"$tmp/fitted.cfg"
    if python3 - "$bin" "$cfg" "$tmp/fitted.cfg" <<'PY'; then
import json, math, re, subprocess, sys
bin, cfg, fitted = sys.argv[1:4]
text, bad = open(cfg).read(), []
for m in re.finditer(r"sd_factor = ([0-9.]+);.*?\(simplan (backtest [^)]*)\)", text):
    name = re.findall(r'name = "([^"]+)"', text[:m.start()])[-1]
    words = m.group(2).split()
    words[1] = fitted
    out = subprocess.run([bin] + words + ["--format", "json"], capture_output=True, text=True)
    if out.returncode != 0:
        bad.append("%s: %s failed: %s" % (name, " ".join(words), out.stderr.strip()))
        continue
    b = [x for x in json.loads(out.stdout)["by_indicator"] if x["indicator"] == name]
    f = b[0]["sd_factor"] if b else None
    if f is None or "%.2f" % (math.ceil(f * 100 - 1e-9) / 100) != m.group(1):
        bad.append("%s: sd_factor %s, its back-test finds %s" % (name, m.group(1), f))
    elif b[0]["coverage90_at_sd_factors"] < 0.9:
        bad.append("%s: coverage90 %s on all draws at its factor %s" % (name, b[0]["coverage90_at_sd_factors"], f))
if bad:
    print("  " + "; ".join(bad))
    sys.exit(1)
PY
        echo "ok: $cfg: its sd_factor values are what its back-test finds"
    else
        echo "FAIL: $cfg: an sd_factor is not what its back-test finds"
        fail=1
    fi
done
if [ "$checked" -lt 1 ]; then
    echo "FAIL: no scenario records a back-test"; fail=1
fi
exit "$fail"
