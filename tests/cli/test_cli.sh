#!/bin/sh
# test_cli.sh SIMPLAN SCENARIOS_DIR
#
# Tests of simplan's command line: help and version, usage errors (exit 1,
# one line on stderr naming the option, nothing on stdout), a missing
# scenario file (exit 3), command-line abuse of every command (unknown
# options, missing option values, negative, overflowing and out-of-range
# numbers, unreadable scenarios, output paths that cannot be written: exit 1
# or 3, one line naming the option or path, nothing on stdout, nothing
# written to --out), the CSV and JSON reports, --seed reproducibility,
# options before or after the scenario, and `check` on every shipped
# scenario. Uses SCENARIOS_DIR/minimal.cfg and SCENARIOS_DIR/baseline.cfg.
#
# Prints one line per check (ok / FAIL: reason) and ends with
# "N passed, M failed"; exits 1 if anything failed, 2 on bad arguments.

if [ $# -ne 2 ] && [ $# -ne 3 ]; then
    echo "usage: $0 SIMPLAN SCENARIOS_DIR [lacks]" >&2
    exit 2
fi
SIMPLAN=$1
SCEN_DIR=$2
ONLY=${3:-}
MINIMAL=$SCEN_DIR/minimal.cfg
BASELINE=$SCEN_DIR/baseline.cfg
PYTHON=/usr/bin/python3
VERSION=0.1.0

for f in "$MINIMAL" "$BASELINE"; do
    if [ ! -r "$f" ]; then
        echo "$0: cannot read $f" >&2
        exit 2
    fi
done
if [ ! -x "$SIMPLAN" ]; then
    echo "$0: $SIMPLAN is not an executable" >&2
    exit 2
fi
if [ ! -x "$PYTHON" ]; then
    echo "$0: $PYTHON is needed to parse the CSV and JSON reports" >&2
    exit 2
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/simplan-cli.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

if command -v timeout >/dev/null 2>&1; then
    TIMEOUT='timeout 300'
else
    TIMEOUT=
fi

passed=0
failed=0

pass() {
    passed=$((passed + 1))
    echo "ok   $1"
}

fail() {
    failed=$((failed + 1))
    echo "FAIL $1: $2"
}

# sp ARGS...: runs SIMPLAN, stdout to $TMP/out, stderr to $TMP/err, exit in $rc.
sp() {
    $TIMEOUT "$SIMPLAN" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
    rc=$?
}

# Appends to $why when the last run was killed by a signal or timed out.
check_signal() {
    if [ -n "$TIMEOUT" ] && [ "$rc" -eq 124 ]; then
        why="$why; timed out"
    elif [ "$rc" -ge 128 ]; then
        why="$why; killed by signal $((rc - 128))"
    fi
}

err_text() {
    tr '\n' '|' <"$TMP/err" | cut -c1-300
}

# expect_error NAME EXIT STATUS_TEXT NEEDLE ARGS...
# The command must exit EXIT, print nothing on stdout and exactly one line on
# stderr that starts with "simplan: ", contains NEEDLE (unless empty) and
# ends with "(STATUS_TEXT)".
expect_error() {
    name=$1 want=$2 status=$3 needle=$4
    shift 4
    sp "$@"
    why=
    check_signal
    [ "$rc" -eq "$want" ] || why="$why; exit $rc, expected $want"
    [ -s "$TMP/out" ] && why="$why; stdout is not empty"
    n=$(wc -l <"$TMP/err" | tr -d ' ')
    [ "$n" -eq 1 ] || why="$why; $n lines on stderr, expected 1"
    e=$(cat "$TMP/err")
    case $e in
        "simplan: "*) ;;
        *) why="$why; stderr does not start with 'simplan: '" ;;
    esac
    case $e in
        *"($status)") ;;
        *) why="$why; stderr does not end with '($status)'" ;;
    esac
    if [ -n "$needle" ]; then
        case $e in
            *"$needle"*) ;;
            *) why="$why; stderr does not mention '$needle'" ;;
        esac
    fi
    if [ -z "$why" ]; then
        pass "$name"
    else
        fail "$name" "${why#; } (stderr: $(err_text))"
    fi
}

