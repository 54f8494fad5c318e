#!/usr/bin/python3
"""compare.py -- simplan against the NumPy implementation of the same model.

    compare.py SIMPLAN SCENARIO.cfg [--draws N] [--seed S] [--chunk C]
               [--python PY]

Runs, in this order and in the same invocation,
    SIMPLAN run SCENARIO --draws N --seed S --threads 1 --format json -q
    PY bench/numpy_sim.py SCENARIO --draws N --seed S --chunk C --json
and checks that every target's probability agrees within Monte Carlo error.
The two programs use different random streams, so their estimates are
independent; with p1, p2 the estimates from N draws each, a target agrees
when
    |p1 - p2| <= 4 * sqrt(p1 (1 - p1) / N + p2 (1 - p2) / N)
(4 sigma: a false alarm has probability about 6e-5 per target). Prints the
table, both per-core throughputs (draws per second on one core, from each
program's own timing of its simulation) and their ratio simplan / numpy.
Exit status: 0 all targets agree, 1 some target disagrees, 2 a program
failed.
"""

import argparse
import json
import math
import os
import shlex
import subprocess
import sys

SIGMAS = 4.0
HERE = os.path.dirname(os.path.abspath(__file__))


def default_python():
    # numpy_sim.py needs Debian's numpy, scipy and libconf.
    return "/usr/bin/python3" if os.path.exists("/usr/bin/python3") \
        else sys.executable


def run_json(cmd, what):
    print("$ " + " ".join(shlex.quote(c) for c in cmd), flush=True)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise RuntimeError("%s failed with exit status %d"
                           % (what, proc.returncode))
    try:
        return json.loads(proc.stdout)
    except ValueError as exc:
        raise RuntimeError("%s printed no valid JSON: %s" % (what, exc))


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Compare simplan with bench/numpy_sim.py: agreement of "
                    "target probabilities and per-core throughput.")
    ap.add_argument("simplan", help="path of the simplan binary")
    ap.add_argument("scenario", help="scenario file")
    ap.add_argument("--draws", type=int, default=1_000_000,
                    help="draws for both programs (default 1000000)")
    ap.add_argument("--seed", type=int, default=12345,
                    help="seed for both programs (their streams differ "
                         "anyway; default 12345)")
    ap.add_argument("--chunk", type=int, default=None,
                    help="numpy_sim.py --chunk (default: its own default)")
    ap.add_argument("--python", default=default_python(),
                    help="Python with numpy, scipy and libconf for "
                         "numpy_sim.py (default %(default)s)")
    args = ap.parse_args(argv)
    if args.draws < 1:
        ap.error("--draws must be positive")

    n = args.draws
    simplan_cmd = [args.simplan, "run", args.scenario, "--draws", str(n),
                   "--seed", str(args.seed), "--threads", "1",
                   "--format", "json", "-q"]
    numpy_cmd = [args.python, os.path.join(HERE, "numpy_sim.py"),
                 args.scenario, "--draws", str(n), "--seed", str(args.seed),
                 "--json"]
    if args.chunk is not None:
        numpy_cmd[-1:-1] = ["--chunk", str(args.chunk)]
    try:
        a = run_json(simplan_cmd, "simplan")
        b = run_json(numpy_cmd, "numpy_sim.py")
    except (OSError, RuntimeError) as exc:
        print("compare: %s" % exc, file=sys.stderr)
        return 2
    if a.get("draws") != n or b.get("draws") != n:
        print("compare: draw counts differ from %d (simplan %s, numpy %s)"
              % (n, a.get("draws"), b.get("draws")), file=sys.stderr)
        return 2

    pa = {t["id"]: t for t in a["targets"]}
    pb = {t["id"]: t for t in b["targets"]}
    if list(pa) != list(pb):
        print("compare: the target lists differ: %s vs %s"
              % (list(pa), list(pb)), file=sys.stderr)
        return 2

    print()
    print("scenario %s, N = %d draws each (independent streams)"
          % (args.scenario, n))
    print("agreement: |p1 - p2| <= %g * sqrt(p1(1-p1)/N + p2(1-p2)/N) "
          "(%g sigma)" % (SIGMAS, SIGMAS))
    print("%-18s %12s %12s %10s %9s  %s"
          % ("target", "P simplan", "P numpy", "diff", "sigma", "check"))
    failed = 0
    for tid in pa:
        p1, p2 = pa[tid]["probability"], pb[tid]["probability"]
        se = math.sqrt(p1 * (1 - p1) / n + p2 * (1 - p2) / n)
        diff = p1 - p2
        if se > 0:
            z = diff / se
        else:
            z = 0.0 if diff == 0 else math.copysign(math.inf, diff)
        ok = abs(z) <= SIGMAS
        failed += not ok
        print("%-18s %12.6f %12.6f %+10.6f %+9.2f  %s"
              % (tid, p1, p2, diff, z, "ok" if ok else "FAIL"))

    ta, tb = a["elapsed_seconds"], b["elapsed_seconds"]
    ra, rb = n / ta, n / tb
    print()
    print("per-core throughput (--threads 1 / single-threaded numpy):")
    print("  simplan  %12.0f draws/s  (%.3f s, its JSON elapsed_seconds: "
          "run incl. pilot and quantile statistics)" % (ra, ta))
    print("  numpy    %12.0f draws/s  (%.3f s, simulation only)" % (rb, tb))
    print("  ratio simplan/numpy = %.2f" % (ra / rb))
    for w in a.get("warnings", []):
        print("  simplan warning: " + w)
    for w in b.get("warnings", []):
        print("  numpy   warning: " + w)
    print()
    if failed:
        print("FAIL: %d of %d targets disagree beyond %g sigma"
              % (failed, len(pa), SIGMAS))
        return 1
    print("ok: all %d targets agree within %g sigma" % (len(pa), SIGMAS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
