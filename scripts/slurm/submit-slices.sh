#!/bin/sh
# Submits one run as N array tasks and a merge job that waits for them.
# usage: submit-slices.sh SCENARIO N WORKDIR [DRAWS [SEED]]
#   parts go to WORKDIR/parts, the merged results to WORKDIR/results.
# Prints the two job ids. Environment: SIMPLAN, CPUS_PER_TASK (default 1).
set -eu
[ $# -ge 3 ] || { echo "usage: $0 SCENARIO N WORKDIR [DRAWS [SEED]]" >&2; exit 1; }
scenario=$1; n=$2; work=$3; draws=${4:-}; seed=${5:-}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
export SCENARIO="$scenario" PARTS="$work/parts" OUT="$work/results" \
  DRAWS="$draws" SEED="$seed"
array=$(sbatch --parsable --array=1-"$n" --cpus-per-task="${CPUS_PER_TASK:-1}" \
  --output="$work/slice_%a.log" --export=ALL "$here/simplan-slice.sbatch")
merge=$(sbatch --parsable --dependency=afterok:"$array" \
  --output="$work/merge.log" --export=ALL "$here/simplan-merge.sbatch")
echo "$array $merge"