# expect_ok NAME ARGS...: exit 0, stdout not empty, stderr empty.
expect_ok() {
    name=$1
    shift
    sp "$@"
    why=
    check_signal
    [ "$rc" -eq 0 ] || why="$why; exit $rc"
    [ -s "$TMP/out" ] || why="$why; stdout is empty"
    [ -s "$TMP/err" ] && why="$why; stderr is not empty"
    if [ -z "$why" ]; then
        pass "$name"
        return 0
    fi
    fail "$name" "${why#; } (stderr: $(err_text))"
    return 1
}

# ---- a build without jansson or charts: "lacks" runs only this part --------
# Regressions: solve printed JSON without jansson; --plots was accepted
# without charts and report.md linked charts that were never written.
if [ "$ONLY" = lacks ]; then
    features=$("$SIMPLAN" --version)
    case $features in
        *"json off"*)
            for cmd in "run $MINIMAL" "solve $MINIMAL --target gdp_2025 --prob 0.3 --vary indicators.gdp.path[0].mean" \
                "sweep $MINIMAL --vary indicators.gdp.path[0].mean=0:1:3" "merge $TMP/part"; do
                # shellcheck disable=SC2086
                expect_error "${cmd%% *} --format json without jansson" 3 \
                    "not supported by this build" "without JSON support" $cmd --format json -q
            done ;;
    esac
    case $features in
        *"plots off"*)
            expect_error "--plots without charts" 3 "not supported by this build" \
                "--plots" run "$MINIMAL" -q --out "$TMP/np" --plots
            if [ -e "$TMP/np" ]; then fail "--plots without charts" "$TMP/np was created"
            else pass "--plots without charts writes nothing"; fi
            sp run "$MINIMAL" --draws 2000 -q --out "$TMP/np"
            if [ "$rc" -eq 0 ] && [ -s "$TMP/np/report.md" ] && ! grep -q '\.png' "$TMP/np/report.md"; then
                pass "report.md links no chart in a build without charts"
            else
                fail "report.md links" "exit $rc: $(grep png "$TMP/np/report.md" | head -n 2)"
            fi ;;
    esac
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
fi

# ---- help and version ------------------------------------------------------
sp --help
why=
check_signal
[ "$rc" -eq 0 ] || why="$why; exit $rc"
grep -q 'run' "$TMP/out" || why="$why; stdout does not mention run"
grep -q 'check' "$TMP/out" || why="$why; stdout does not mention check"
[ -s "$TMP/err" ] && why="$why; stderr is not empty"
if [ -z "$why" ]; then pass "--help"; else fail "--help" "${why#; }"; fi

sp --version
out=$(cat "$TMP/out")
case $out in "simplan $VERSION ("*")") good=1 ;; *) good=0 ;; esac
if [ "$rc" -eq 0 ] && [ "$good" -eq 1 ] && [ ! -s "$TMP/err" ]; then
    pass "--version prints 'simplan $VERSION (features)'"
else
    fail "--version" "exit $rc, stdout '$out', stderr '$(err_text)'"
fi

# ---- usage errors: exit 1 ----------------------------------------------------
expect_error "no arguments" 1 "usage error" ""
expect_error "unknown command" 1 "usage error" "frobnicate" frobnicate "$MINIMAL"
expect_error "unknown option" 1 "usage error" "--no-such-option" \
    run "$MINIMAL" --no-such-option
expect_error "run without a scenario" 1 "usage error" "" run
expect_error "run with two scenarios" 1 "usage error" "" run "$MINIMAL" "$BASELINE"
expect_error "--draws without a value" 1 "usage error" "--draws" run "$MINIMAL" --draws
expect_error "--draws 0" 1 "usage error" "--draws" run "$MINIMAL" --draws 0
expect_error "--draws -5" 1 "usage error" "--draws" run "$MINIMAL" --draws -5
expect_error "--draws abc" 1 "usage error" "--draws" run "$MINIMAL" --draws abc
expect_error "--draws 99999999999999999999" 1 "usage error" "--draws" \
    run "$MINIMAL" --draws 99999999999999999999
expect_error "--draws 100000000001 (above 1e11)" 1 "usage error" "--draws" \
    run "$MINIMAL" --draws 100000000001
expect_error "--seed -1" 1 "usage error" "--seed" run "$MINIMAL" --seed -1
expect_error "--threads 0" 1 "usage error" "--threads" run "$MINIMAL" --threads 0
expect_error "--format xml" 1 "usage error" "--format" run "$MINIMAL" --format xml
expect_error "--rng nosuchgen" 1 "usage error" "--rng" \
    run "$MINIMAL" --rng nosuchgen -q

