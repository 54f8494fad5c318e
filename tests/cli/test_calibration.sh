#!/bin/sh
# The shipped scenarios carry the numbers their calibration command
# estimates: for every scenario with a "# calibration: simplan fit ..." line,
# running that command on the scenario (--format cfg) changes no number of
# it (comments aside), and every number it writes is marked "fit:".
# Usage: test_calibration.sh SIMPLAN SOURCE_DIR
set -u
bin=$1 root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 checked=0
cd "$root" || exit 1
for cfg in scenarios/*.cfg; do
    line=$(grep -m1 '^# calibration: simplan fit ' "$cfg") || continue
    args=${line#"# calibration: simplan fit "}
    checked=$((checked + 1))
    # shellcheck disable=SC2086 # the arguments are words of the line
    if ! "$bin" fit $args --scenario "$cfg" --format cfg >"$tmp/out.cfg" \
        2>"$tmp/err"; then
        echo "FAIL: $cfg: simplan fit $args failed:"; cat "$tmp/err"
        fail=1
        continue
    fi
    if python3 - "$cfg" "$tmp/out.cfg" <<'PY'; then
import re, sys

def code(path):
    """The scenario's code: comments removed, blanks collapsed."""
    out = []
    for line in open(path, encoding="utf-8"):
        s, in_str = [], False
        for i, c in enumerate(line):
            if c == '"' and (i == 0 or line[i - 1] != "\\"):
                in_str = not in_str
            if not in_str and (c == "#" or line.startswith("//", i)):
                break
            s.append(c)
        t = " ".join("".join(s).split())
        if t:
            out.append(t)
    return out

a, b = code(sys.argv[1]), code(sys.argv[2])
if a != b:
    for x, y in zip(a, b):
        if x != y:
            print("  shipped: %s\n  fit:     %s" % (x, y))
    if len(a) != len(b):
        print("  %d code lines shipped, %d after the fit" % (len(a), len(b)))
    sys.exit(1)
# every line the fit comments is marked "fit:" in the shipped file too
shipped = open(sys.argv[1], encoding="utf-8").read().splitlines()
fitted = [l for l in open(sys.argv[2], encoding="utf-8").read().splitlines()
          if "# fit:" in l and not l.startswith("#")]
for l in fitted:
    head = l.split("#")[0].strip()
    if not any(s.split("#")[0].strip() == head and "fit:" in s for s in shipped):
        print("  not marked fit: in the shipped file: %s" % head)
        sys.exit(1)
PY
        echo "ok: $cfg holds what '$args' estimates"
    else
        echo "FAIL: $cfg differs from what '$args' estimates"
        fail=1
    fi
done
if [ "$checked" -lt 1 ]; then
    echo "FAIL: no scenario has a calibration line"
    fail=1
fi
[ "$fail" -eq 0 ] && echo "calibration: $checked scenarios reproduce their fits"
exit "$fail"
