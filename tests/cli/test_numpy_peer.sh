#!/bin/sh
# The NumPy peer of the benchmark (bench/numpy_sim.py, through
# bench/compare.py) reads the scenario as simplan does: on every shipped
# scenario it reproduces (observed years aside, which it does not model),
# each target's probability agrees with simplan's within 4 sigma of the
# two independent estimates at 20 000 draws. The shipped scenarios carry
# sd_factor, which the peer once ignored (energy intensity's targets then
# differed by 18-89 sigma).
# Usage: test_numpy_peer.sh SIMPLAN SOURCE_DIR
set -u
bin=$1 root=$2
cd "$root" || exit 1
fail=0 checked=0
for cfg in scenarios/*.cfg; do
    grep -q '^observed' "$cfg" && continue
    checked=$((checked + 1))
    if /usr/bin/python3 bench/compare.py "$bin" "$cfg" --draws 20000 \
        >"${TMPDIR:-/tmp}/peer.$$" 2>&1; then
        echo "ok: $cfg agrees with the NumPy peer"
    else
        echo "FAIL: $cfg:"; grep -E "FAIL|rror" "${TMPDIR:-/tmp}/peer.$$"; fail=1
    fi
done
rm -f "${TMPDIR:-/tmp}/peer.$$"
[ "$checked" -ge 1 ] || { echo "FAIL: no scenario checked"; fail=1; }
exit "$fail"