# check takes no run options.
# Regression: the message once named the value ("10"), not the option.
expect_error "check with a run option names the option" 1 "usage error" \
    "--draws" check "$MINIMAL" --draws 10

# ---- I/O errors: exit 3 ----------------------------------------------------
missing=$TMP/no-such-scenario.cfg
expect_error "check on a missing file" 3 "input/output error" "$missing" \
    check "$missing"
expect_error "run on a missing file" 3 "input/output error" "$missing" \
    run "$missing" --draws 10 -q
# Regression: a directory once reached libconfig's scanner, which printed
# "input in flex scanner failed" and ended the process.
mkdir "$TMP/dir.cfg"
expect_error "run on a directory" 3 "input/output error" "$TMP/dir.cfg" \
    run "$TMP/dir.cfg" --draws 10 -q

# ---- command-line abuse ----------------------------------------------------
# Every failure below must exit 1 (usage) or 3 (I/O) with one line on stderr
# naming the option or path, nothing on stdout and no signal (expect_error).
LEVER='indicators.gdp.path[0].mean'

# expect_no_dir NAME DIR: DIR (an --out given to a failing command) must not
# have been created.
expect_no_dir() {
    if [ -e "$2" ] || [ -L "$2" ]; then
        fail "$1" "$2 was created by a command that failed"
        rm -rf "$2"
    else
        pass "$1"
    fi
}

# Unknown options, for every command.
for cmd in run check solve sweep bench; do
    expect_error "$cmd: unknown option" 1 "usage error" "--no-such-option" \
        "$cmd" "$MINIMAL" --no-such-option
done
expect_error "merge: unknown option" 1 "usage error" "--no-such-option" \
    merge "$TMP/part" --no-such-option
expect_error "batch: unknown option" 1 "usage error" "--no-such-option" \
    batch "$MINIMAL" --out "$TMP/abuse-batch" --no-such-option
expect_no_dir "batch: unknown option writes nothing to --out" "$TMP/abuse-batch"
expect_error "unknown short option -x" 1 "usage error" "-x" run "$MINIMAL" -x

# Options without their value (the option is the last argument).
for opt in --seed --threads --rng --format --out --slice --resume \
    --precision --checkpoint -n; do
    expect_error "run: $opt without a value" 1 "usage error" "$opt" \
        run "$MINIMAL" -q "$opt"
done
for opt in --out --jobs --draws --seed --threads; do
    expect_error "batch: $opt without a value" 1 "usage error" "$opt" \
        batch "$MINIMAL" "$opt"
done
expect_error "batch: --collect without a value" 1 "usage error" "--collect" \
    batch --collect
for opt in --out --format; do
    expect_error "merge: $opt without a value" 1 "usage error" "$opt" \
        merge "$TMP/part" "$opt"
done
expect_error "solve: --target without a value" 1 "usage error" "--target" \
    solve "$MINIMAL" --target
expect_error "solve: --prob without a value" 1 "usage error" "--prob" \
    solve "$MINIMAL" --target gdp_2025 --prob
expect_error "solve: --vary without a value" 1 "usage error" "--vary" \
    solve "$MINIMAL" --target gdp_2025 --prob 0.5 --vary
for opt in --range --tol; do
    expect_error "solve: $opt without a value" 1 "usage error" "$opt" \
        solve "$MINIMAL" --target gdp_2025 --prob 0.5 --vary "$LEVER" "$opt"
done
expect_error "sweep: --vary without a value" 1 "usage error" "--vary" \
    sweep "$MINIMAL" --vary
expect_error "sweep: --out without a value" 1 "usage error" "--out" \
    sweep "$MINIMAL" --vary "$LEVER=0.04:0.06:3" --out
for opt in --draws --threads --rng --marginal; do
    expect_error "bench: $opt without a value" 1 "usage error" "$opt" \
        bench "$MINIMAL" "$opt"
done

# Negative, overflowing and out-of-range numbers.
expect_error "--draws -1" 1 "usage error" "--draws" run "$MINIMAL" --draws -1
expect_error "--draws 1e500" 1 "usage error" "--draws" run "$MINIMAL" --draws 1e500
expect_error "--draws 0x10" 1 "usage error" "--draws" run "$MINIMAL" --draws 0x10
expect_error "--seed 99999999999999999999" 1 "usage error" "--seed" \
    run "$MINIMAL" --seed 99999999999999999999
