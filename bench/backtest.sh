#!/bin/sh
# Back-test speed: scenarios/baseline.cfg on a 40-region x 16-origin panel
# at 20 000 draws per case, 1 and 2 threads, one back-test pass
# (--no-sd-factor) and with the sd-factor searches (21 passes).
# The panel is data/provinces.csv's regions repeated under new names
# (name_1, name_2, ...) until there are 40: the same series several times,
# for timing only (the scores of a repeated region repeat too).
# usage: bench/backtest.sh [SIMPLAN]     (default build/simplan)
set -eu
bin=${1:-build/simplan}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - data/provinces.csv "$tmp/panel.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
names = []
for r in rows:
    if r["region"] not in names:
        names.append(r["region"])
out = csv.DictWriter(open(sys.argv[2], "w", encoding="utf-8", newline=""),
                     fieldnames=list(rows[0].keys()))
out.writeheader()
made = 0
copy = 1
while made < 40:
    for n in names:
        if made == 40:
            break
        for r in rows:
            if r["region"] == n:
                out.writerow(dict(r, region="%s_%d" % (n, copy)))
        made += 1
    copy += 1
PY
cmd="$bin backtest scenarios/baseline.cfg --data $tmp/panel.csv --origins 2005:2020 --draws 20000 --format json"
echo "| passes | threads | wall s | CPU s | regions scored | cases | values scored |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for mode in one search; do
    for t in 1 2; do
        [ "$mode" = search ] && [ "$t" = 1 ] && continue
        extra=""
        [ "$mode" = one ] && extra="--no-sd-factor"
        # shellcheck disable=SC2086 # the command's words
        /usr/bin/time -f "%e %U %S" -o "$tmp/time" $cmd --threads "$t" $extra >"$tmp/out.json"
        python3 - "$tmp/time" "$tmp/out.json" "$mode" "$t" <<'PY'
import json, sys
e, u, s = (float(x) for x in open(sys.argv[1]).read().split())
d = json.load(open(sys.argv[2]))
passes = "1 (--no-sd-factor)" if sys.argv[3] == "one" else "21 (sd-factor searches)"
print("| %s | %s | %.1f | %.1f | %d | %d | %d |" % (passes, sys.argv[4], e, u + s,
      d["regions"], d["cases"], d["scored"]))
PY
    done
done
