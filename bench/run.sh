#!/bin/sh
# The benchmark harness: everything bench/RESULTS.md reports, in one run.
#   1. simplan bench on the baseline (all normal): time per draw against
#      the variate bound, thread scaling, peak memory;
#   2. the same scenario with every marginal t, split_normal, uniform;
#   3. cost against draw count, 1e4 .. 1e8 (or MAX_DRAWS): wall time per
#      draw and peak resident memory of `simplan run` on all cores;
#   4. simplan against the vectorised NumPy implementation (bench/
#      numpy_sim.py) on every shipped scenario: agreement of the
#      probabilities within Monte Carlo error and the per-core speed ratio.
# usage: bench/run.sh [SIMPLAN]     (default build/simplan)
# environment: MAX_DRAWS (default 100000000), COMPARE_DRAWS (default 1000000)
set -eu
cd "$(dirname "$0")/.."
bin=${1:-build/simplan}
max_draws=${MAX_DRAWS:-100000000}
compare_draws=${COMPARE_DRAWS:-1000000}
py=/usr/bin/python3

echo "# simplan benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo

echo "## 1. Core against the variate bound (baseline, all normal)"
echo "\$ $bin bench scenarios/baseline.cfg --draws 2000000"
"$bin" bench scenarios/baseline.cfg --draws 2000000
echo

echo "## 2. Cost of the copula transforms (same scenario, 1 thread)"
printf '%-14s %14s %10s\n' marginal "ns/draw" "vs normal"
normal_ns=
for fam in normal t split_normal uniform; do
  ns=$("$bin" bench scenarios/baseline.cfg --draws 2000000 --threads 1 \
         --marginal "$fam" | sed -n 's/^time per draw, 1 thread *\([0-9.]*\) ns.*/\1/p')
  [ -n "$normal_ns" ] || normal_ns=$ns
  printf '%-14s %14s %10s\n' "$fam" "$ns" \
    "$(awk -v a="$ns" -v b="$normal_ns" 'BEGIN { printf "%.2f", a / b }')"
done
echo "(\$ $bin bench scenarios/baseline.cfg --draws 2000000 --threads 1 --marginal FAMILY)"
echo

echo "## 3. Cost against draw count (all cores)"
printf '%12s %10s %12s %12s\n' draws seconds "ns/draw" "peak MiB"
n=10000
while [ "$n" -le "$max_draws" ]; do
  out=$( { /usr/bin/time -f '%e %M' "$bin" run scenarios/baseline.cfg \
           --draws "$n" -q --format csv > /dev/null; } 2>&1 | tail -1)
  s=${out% *}; kib=${out#* }
  awk -v n="$n" -v s="$s" -v k="$kib" \
    'BEGIN { printf "%12d %10.2f %12.1f %12.1f\n", n, s, 1e9 * s / n, k / 1024 }'
  n=$((n * 10))
done
echo "(\$ /usr/bin/time -f '%e %M' $bin run scenarios/baseline.cfg --draws N -q --format csv)"
echo

echo "## 4. MPI ranks (Open MPI, --bind-to none, oversubscribed past 2 cores)"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
printf '%-34s %10s %10s\n' "command" "1e3 draws" "1e7 draws"
for spec in "plain 1" "plain 2" "mpi 1 1" "mpi 2 1" "mpi 1 2" "mpi 2 2" "mpi 4 1"; do
  set -- $spec
  if [ "$1" = plain ]; then
    label="simplan run, $2 threads"; pre=""; threads=$2
  else
    label="mpirun -np $2, $3 threads/rank"; pre="mpirun --bind-to none -np $2"; threads=$3
  fi
  times=""
  for n in 1000 10000000; do
    t=$( { /usr/bin/time -f '%e' $pre "$bin" run scenarios/baseline.cfg --draws $n \
           --threads "$threads" -q --format csv > /dev/null; } 2>&1 | tail -1)
    times="$times $t"
  done
  set -- $times
  printf '%-34s %9ss %9ss\n' "$label" "$1" "$2"
done
echo "(wall seconds of /usr/bin/time; baseline; 1e3 draws shows start-up)"
echo

echo "## 5. simplan against NumPy, per core, $compare_draws draws"
status=0
for scen in scenarios/*.cfg; do
  if grep -q '^observed' "$scen"; then
    echo "(skipped $scen: the NumPy peer does not implement observed years)"
    continue
  fi
  echo "\$ bench/compare.py $bin $scen --draws $compare_draws"
  "$py" bench/compare.py "$bin" "$scen" --draws "$compare_draws" || status=1
  echo
done
exit $status
