#!/bin/sh
# run.sh BUILD_DIR SECONDS [HARNESS...]
#
# Runs the libFuzzer harnesses built in BUILD_DIR (SIMPLAN_FUZZ=ON; default
# harnesses: config expr data state) side by side, each for SECONDS seconds.
#
# Each harness starts from its seed corpus, rebuilt on every run in
# BUILD_DIR/fuzz/seeds/NAME from the files in the repository:
#   config: scenarios/*.cfg, tests/data/errors/*.cfg, tests/data/decide/*.cfg
#           and the crash regressions tests/fuzz/regressions/*.cfg;
#   expr:   tests/fuzz/corpus/expr/* and tests/fuzz/regressions/expr/*;
#   data:   data/*.csv, tests/fuzz/corpus/data/* and
#           tests/fuzz/regressions/data/*;
#   state:  tests/fuzz/corpus/state/* (edits of a real state file, see
#           fuzz_state.c) and tests/fuzz/regressions/state/*.
# New inputs that reach new code go to BUILD_DIR/fuzz/corpus/NAME, which
# persists between runs of the same build directory. A crash, sanitizer
# report, leak or slow input (> 10 s) is saved under
# BUILD_DIR/fuzz/artifacts/ and the script fails naming the file and the
# command that replays it. Set FUZZ_FLAGS for extra libFuzzer flags (for
# example FUZZ_FLAGS=-seed=1 for a repeatable run).
#
# Prints one line per harness (runs, executions per second, corpus size)
# and exits 1 if a harness failed, 2 on bad arguments.
set -u

if [ $# -lt 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS [HARNESS...]" >&2
  exit 2
fi
build=$(cd "$1" && pwd) || exit 2
seconds=$2
shift 2
[ $# -eq 0 ] && set -- config expr data state
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$build/fuzz
mkdir -p "$work/artifacts"

# Copies the files matching the patterns (that exist) into directory $1.
seed_dir() {
  dir=$1
  shift
  rm -rf "$dir"
  mkdir -p "$dir"
  for f in "$@"; do
    [ -f "$f" ] && cp "$f" "$dir/"
  done
  return 0
}

seed_dir "$work/seeds/config" "$root"/scenarios/*.cfg \
  "$root"/tests/data/errors/*.cfg "$root"/tests/data/decide/*.cfg \
  "$root"/tests/fuzz/regressions/*.cfg
seed_dir "$work/seeds/expr" "$root"/tests/fuzz/corpus/expr/* \
  "$root"/tests/fuzz/regressions/expr/*
seed_dir "$work/seeds/data" "$root"/data/*.csv "$root"/tests/fuzz/corpus/data/* \
  "$root"/tests/fuzz/regressions/data/*
seed_dir "$work/seeds/state" "$root"/tests/fuzz/corpus/state/* \
  "$root"/tests/fuzz/regressions/state/*

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
supp="suppressions=$here/lsan.supp:print_suppressions=0"
export LSAN_OPTIONS="${LSAN_OPTIONS:-$supp}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

for name in "$@"; do
  if [ ! -x "$build/tests/fuzz/fuzz_$name" ]; then
    echo "run.sh: $build/tests/fuzz/fuzz_$name is missing" \
         "(build with -DSIMPLAN_FUZZ=ON)" >&2
    exit 2
  fi
done

for name in "$@"; do
  bin=$build/tests/fuzz/fuzz_$name
  mkdir -p "$work/corpus/$name"
  # shellcheck disable=SC2086
  "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -dict="$here/$name.dict" \
    -artifact_prefix="$work/artifacts/$name-" ${FUZZ_FLAGS:-} \
    "$work/corpus/$name" "$work/seeds/$name" >"$work/$name.log" 2>&1 &
  echo $! >"$work/$name.pid"
done

failed=0
for name in "$@"; do
  wait "$(cat "$work/$name.pid")"
  rc=$?
  rm -f "$work/$name.pid"
  bin=$build/tests/fuzz/fuzz_$name
  log=$work/$name.log
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  units=$(find "$work/corpus/$name" -type f | wc -l)
  if [ "$rc" -eq 0 ]; then
    echo "fuzz_$name: ok, ${runs:-?} runs in ${seconds} s" \
         "(${speed:-?}/s), corpus $units inputs"
  else
    failed=1
    echo "fuzz_$name: FAIL (exit $rc); log $log:"
    grep -v '^#[0-9]' "$log" | tail -n 60
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" |
               tail -n 1)
    if [ -n "$artifact" ]; then
      echo "fuzz_$name: input saved as $artifact; replay:" \
           "LSAN_OPTIONS=$supp $bin $artifact"
    fi
  fi
done
exit $failed
