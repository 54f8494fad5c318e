#!/bin/sh
# The unscrambled Sobol' points of model/sp_sobol equal SciPy's
# (scipy.stats.qmc.Sobol, scramble=False, bits=32), which reads the same
# Joe-Kuo table with its own code: 4096 points of all 1024 dimensions,
# every coordinate as an exact 32-bit integer.
# usage: test_sobol.sh SOBOL_POINTS
set -eu
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" 1024 4096 > "$tmp/ours.txt"
/usr/bin/python3 - "$tmp/ours.txt" <<'PY'
import sys
import numpy as np
from scipy.stats import qmc
ours = np.loadtxt(sys.argv[1], dtype=np.uint64)
theirs = qmc.Sobol(d=1024, scramble=False, bits=32).random(4096)
theirs = np.rint(theirs * 2.0 ** 32).astype(np.uint64)
bad = np.argwhere(ours != theirs)
if bad.size:
    i, j = bad[0]
    sys.exit("point %d dimension %d: %d here, %d in SciPy (%d coordinates differ)"
             % (i, j, ours[i, j], theirs[i, j], len(bad)))
print("ok: %d x %d coordinates equal SciPy's" % ours.shape)
PY
