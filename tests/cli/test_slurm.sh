#!/bin/sh
# The Slurm scripts on a real single-node Slurm on localhost: this test
# writes its own slurm.conf (one node, proctrack/linuxproc, task/none,
# select/cons_tres, no accounting, state under a temporary directory,
# credentials that expire after 10 s so that a requeued job may start
# again 10 s later instead of 120),
# starts munged, slurmctld and slurmd itself, then
#   1. submits a run as a 3-task job array plus a dependent merge job
#      (scripts/slurm/submit-slices.sh) and checks the merged results equal
#      a single-process run (targets.csv and indicators.csv byte for byte);
#   2. submits the MPI batch script with 2 ranks (srun --mpi=pmix) and
#      checks the same;
#   3. runs a two-scenario batch as an array and collects it;
#   4. requeues a running slice task (scontrol requeue: SIGTERM, then the
#      task runs again), which resumes from its saved state, and checks
#      the merged results equal a single-process run;
# and stops exactly the daemons it started, by their PIDs.
# usage: test_slurm.sh SIMPLAN SCENARIOS_DIR SLURM_SCRIPTS_DIR
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
scen_dir=$(cd "$2" && pwd); scripts=$(cd "$3" && pwd)
pass=0; failed=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

if [ "$(id -u)" -ne 0 ] || ! command -v slurmctld > /dev/null; then
  echo "FAIL setup: needs root and slurm-wlm (make test installs it)"
  echo "0 passed, 1 failed"; exit 1
fi
tmp=$(mktemp -d /tmp/simplan-slurm.XXXXXX)
chmod 0755 "$tmp"
pids=""
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null; done
  for p in $pids; do
    i=0; while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    kill -9 "$p" 2>/dev/null
  done
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

host=$(hostname -s)
install -d -o munge -g munge -m 0711 "$tmp/munge"
mkdir -p "$tmp/state" "$tmp/spool" "$tmp/log" "$tmp/work"
cat > "$tmp/slurm.conf" <<CONF
ClusterName=simplantest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$tmp/munge/socket,cred_expire=10
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
export SLURM_CONF="$tmp/slurm.conf"
# Open MPI keeps some allocations until exit (sanitizer builds).
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"

setpriv --reuid=munge --regid=munge --clear-groups munged -F \
  --socket="$tmp/munge/socket" --pid-file="$tmp/munge/pid" \
  --log-file="$tmp/munge/log" --seed-file="$tmp/munge/seed" > "$tmp/log/munged.out" 2>&1 &
