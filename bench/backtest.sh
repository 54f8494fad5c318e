#!/bin/sh
# Back-test speed: scenarios/baseline.cfg on a 40-region x 16-origin panel
# at 20 000 draws per case, 1 and 2 threads, one back-test pass
# (--no-sd-factor), with the sd-factor searches on each case's first 5000
# draws (the default) and with them on all draws (--search-draws 0).
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
echo "| command | threads | wall s | CPU s | regions scored | cases | values scored | sd factor | own sd factors |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
for mode in one search full; do
    for t in 1 2; do
        [ "$mode" != one ] && [ "$t" = 1 ] && continue
        extra=""
        [ "$mode" = one ] && extra="--no-sd-factor"
        [ "$mode" = full ] && extra="--search-draws 0"
        # shellcheck disable=SC2086 # the command's words
        /usr/bin/time -f "%e %U %S" -o "$tmp/time" $cmd --threads "$t" $extra >"$tmp/out.json"
        python3 - "$tmp/time" "$tmp/out.json" "$mode" "$t" <<'PY'
import json, sys
e, u, s = (float(x) for x in open(sys.argv[1]).read().split())
d = json.load(open(sys.argv[2]))
mode = sys.argv[3]
passes = {"one": "scored pass only (--no-sd-factor)",
          "search": "with sd-factor searches on 5000 draws (default)",
          "full": "with sd-factor searches on all draws (--search-draws 0)"}[mode]
f = ("%.4f" % d["sd_factor"]) if d.get("sd_factor") else "-"
own = " ".join("%s %.4f" % (b["indicator"], b["sd_factor"]) for b in d["by_indicator"]
               if b.get("sd_factor")) or "-"
print("| %s | %s | %.1f | %.1f | %d | %d | %d | %s | %s |" % (passes, sys.argv[4], e, u + s,
      d["regions"], d["cases"], d["scored"], f, own))
PY
    done
done