expect_error "--seed 18446744073709551616 (2^64)" 1 "usage error" "--seed" \
    run "$MINIMAL" --seed 18446744073709551616
expect_error "--threads 100000" 1 "usage error" "--threads" \
    run "$MINIMAL" --threads 100000
expect_error "--threads -1" 1 "usage error" "--threads" run "$MINIMAL" --threads -1
expect_error "--checkpoint 0" 1 "usage error" "--checkpoint" \
    run "$MINIMAL" --checkpoint 0 --out "$TMP/abuse-ck"
expect_no_dir "--checkpoint 0 writes nothing to --out" "$TMP/abuse-ck"
expect_error "batch --jobs 0" 1 "usage error" "--jobs" \
    batch "$MINIMAL" --out "$TMP/abuse-jobs" --jobs 0
expect_no_dir "batch --jobs 0 writes nothing to --out" "$TMP/abuse-jobs"
expect_error "batch --jobs -3" 1 "usage error" "--jobs" \
    batch "$MINIMAL" --out "$TMP/abuse-jobs" --jobs -3
expect_error "bench --draws 0" 1 "usage error" "--draws" bench --draws 0
expect_error "bench --threads 0" 1 "usage error" "--threads" bench --threads 0
expect_error "bench --marginal gamma" 1 "usage error" "--marginal" \
    bench --marginal gamma
expect_error "merge --format xml" 1 "usage error" "--format" \
    merge "$TMP/part" --format xml
expect_error "bench --format csv" 1 "usage error" "--format" \
    bench "$MINIMAL" --format csv

# bench --format json: the documented keys, finite and positive where they
# are times, and the normal method of the generator (the inline path for
# the default one, GSL's for another), as run's JSON says it too.
if "$SIMPLAN" --version | grep -q 'json on'; then
    for rng in xoshiro256ss taus2; do
        sp bench "$MINIMAL" --draws 20000 --threads 2 --rng "$rng" --format json
        want=$([ "$rng" = taus2 ] && echo gsl_ran_gaussian_ziggurat || echo ziggurat-inline)
        why=$(python3 - "$TMP/out" "$want" <<'PY'
import json, math, sys
d, want = json.load(open(sys.argv[1])), sys.argv[2]
bad = []
for k in ("ns_per_draw", "bound_ns_per_draw", "bound_ratio", "draws_per_s_1",
          "draws_per_s_all", "thread_scaling", "peak_rss_mib"):
    v = d.get(k)
    if not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
        bad.append("%s = %r" % (k, v))
if d.get("normal_method") != want:
    bad.append("normal_method %r, expected %r" % (d.get("normal_method"), want))
if d.get("draws") != 20000 or d.get("threads") != 2:
    bad.append("draws %r threads %r" % (d.get("draws"), d.get("threads")))
print("; ".join(bad))
PY
)
        if [ "$rc" -eq 0 ] && [ -z "$why" ]; then
            pass "bench --format json with $rng"
        else
            fail "bench --format json with $rng" "exit $rc; $why"
        fi
        sp run "$MINIMAL" --draws 2000 --rng "$rng" --format json -q
        if grep -q "\"normal_method\": \"$want\"" "$TMP/out"; then
            pass "run's JSON names the normal method of $rng"
        else
            fail "run's JSON names the normal method of $rng" "$(grep normal_method "$TMP/out")"
        fi
    done
fi
for v in 0 1 -0.1 abc nan; do
    expect_error "--precision $v" 1 "usage error" "--precision" \
        run "$MINIMAL" -q --precision "$v"
done
for v in 0/1 3/2 abc 1/0 2/99999999999999999999; do
    expect_error "--slice $v" 1 "usage error" "--slice" \
        run "$MINIMAL" -q --slice "$v" --out "$TMP/abuse-slice"
    expect_no_dir "--slice $v writes nothing to --out" "$TMP/abuse-slice"
done
expect_error "--slice without --out" 1 "usage error" "--slice" \
    run "$MINIMAL" -q --slice 1/2

# solve and sweep arguments.
expect_error "solve without --target" 1 "usage error" "--target" \
    solve "$MINIMAL" --prob 0.5 --vary "$LEVER" -q
