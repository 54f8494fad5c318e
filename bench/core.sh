#!/bin/sh
# Per-core speed of the full baseline report against the fastest NumPy
# peer and against the variate bound, side by side in one run: whole-
# process CPU seconds (user + sys, /usr/bin/time) of 1-thread runs of
# 2 000 000 draws, each program ROUNDS times in alternation, the median
# taken. Also the callgrind instruction count per draw of simplan's
# marginal draw (the difference of two run lengths), which is exact and
# repeatable where the timings are not.
# usage: bench/core.sh [SIMPLAN [OTHER_SIMPLAN]]   (default build/simplan;
#        OTHER_SIMPLAN, e.g. an older build, is timed beside it)
# environment: DRAWS (default 2000000), ROUNDS (default 3), CALLGRIND=0
#              to skip the instruction counts
set -eu
cd "$(dirname "$0")/.."
bin=${1:-build/simplan}
other=${2:-}
draws=${DRAWS:-2000000}
rounds=${ROUNDS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# NumPy on one thread, without the machine's OpenBLAS overrides
py="env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 /usr/bin/python3"
cpu() { # cpu NAME COMMAND...: appends NAME's CPU seconds to $tmp/NAME
    name=$1; shift
    /usr/bin/time -f '%U %S' -o "$tmp/t" "$@" >/dev/null 2>"$tmp/err" ||
        { cat "$tmp/err" >&2; exit 1; }
    awk '{ print $1 + $2 }' "$tmp/t" >>"$tmp/$name"
}
run_args="run scenarios/baseline.cfg --draws $draws --threads 1 -q --format json"
i=0
while [ "$i" -lt "$rounds" ]; do
    # shellcheck disable=SC2086 # the command's words
    cpu simplan "$bin" $run_args
    # shellcheck disable=SC2086
    cpu simplan_noparam "$bin" $run_args --param-sets 0
    if [ -n "$other" ]; then
        # shellcheck disable=SC2086
        cpu other_noparam "$other" $run_args --param-sets 0
    fi
    # shellcheck disable=SC2086 # the command's words
    cpu numpy_prob $py bench/numpy_sim.py scenarios/baseline.cfg \
        --draws "$draws" --report probabilities --json
    # shellcheck disable=SC2086
    cpu numpy_full $py bench/numpy_sim.py scenarios/baseline.cfg \
        --draws "$draws" --report full --json
    "$bin" bench scenarios/baseline.cfg --draws "$draws" --threads 1 \
        --format json >"$tmp/bench$i.json"
    i=$((i + 1))
done
median() { sort -n "$tmp/$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "| program (1 thread, $draws draws, median of $rounds) | CPU s | ns per draw | vs NumPy probabilities only |"
echo "|---|---:|---:|---:|"
np=$(median numpy_prob)
for name in simplan simplan_noparam other_noparam numpy_prob numpy_full; do
    [ -s "$tmp/$name" ] || continue
    s=$(median "$name")
    label=$(case $name in
        simplan) echo "simplan run (full report, default 200 parameter sets)" ;;
        simplan_noparam) echo "simplan run --param-sets 0 (full report)" ;;
        other_noparam) echo "$other run --param-sets 0" ;;
        numpy_prob) echo "numpy_sim.py --report probabilities" ;;
        numpy_full) echo "numpy_sim.py --report full" ;;
    esac)
    awk -v l="$label" -v s="$s" -v n="$draws" -v np="$np" \
        'BEGIN { printf "| %s | %.2f | %.0f | %.2fx |\n", l, s, 1e9 * s / n, np / s }'
done
echo
/usr/bin/python3 - "$tmp" "$rounds" <<'PY'
import json, statistics, sys
runs = [json.load(open("%s/bench%d.json" % (sys.argv[1], i))) for i in range(int(sys.argv[2]))]
ns = statistics.median(r["ns_per_draw"] for r in runs)
bound = statistics.median(r["bound_ns_per_draw"] for r in runs)
ratio = statistics.median(r["bound_ratio"] for r in runs)
print("simplan bench (core only, 1 thread, median of %d): %.1f ns per draw, "
      "variate bound %.1f ns (%s, %.0f normals a draw), %.2fx the bound"
      % (len(runs), ns, bound, runs[0]["normal_method"], runs[0]["normals_per_draw"], ratio))
PY
if [ "${CALLGRIND:-1}" != 0 ] && command -v valgrind >/dev/null; then
    for n in 100000 300000; do
        valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.$n" "$bin" run \
            scenarios/baseline.cfg --draws "$n" -q --threads 1 --param-sets 0 \
            --no-plots >/dev/null 2>"$tmp/cgerr.$n"
    done
    /usr/bin/python3 - "$tmp" <<'PY'
import re, subprocess, sys
def funcs(f):
    out = subprocess.run(["callgrind_annotate", f], capture_output=True, text=True).stdout
    d = {}
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+) \([ \d.]+%\)\s+\S*:(\S+)", line)
        if m:
            d[m.group(2)] = int(m.group(1).replace(",", ""))
    return d
a, b = funcs(sys.argv[1] + "/cg.100000"), funcs(sys.argv[1] + "/cg.300000")
rows = sorted(((b.get(k, 0) - a.get(k, 0), k) for k in set(a) | set(b)), reverse=True)
total = sum(r[0] for r in rows)
print()
print("Instructions per marginal draw (callgrind, run --draws 300000 minus 100000, 1 thread): %.0f" % (total / 200000))
print()
print("| function | per draw | share |")
print("|---|---:|---:|")
for d, k in rows[:10]:
    print("| `%s` | %.0f | %.1f %% |" % (k, d / 200000, 100 * d / total))
PY
fi
