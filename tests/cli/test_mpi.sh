#!/bin/sh
# One run across MPI ranks: mpirun -np 1, 2 and 3 (oversubscribed on this
# machine, with OpenMP threads inside each rank) give byte-identical JSON
# (timing and thread fields aside) to the single-process run, also with
# --variance-reduction rqmc, and rank 0 writes the result directory.
# usage: test_mpi.sh SIMPLAN SCENARIOS_DIR
set -u
bin=$1; scen=$2/shock.cfg
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; failed=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
strip() { grep -v -e '"elapsed_seconds"' -e '"threads"'; }
# As root Open MPI needs these; ranks may outnumber cores here.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
# Open MPI keeps some allocations until exit; not simplan's leaks.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"

"$bin" run "$scen" --draws 60000 --seed 9 --format json -q | strip > "$tmp/single.json"
for np in 1 2 3; do
  for threads in 1 2; do
    mpirun --bind-to none -np $np "$bin" run "$scen" --draws 60000 --seed 9 \
      --threads $threads --format json -q 2> "$tmp/err" | strip > "$tmp/mpi.json"
    if [ -s "$tmp/single.json" ] && cmp -s "$tmp/single.json" "$tmp/mpi.json"; then
      ok "mpirun -np $np, $threads threads per rank: identical to one process"
    else
      bad "mpirun -np $np, $threads threads" "$(head -c 400 "$tmp/err"; diff "$tmp/single.json" "$tmp/mpi.json" | head -4)"
    fi
  done
done
# With --variance-reduction rqmc each rank's state carries the
# randomisations' counts, and the merged interval is the single run's.
"$bin" run "$scen" --draws 32768 --seed 9 --variance-reduction rqmc \
  --format json -q | strip > "$tmp/single_rqmc.json"
mpirun --bind-to none -np 3 "$bin" run "$scen" --draws 32768 --seed 9 \
  --variance-reduction rqmc --format json -q 2> "$tmp/err" | strip > "$tmp/mpi.json"
if [ -s "$tmp/single_rqmc.json" ] && grep -q '"rqmc"' "$tmp/mpi.json" &&
   cmp -s "$tmp/single_rqmc.json" "$tmp/mpi.json"; then
  ok "mpirun -np 3 with rqmc: identical to one process"
else
  bad "mpirun -np 3 with rqmc" "$(head -c 400 "$tmp/err"; diff "$tmp/single_rqmc.json" "$tmp/mpi.json" | head -4)"
fi
mpirun --bind-to none -np 2 "$bin" run "$scen" --draws 20000 --seed 9 -q \
  --out "$tmp/out" --no-plots > /dev/null 2> "$tmp/err"
if [ -s "$tmp/out/summary.json" ] && [ -s "$tmp/out/state.simplan" ]; then
  ok "mpirun -np 2 --out: rank 0 writes the result directory"
else
  bad "mpirun --out" "$(ls "$tmp/out" 2>&1) $(head -c 300 "$tmp/err")"
fi
mpirun --bind-to none -np 2 "$bin" run "$scen" --draws 2000 --slice 1/2 \
  --out "$tmp/x" -q > /dev/null 2> "$tmp/err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q 'not available under MPI' "$tmp/err"; then
  ok "--slice under MPI is refused"
else
  bad "--slice under MPI" "exit $rc: $(head -c 300 "$tmp/err")"
fi
echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