expect_error "solve --prob 1.5" 1 "usage error" "--prob" \
    solve "$MINIMAL" --target gdp_2025 --prob 1.5 --vary "$LEVER" -q
expect_error "solve --prob -0.1" 1 "usage error" "--prob" \
    solve "$MINIMAL" --target gdp_2025 --prob -0.1 --vary "$LEVER" -q
for v in 5:1 1:1 abc; do
    expect_error "solve --range $v" 1 "usage error" "--range" \
        solve "$MINIMAL" --target gdp_2025 --prob 0.5 --vary "$LEVER" \
        --range "$v" -q
done
expect_error "solve --tol 0" 1 "usage error" "--tol" \
    solve "$MINIMAL" --target gdp_2025 --prob 0.5 --vary "$LEVER" --tol 0 -q
expect_error "solve --target unknown" 1 "usage error" "nosuch" \
    solve "$MINIMAL" --target nosuch --prob 0.5 --vary "$LEVER" -q
expect_error "solve --vary unknown number" 1 "usage error" "indicators.nosuch.base" \
    solve "$MINIMAL" --target gdp_2025 --prob 0.5 --vary indicators.nosuch.base -q
expect_error "solve --range outside the lever's domain" 1 "usage error" "--range" \
    solve "$MINIMAL" --target gdp_2025 --prob 0.5 \
    --vary 'indicators.gdp.path[0].sd' --range -1:1 -q
expect_error "sweep --vary without '='" 1 "usage error" "--vary" \
    sweep "$MINIMAL" --vary "$LEVER" -q
expect_error "sweep --vary without STEPS" 1 "usage error" "--vary" \
    sweep "$MINIMAL" --vary "$LEVER=0.04:0.06" -q
expect_error "sweep --vary with 0 steps" 1 "usage error" "--vary" \
    sweep "$MINIMAL" --vary "$LEVER=0.04:0.06:0" -q
expect_error "sweep without --vary" 1 "usage error" "--vary" sweep "$MINIMAL" -q
# Regression: trailing junk after STEPS, and NaN ends, were accepted.
for v in 0.04:0.06:3abc 0.04:0.06:2.5 nan:0.06:3 0.04:inf:3 0.04x:0.06:3 0.04:0.06:1001; do
    expect_error "sweep --vary PATH=$v" 1 "usage error" "--vary" \
        sweep "$MINIMAL" --vary "$LEVER=$v" -q
done
expect_error "sweep with three levers" 1 "usage error" "--vary" \
    sweep "$MINIMAL" --vary "$LEVER=0.04:0.06:3" \
    --vary "indicators.gdp.trend_sd=0:0.01:3" \
    --vary "indicators.gdp.path[0].sd=0:0.01:3" -q
expect_error "sweep with the same lever twice" 1 "usage error" "--vary" \
    sweep "$MINIMAL" --vary "$LEVER=0.04:0.06:3" --vary "$LEVER=0.04:0.06:3" -q
expect_error "sweep --vary outside the lever's domain" 1 "usage error" "--vary" \
    sweep "$MINIMAL" --vary 'indicators.gdp.path[0].sd=-1:1:3' -q

# Scenarios that cannot be read: a directory, a path under a regular file.
printf 'not a directory\n' >"$TMP/plain"
under=$TMP/plain/x.cfg
# unreadable NAME PATH: every command that reads a scenario, on PATH.
unreadable() {
    expect_error "check on $1" 3 "input/output error" "$2" check "$2"
    expect_error "run on $1" 3 "input/output error" "$2" \
        run "$2" --draws 10 -q
    expect_error "solve on $1" 3 "input/output error" "$2" \
        solve "$2" --target gdp_2025 --prob 0.5 --vary "$LEVER" -q
    expect_error "sweep on $1" 3 "input/output error" "$2" \
        sweep "$2" --vary "$LEVER=0.04:0.06:3" -q
    expect_error "bench on $1" 3 "input/output error" "$2" \
        bench "$2" --draws 10
}
unreadable "a path under a regular file" "$under"
unreadable "a directory" "$TMP/dir.cfg"
expect_error "merge of a path under a regular file" 3 "input/output error" \
    "$under" merge "$under"
