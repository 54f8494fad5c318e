#!/bin/sh
# The shipped scenarios quote their own back-test: for every scenario with
# a `backtest = { command = "simplan backtest ..."; ... }` group, running
# that command gives the verdict, 90 % coverage (to the 4 decimals
# written) and count of scored values the group records, and the run
# report quotes them.
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
if [ "$checked" -lt 1 ]; then
    echo "FAIL: no scenario records a back-test"; fail=1
fi
exit "$fail"
