#!/bin/sh
# The complete program of doc/api.md, as printed there: extracted from the
# page, built against the library in the build tree with warnings as
# errors, and run on the baseline scenario. Its P for the scenario as
# planned must be the command's, its targets.csv that of the command's
# run of the changed scenario (the same change written as a #@set line).
# The README's examples "From C" and "From Python" are run as printed
# too, from the repository root.
# Usage: test_api_doc.sh BUILD_DIR SOURCE_DIR
set -eu
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk '/^```c$/ {on = 1; next} /^```$/ {on = 0} on' "$src/doc/api.md" \
    >"$tmp/compare.c"
[ -s "$tmp/compare.c" ] || { echo "no C example in doc/api.md"; exit 1; }
cc -std=c11 -Wall -Wextra -Werror "$tmp/compare.c" -I"$src/include" \
   -L"$build" -lsimplan -o "$tmp/compare"
( cd "$tmp" && LD_LIBRARY_PATH=$build ./compare "$src/scenarios/baseline.cfg" \
    >"$tmp/out.txt" )
cat "$tmp/out.txt"
# One line per target.
n=$("$build/simplan" run "$src/scenarios/baseline.cfg" --draws 20000 \
    --format csv | tail -n +2 | tee "$tmp/plan.csv" | wc -l)
[ "$(wc -l <"$tmp/out.txt")" -eq "$n" ] ||
    { echo "expected $n lines"; exit 1; }
# The changed run, by the command, from the scenario with the #@set line.
{ cat "$src/scenarios/baseline.cfg"
  echo "#@set indicators.gdp.path[0].mean = 0.06"; } >"$tmp/faster.cfg"
"$build/simplan" run "$tmp/faster.cfg" --draws 20000 --format csv \
    >"$tmp/faster.csv"
cmp "$tmp/faster.csv" "$tmp/targets.csv"
# The printed P as planned: the command's probability, to 3 decimals.
/usr/bin/python3 - "$tmp/plan.csv" "$tmp/out.txt" <<'PY'
import csv, sys

rows = {r[0]: float(r[10]) for r in csv.reader(open(sys.argv[1]))}
for line in open(sys.argv[2]):
    words = line.split()
    want = "%.3f" % rows[words[0]]
    if words[2] != want:
        sys.exit("P of %s printed %s, the command's is %s" %
                 (words[0], words[2], want))
PY

# README: the C program and the Python lines, as printed.
section() { # section FILE HEADING LANG: the first LANG block under HEADING
    awk -v h="$2" -v lang="$3" '$0 == h {in_s = 1; next}
        in_s && /^## / {exit}
        in_s && $0 == "```" lang {on = 1; next}
        on && /^```$/ {exit}
        on' "$1"
}
section "$src/README.md" "## From C" c >"$tmp/readme.c"
[ -s "$tmp/readme.c" ] || { echo "no C example in the README"; exit 1; }
cc -std=c11 -Wall -Wextra -Werror "$tmp/readme.c" -I"$src/include" \
   -L"$build" -lsimplan -o "$tmp/readme"
( cd "$src" && LD_LIBRARY_PATH=$build "$tmp/readme" ) >"$tmp/readme.out"
[ "$(wc -l <"$tmp/readme.out")" -eq "$n" ] ||
    { echo "README's C example printed:"; cat "$tmp/readme.out"; exit 1; }
section "$src/README.md" "## From Python" python >"$tmp/readme.py"
[ -s "$tmp/readme.py" ] || { echo "no Python example in the README"; exit 1; }
( cd "$src" && SIMPLAN_LIBRARY=$build/libsimplan.so.0 PYTHONPATH=python \
  PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 "$tmp/readme.py" ) \
    >"$tmp/readme.py.out"
grep -q gdp_2025 "$tmp/readme.py.out" ||
    { echo "README's Python example printed:"; cat "$tmp/readme.py.out"; exit 1; }
echo "doc/api.md's program and the README's examples build, run and agree"