expect_error "run --resume under a regular file" 3 "input/output error" \
    "$TMP/plain/state" run "$MINIMAL" -q --resume "$TMP/plain/state"

# Output paths that cannot be written.
expect_error "run --out under a regular file" 3 "input/output error" \
    "$TMP/plain/sub" run "$MINIMAL" --draws 10 -q --out "$TMP/plain/sub"
expect_error "run --out is a regular file" 3 "input/output error" \
    "$TMP/plain" run "$MINIMAL" --draws 10 -q --out "$TMP/plain"
expect_error "batch --out under a regular file" 3 "input/output error" \
    "$TMP/plain/sub" batch "$MINIMAL" --draws 10 --out "$TMP/plain/sub"
if [ -d /proc/self ]; then
    expect_error "run --out /proc/x" 3 "input/output error" "/proc/x" \
        run "$MINIMAL" --draws 10 -q --out /proc/x
    expect_error "batch --out /proc/x" 3 "input/output error" "/proc/x" \
        batch "$MINIMAL" --draws 10 --out /proc/x
fi

# ---- counts in scientific notation (--help: "1 .. 1e11") --------------------
# Regression: --draws 1e6 was refused, though --help and the README use it.
sp run "$MINIMAL" --draws 2e3 -q --format csv
cp "$TMP/out" "$TMP/sci.csv"
sp run "$MINIMAL" --draws 2000 -q --format csv
if [ -s "$TMP/sci.csv" ] && cmp -s "$TMP/sci.csv" "$TMP/out"; then
    pass "--draws 2e3 runs the same 2000 draws as --draws 2000"
else
    fail "--draws 2e3" "exit $rc or output differs (stderr: $(err_text))"
fi
expect_error "--draws 1.5 is not an integer" 1 "usage error" "--draws" \
    run "$MINIMAL" -q --draws 1.5
expect_error "--draws 1e6x is junk" 1 "usage error" "--draws" \
    run "$MINIMAL" -q --draws 1e6x
expect_error "--draws 2e11 is out of range" 1 "usage error" "--draws" \
    run "$MINIMAL" -q --draws 2e11

# ---- bench's default scenario comes from beside the binary -----------------
# Regression: an installed binary read the build tree's scenario. A copy of
# the binary in an install layout must use that layout's baseline; a copy
# with no installed baseline beside it must say so, not fall back.
mkdir -p "$TMP/prefix/bin" "$TMP/prefix/share/simplan/scenarios" "$TMP/bare/bin"
cp "$SIMPLAN" "$TMP/prefix/bin/simplan"
cp "$SIMPLAN" "$TMP/bare/bin/simplan"
cp "$BASELINE" "$TMP/prefix/share/simplan/scenarios/baseline.cfg"
$TIMEOUT "$TMP/prefix/bin/simplan" bench --draws 2000 --threads 1 \
    >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" -eq 0 ] && head -n 1 "$TMP/out" | grep -q "($TMP/prefix/share/simplan/scenarios/baseline.cfg)"; then
    pass "an installed bench uses the installed baseline"
else
    fail "installed bench" "exit $rc: $(head -n 1 "$TMP/out") $(err_text)"
fi
if [ ! -r /usr/local/share/simplan/scenarios/baseline.cfg ]; then
    $TIMEOUT "$TMP/bare/bin/simplan" bench --draws 2000 --threads 1 \
        >"$TMP/out" 2>"$TMP/err"
    rc=$?
    if [ "$rc" -eq 3 ] && grep -q 'no installed baseline' "$TMP/err" && [ ! -s "$TMP/out" ]; then
        pass "a binary with no installed baseline asks for a scenario"
    else
        fail "bench without a baseline" "exit $rc: $(head -n 1 "$TMP/out") $(err_text)"
    fi
fi

# ---- labels of the reports ---------------------------------------------------
# Regressions: "1 threads"; "threads 0" after a merge; an event effect on a
# share labelled "rate"; sweep columns cutting target ids at 14
# characters; "precision NOT reached" with exit 0 and no warning.
sp run "$MINIMAL" --draws 2000 --threads 1 -q
if [ "$rc" -eq 0 ] && grep -q 'xoshiro256ss, 1 thread, elapsed' "$TMP/out"; then
    pass "one thread is '1 thread'"
else
    fail "1 thread" "exit $rc: $(head -n 2 "$TMP/out" | tail -n 1)"
