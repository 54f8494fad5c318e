#!/bin/sh
# test_errors.sh SIMPLAN DATA_DIR
#
# Runs every one-defect fixture listed in DATA_DIR/errors/manifest.tsv through
#   SIMPLAN check DATA_DIR/errors/FILE
#   SIMPLAN run   DATA_DIR/errors/FILE --draws 10 -q
# and checks, for both commands, that
#   - the process was not killed by a signal (exit < 128) and did not hang,
#   - the exit code is the expected one,
#   - stdout is empty,
#   - stderr is one line of the form
#       simplan: PATH:LINE: error: FIELD: MESSAGE (STATUS)
#     (no "FIELD: " when the manifest gives -), with PATH as passed.
# It also checks that every scenario status (exit code 2) is provoked by at
# least one manifest line, and that DATA_DIR/errors/valid_base.cfg, the valid
# scenario the fixtures are made from, passes `check`.
#
# Prints one line per fixture (ok / FAIL: reasons) and ends with
# "N passed, M failed"; exits 1 if anything failed, 2 on bad arguments.

if [ $# -ne 2 ]; then
    echo "usage: $0 SIMPLAN DATA_DIR" >&2
    exit 2
fi
SIMPLAN=$1
DATA_DIR=$2
DIR=$DATA_DIR/errors
MANIFEST=$DIR/manifest.tsv

if [ ! -x "$SIMPLAN" ]; then
    echo "$0: $SIMPLAN is not an executable" >&2
    exit 2
fi
if [ ! -r "$MANIFEST" ]; then
    echo "$0: cannot read $MANIFEST" >&2
    exit 2
fi

# Every status text with exit code 2 (model/sp_status.h).
SCENARIO_STATUSES='syntax error
wrong type
missing field
unknown field
value out of range
duplicate name
unknown reference
path periods do not cover the projected years
invalid formula
dependency cycle
invalid correlation matrix
size limit exceeded
invalid base-year value'

TMP=$(mktemp -d "${TMPDIR:-/tmp}/simplan-errors.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

# A hung process is a failure, not a hung suite.
if command -v timeout >/dev/null 2>&1; then
    TIMEOUT='timeout 120'
else
    TIMEOUT=
fi

TAB=$(printf '\t')
NL='
'
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

# check_run LABEL EXPECTED_EXIT LINE FIELD STATUS PATH ARGS...
# Runs SIMPLAN ARGS..., appends failure reasons to $reasons.
check_run() {
    label=$1 want_exit=$2 want_line=$3 want_field=$4 want_status=$5 path=$6
    shift 6
    $TIMEOUT "$SIMPLAN" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
    rc=$?
    err=$(cat "$TMP/err")
    r=
    if [ -n "$TIMEOUT" ] && [ "$rc" -eq 124 ]; then
        r="$r; timed out"
    elif [ "$rc" -ge 128 ]; then
        r="$r; killed by signal $((rc - 128)) (exit $rc)"
    fi
    [ "$rc" -eq "$want_exit" ] || r="$r; exit $rc, expected $want_exit"
    [ -s "$TMP/out" ] && r="$r; stdout is not empty"
    nlines=$(wc -l <"$TMP/err" | tr -d ' ')
    [ "$nlines" -eq 1 ] || r="$r; stderr has $nlines lines, expected 1"
    case $err in
        *"$path:$want_line:"*) ;;
        *) r="$r; stderr lacks '$path:$want_line:'" ;;
    esac
    prefix="simplan: $path:$want_line: error: "
    if [ "$want_field" != - ]; then
        case $err in
            *"$want_field"*) ;;
            *) r="$r; stderr lacks field '$want_field'" ;;
        esac
        prefix="$prefix$want_field: "
    fi
    case $err in
        *"($want_status)") ;;
        *"($want_status)"*) r="$r; '($want_status)' is not at the end" ;;
        *) r="$r; stderr lacks '($want_status)'" ;;
    esac
    case $err in
        "$prefix"*) ;;
        *) r="$r; stderr does not start with '$prefix'" ;;
    esac
    if [ -n "$r" ]; then
        reasons="$reasons [$label]${r#;}"
        [ -n "$err" ] && reasons="$reasons; stderr: $err"
    fi
}

# ---- the valid base scenario ------------------------------------------------
if [ -f "$DIR/valid_base.cfg" ]; then
    $TIMEOUT "$SIMPLAN" check "$DIR/valid_base.cfg" >"$TMP/out" 2>"$TMP/err" </dev/null
    rc=$?
    if [ "$rc" -eq 0 ] && [ ! -s "$TMP/err" ]; then
        pass "valid_base.cfg (check exits 0)"
    else
        fail "valid_base.cfg" "check exits $rc, stderr: $(cat "$TMP/err")"
    fi
fi

# ---- the fixtures -----------------------------------------------------------
seen_statuses=
n_lines=0
lineno=0
while IFS= read -r row || [ -n "$row" ]; do
    lineno=$((lineno + 1))
    case $row in
        '#'* | '') continue ;;
    esac
    n_lines=$((n_lines + 1))
    # Exactly five tab-separated columns.
    ntabs=$(printf '%s' "$row" | tr -cd '\t' | wc -c | tr -d ' ')
    if [ "$ntabs" -ne 4 ]; then
        fail "manifest.tsv:$lineno" "expected 5 tab-separated columns, got $((ntabs + 1)): $row"
        continue
    fi
    IFS=$TAB read -r file want_exit want_line want_field want_status <<EOF
$row
EOF
    case $want_exit in
        '' | *[!0-9]*)
            fail "manifest.tsv:$lineno" "exit code '$want_exit' is not a number"
            continue ;;
    esac
    case $want_line in
        '' | *[!0-9]*)
            fail "manifest.tsv:$lineno" "line '$want_line' is not a number"
            continue ;;
    esac
    if [ ! -f "$DIR/$file" ]; then
        fail "$file" "fixture file $DIR/$file does not exist"
        continue
    fi
    seen_statuses="$seen_statuses$want_status$NL"
    path=$DIR/$file
    reasons=
    check_run check "$want_exit" "$want_line" "$want_field" "$want_status" \
        "$path" check "$path"
    check_run run "$want_exit" "$want_line" "$want_field" "$want_status" \
        "$path" run "$path" --draws 10 -q
    if [ -z "$reasons" ]; then
        pass "$file ($want_status)"
    else
        fail "$file" "${reasons# }"
    fi
done <"$MANIFEST"

if [ "$n_lines" -eq 0 ]; then
    fail "manifest.tsv" "no fixtures listed"
fi

# ---- every scenario status is provoked -------------------------------------
missing=
while IFS= read -r status; do
    case "$NL$seen_statuses" in
        *"$NL$status$NL"*) ;;
        *) missing="$missing '$status'" ;;
    esac
done <<EOF
$SCENARIO_STATUSES
EOF
if [ -z "$missing" ]; then
    pass "every scenario status (exit 2) is provoked by a fixture"
else
    fail "status coverage" "no manifest line expects:$missing"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