pids="$pids $!"
i=0; while [ ! -S "$tmp/munge/socket" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
slurmctld -D -f "$SLURM_CONF" > "$tmp/log/slurmctld.out" 2>&1 &
pids="$pids $!"
slurmd -D -f "$SLURM_CONF" > "$tmp/log/slurmd.out" 2>&1 &
pids="$pids $!"
state=
i=0; while [ $i -lt 120 ]; do
  state=$(sinfo -h -o %T 2>/dev/null); [ "$state" = idle ] && break
  sleep 0.5; i=$((i + 1))
done
if [ "$state" = idle ]; then ok "single-node Slurm is up (node $host idle)"
else
  bad "Slurm start" "node state '$state'"; tail -n 5 "$tmp"/log/* >&2
  echo "$pass passed, $failed failed"; exit 1
fi

# Waits until the given jobs have left the queue (at most $2 seconds).
wait_jobs() {
  i=0; limit=$(( $2 * 2 ))
  while [ -n "$(squeue -h -j "$1" 2>/dev/null)" ] && [ $i -lt "$limit" ]; do
    sleep 0.5; i=$((i + 1))
  done
}
job_state() { scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -n 1; }
same_results() {
  cmp -s "$1/targets.csv" "$2/targets.csv" && cmp -s "$1/indicators.csv" "$2/indicators.csv"
}

scen=$scen_dir/shock.cfg
"$bin" run "$scen" --draws 60000 --seed 9 --out "$tmp/work/single" --no-plots -q > /dev/null

# 1. Job array of slices, then the dependent merge.
export SIMPLAN="$bin" MERGE_OPTS=--no-plots
ids=$("$scripts/submit-slices.sh" "$scen" 3 "$tmp/work/array" 60000 9)
array=${ids% *}; merge=${ids#* }
wait_jobs "$array,$merge" 180
st=$(job_state "$merge")
if [ "$st" = COMPLETED ] && same_results "$tmp/work/single" "$tmp/work/array/results"; then
  ok "array of 3 slices + merge job: results equal the single run"
else
  bad "array + merge" "merge job $st; $(cat "$tmp"/work/array/*.log 2>/dev/null | tail -n 5)"
fi

# 2. MPI batch script: 2 ranks through srun --mpi=pmix.
mpi=$(SCENARIO="$scen" OUT="$tmp/work/mpi" DRAWS=60000 SEED=9 \
  sbatch --parsable --ntasks=2 --cpus-per-task=1 --output="$tmp/work/mpi.log" \
  --export=ALL "$scripts/simplan-mpi.sbatch")
wait_jobs "$mpi" 180
st=$(job_state "$mpi")
if [ "$st" = COMPLETED ] && same_results "$tmp/work/single" "$tmp/work/mpi" &&
   grep -q '"ranks": 2' "$tmp/work/mpi/summary.json"; then
  ok "MPI batch script with 2 ranks: results equal the single run"
else
  bad "MPI batch script" "job $st; $(tail -n 5 "$tmp/work/mpi.log" 2>/dev/null)"
fi

# 3. A batch of scenarios, one array task each, then collected.
printf '%s\n%s\n' "$scen_dir/minimal.cfg" "$scen" > "$tmp/work/list"
b=$(LIST="$tmp/work/list" OUT="$tmp/work/batch" DRAWS=20000 \
  sbatch --parsable --array=1-2 --output="$tmp/work/batch_%a.log" \
  --export=ALL "$scripts/simplan-batch.sbatch")
wait_jobs "$b" 120
"$bin" batch --collect "$tmp/work/batch" --no-plots > "$tmp/work/table" 2>&1
if grep -q minimal "$tmp/work/table" && grep -q shock "$tmp/work/table" &&
   [ -s "$tmp/work/batch/comparison.csv" ] && [ -s "$tmp/work/batch/shock/targets.csv" ]; then
  ok "batch array of 2 scenarios collected into the comparison"
else
  bad "batch array" "$(cat "$tmp/work/table") $(tail -n 3 "$tmp"/work/batch_*.log 2>/dev/null)"
fi

# 4. A slice task requeued while it runs resumes from its saved state.
rq=$tmp/work/requeue; big=1200000   # 1172 blocks, the last one partial
mkdir -p "$rq"
"$bin" run "$scen" --draws $big --seed 9 --out "$rq/single" --no-plots -q > /dev/null
arr=$(SCENARIO="$scen" PARTS="$rq/parts" DRAWS=$big SEED=9 CHECKPOINT=0.001 \
  sbatch --parsable --array=1-2 --cpus-per-task=1 --output="$rq/slice_%a.log" \
  --export=ALL "$scripts/simplan-slice.sbatch")
i=0   # the first checkpoint of task 1, or the end of its first attempt
while [ ! -s "$rq/parts/part_1/state.simplan" ] && [ $i -lt 600 ]; do
  sleep 0.2; i=$((i + 1))
done
scontrol requeue "${arr}_1" > "$rq/requeue.out" 2>&1
requeued=$?
wait_jobs "$arr" 400
restarts=$(scontrol show job "${arr}_1" 2>/dev/null | sed -n 's/.*Restarts=\([0-9]*\).*/\1/p' | head -n 1)
st1=$(job_state "${arr}_1")
"$bin" merge "$rq"/parts/part_* --out "$rq/results" --no-plots -q > /dev/null 2> "$rq/merge.err"
if [ "$requeued" -eq 0 ] && [ "${restarts:-0}" -ge 1 ] && [ "$st1" = COMPLETED ] &&
   grep -q "resuming slice 1/2" "$rq/slice_1.log" &&
   same_results "$rq/single" "$rq/results"; then
  ok "a requeued slice task resumes from its state; merged results equal the single run"
else
  bad "requeued slice" "requeue exit $requeued ($(cat "$rq/requeue.out")), restarts '${restarts:-}', task 1 $st1, $(tail -n 3 "$rq"/slice_1.log 2>/dev/null) $(cat "$rq/merge.err")"
fi

echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