fi
"$SIMPLAN" run "$MINIMAL" --draws 2000 --slice 1/2 --out "$TMP/lab1" -q 2>/dev/null
"$SIMPLAN" run "$MINIMAL" --draws 2000 --slice 2/2 --out "$TMP/lab2" -q 2>/dev/null
sp merge "$TMP/lab1" "$TMP/lab2" --out "$TMP/labm" -q
if [ "$rc" -eq 0 ] && ! grep -q 'threads 0\|0 threads' "$TMP/out" "$TMP/labm/report.md" &&
    grep -q 'threads of its slices' "$TMP/out"; then
    pass "a merged run does not claim 0 threads"
else
    fail "merge threads" "exit $rc: $(head -n 2 "$TMP/out" | tail -n 1)"
fi
sed 's/{ indicator = "energy_intensity";/{ indicator = "nonfossil_share";/' \
    "$SCEN_DIR/shock.cfg" >"$TMP/share_event.cfg"
sp check "$TMP/share_event.cfg"
if [ "$rc" -eq 0 ] && grep -q 'nonfossil_share share increment +0.02' "$TMP/out" &&
    grep -q 'gdp rate -0.03' "$TMP/out"; then
    pass "check labels an event effect on a share 'share increment', on a rate 'rate'"
else
    fail "share effect label" "exit $rc: $(grep -A3 '^Events' "$TMP/out" | tr '\n' '|')"
fi
sed 's/"gdp_2025"/"gdp_2025_growth_about_five"/' "$MINIMAL" >"$TMP/longid.cfg"
sp sweep "$TMP/longid.cfg" --vary "$LEVER=0.04:0.06:2" --draws 1000 -q
if [ "$rc" -eq 0 ] && grep -q ' gdp_2025_growth_about_five ' "$TMP/out"; then
    pass "the sweep table shows target ids in full"
else
    fail "sweep ids" "exit $rc: $(sed -n 3p "$TMP/out")"
fi
sp run "$MINIMAL" --draws 20000 --precision 0.001 -q --format json
if [ "$rc" -eq 0 ] && grep -q '^simplan: warning: --precision 0.001 was NOT reached' "$TMP/err" &&
    "$PYTHON" -c "import json,sys; d=json.load(open('$TMP/out')); sys.exit(0 if any('NOT reached' in w for w in d['warnings']) and not d['precision']['reached'] else 1)"; then
    pass "precision not reached: exit 0, a warning on stderr and in the report's warnings"
else
    fail "precision warning" "exit $rc: $(err_text)"
fi

# ---- check on every shipped scenario -----------------------------------------
n_scen=0
for scen in "$SCEN_DIR"/*.cfg; do
    [ -f "$scen" ] || continue
    n_scen=$((n_scen + 1))
    expect_ok "check $(basename "$scen")" check "$scen"
done
[ "$n_scen" -gt 0 ] || fail "check scenarios" "no *.cfg in $SCEN_DIR"

# ---- reports ---------------------------------------------------------------
expect_ok "run (table) exits 0, quiet" run "$BASELINE" --draws 2000 -q

# JSON of the baseline: the reference for the CSV's target rows.
if expect_ok "run --format json exits 0" \
    run "$BASELINE" --draws 2000 -q --format json; then
    cp "$TMP/out" "$TMP/baseline.json"
    if msg=$("$PYTHON" - "$TMP/baseline.json" 2>&1 <<'EOF'
import json, numbers, sys
def num(x):
    return isinstance(x, numbers.Real) and not isinstance(x, bool)
with open(sys.argv[1]) as f:
    d = json.load(f)
bad = []
for k in ("simplan_version", "scenario", "draws", "seed", "rng", "threads",
          "targets", "indicators", "warnings"):
    if k not in d:
        bad.append("no key %r" % k)
if d.get("simplan_version") != "0.1.0":
    bad.append("simplan_version is %r" % d.get("simplan_version"))
if d.get("draws") != 2000:
    bad.append("draws is %r, expected 2000" % d.get("draws"))
targets = d.get("targets")
if not isinstance(targets, list) or not targets:
    bad.append("targets is not a non-empty list")
    targets = []
for t in targets:
    tid = t.get("id", "?")
    for k in ("id", "name", "probability", "ci95", "met", "measure"):
        if k not in t:
            bad.append("target %s: no key %r" % (tid, k))
    p, ci = t.get("probability"), t.get("ci95")
    if not num(p) or not 0 <= p <= 1:
        bad.append("target %s: probability %r" % (tid, p))
        continue
    if (not isinstance(ci, list) or len(ci) != 2
            or not all(num(v) for v in ci)):
        bad.append("target %s: ci95 %r is not 2 numbers" % (tid, ci))
        continue
    if not ci[0] <= p <= ci[1]:
        bad.append("target %s: not ci95[0] <= probability <= ci95[1]: %r %r"
                   % (tid, ci, p))
if bad:
    print("; ".join(bad))
    sys.exit(1)
EOF
    ); then
        pass "JSON parses, has the top-level and per-target keys, ci95 brackets probability"
    else
        fail "JSON content" "$msg"
    fi
fi

# CSV: a header and one row per target, same ids as the JSON.
sp run "$BASELINE" --draws 2000 -q --format csv
why=
check_signal
[ "$rc" -eq 0 ] || why="$why; exit $rc"
[ -s "$TMP/err" ] && why="$why; stderr is not empty"
head -n 1 "$TMP/out" | grep -q '^id,name,indicator,measure' ||
    why="$why; first line does not start with id,name,indicator,measure"
if [ -z "$why" ] && [ -s "$TMP/baseline.json" ]; then
    why=$("$PYTHON" - "$TMP/out" "$TMP/baseline.json" 2>&1 <<'EOF'
import csv, json, sys
with open(sys.argv[1], newline="") as f:
    rows = list(csv.reader(f))
with open(sys.argv[2]) as f:
    ids = [t["id"] for t in json.load(f)["targets"]]
header, body = rows[0], rows[1:]
bad = []
if len(body) != len(ids):
    bad.append("%d data rows, %d targets" % (len(body), len(ids)))
if [r[0] for r in body] != ids:
    bad.append("row ids %r, target ids %r" % ([r[0] for r in body], ids))
for r in body:
    if len(r) != len(header):
        bad.append("row %r has %d fields, header %d" % (r[0], len(r), len(header)))
print("; ".join(bad))
EOF
    )
fi
if [ -z "$why" ]; then
    pass "run --format csv: header id,name,indicator,measure... and one row per target"
else
    fail "run --format csv" "${why#; }"
fi

# ---- seeds -------------------------------------------------------------------
# JSON without the timing line.
json_run() {
    sp run "$MINIMAL" --draws 2000 -q --format json "$@"
    if [ "$rc" -ne 0 ] || [ -s "$TMP/err" ] || [ ! -s "$TMP/out" ]; then
        echo "exit $rc, stderr: $(err_text)"
        return 1
    fi
    grep -v '"elapsed_seconds"' "$TMP/out"
}
if json_run --seed 1 >"$TMP/s1a" && json_run --seed 1 >"$TMP/s1b" &&
    json_run --seed 2 >"$TMP/s2"; then
    if cmp -s "$TMP/s1a" "$TMP/s1b"; then
        pass "--seed 1 twice gives byte-identical JSON (elapsed_seconds aside)"
    else
        fail "--seed reproducibility" "two runs with --seed 1 differ"
    fi
    if cmp -s "$TMP/s1a" "$TMP/s2"; then
        fail "--seed changes results" "--seed 1 and --seed 2 give the same JSON"
    elif ! grep -q '"seed": *2[,]*$' "$TMP/s2"; then
        fail "--seed changes results" "the JSON does not report seed 2"
    else
        pass "--seed 2 changes the results and is reported"
    fi
else
    fail "--seed runs" "$(cat "$TMP/s1a" "$TMP/s1b" "$TMP/s2" 2>/dev/null | grep '^exit' | head -n 1)"
fi

# ---- option placement ----------------------------------------------------------
sp run "$MINIMAL" --draws 500 --seed 3 -q --format csv
cp "$TMP/out" "$TMP/after"
rc_after=$rc
sp run --draws 500 --seed 3 -q --format csv "$MINIMAL"
if [ "$rc_after" -eq 0 ] && [ "$rc" -eq 0 ] && [ -s "$TMP/out" ] &&
    cmp -s "$TMP/after" "$TMP/out"; then
    pass "options before and after the scenario give the same output"
else
    fail "option placement" "exit $rc_after / $rc, or outputs differ"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
