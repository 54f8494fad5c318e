#!/usr/bin/python3
"""compare.py -- simplan against the NumPy implementation of the same model.

    compare.py SIMPLAN SCENARIO.cfg [--draws N] [--seed S] [--chunk C]
               [--python PY]

Runs, in this order and in the same invocation,
    SIMPLAN run SCENARIO --draws N --seed S --threads 1 --format json -q
    PY bench/numpy_sim.py SCENARIO --draws N --seed S [--chunk C] --json
    PY bench/numpy_sim.py SCENARIO --draws N --seed S [--chunk C] --json
                          --report full
and checks that every target's probability agrees within Monte Carlo error.
The two programs use different random streams, so their estimates are
independent; with p1, p2 the estimates from N draws each, a target agrees
when
    |p1 - p2| <= 4 * sqrt(p1 (1 - p1) / N + p2 (1 - p2) / N)
(4 sigma: a false alarm has probability about 6e-5 per target). The check
uses the probabilities-only NumPy run; the full-report run draws the same
variates (same seed and chunk), so its probabilities must be identical --
that is checked too (when they are not, e.g. with --chunk below 4096, its
probabilities get the same 4-sigma check).

Prints the table, the per-core throughputs (draws per second on one core,
from each program's own timing: simplan's elapsed_seconds covers the whole
run -- pilot, simulation, histograms and quantiles --; numpy's covers the
simulation, plus all statistics with --report full) and two ratios:
    simplan (full report) / numpy (probabilities only)
    simplan (full report) / numpy (full report, same statistics)
The second is the like-for-like one: both compute every indicator's mean
and 5/25/50/75/95 % quantiles in every year, every simple target's
measure and the Wilson intervals, with the same fixed-memory histograms.
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
                 args.scenario, "--draws", str(n), "--seed", str(args.seed)]
    if args.chunk is not None:
        numpy_cmd += ["--chunk", str(args.chunk)]
    numpy_cmd += ["--json"]
    numpy_full_cmd = numpy_cmd + ["--report", "full"]
    try:
        a = run_json(simplan_cmd, "simplan")
        b = run_json(numpy_cmd, "numpy_sim.py")
        c = run_json(numpy_full_cmd, "numpy_sim.py --report full")
    except (OSError, RuntimeError) as exc:
        print("compare: %s" % exc, file=sys.stderr)
        return 2
    if a.get("draws") != n or b.get("draws") != n or c.get("draws") != n:
        print("compare: draw counts differ from %d (simplan %s, numpy %s, "
              "numpy full %s)" % (n, a.get("draws"), b.get("draws"),
                                  c.get("draws")), file=sys.stderr)
        return 2
    if c.get("report") != "full" or "indicators" not in c:
        print("compare: numpy_sim.py --report full gave no full report",
              file=sys.stderr)
        return 2

    pa = {t["id"]: t for t in a["targets"]}
    pb = {t["id"]: t for t in b["targets"]}
    pc = {t["id"]: t for t in c["targets"]}
    if list(pa) != list(pb) or list(pa) != list(pc):
        print("compare: the target lists differ: %s vs %s vs %s"
              % (list(pa), list(pb), list(pc)), file=sys.stderr)
        return 2
    same = all(pb[t]["met"] == pc[t]["met"] for t in pb)

    print()
    print("scenario %s, N = %d draws each (independent streams)"
          % (args.scenario, n))
    print("agreement: |p1 - p2| <= %g * sqrt(p1(1-p1)/N + p2(1-p2)/N) "
          "(%g sigma)" % (SIGMAS, SIGMAS))
    print("%-18s %12s %12s %10s %9s  %s"
          % ("target", "P simplan", "P numpy", "diff", "sigma", "check"))
    failed = 0

    def check(tid, p1, p2, label):
        se = math.sqrt(p1 * (1 - p1) / n + p2 * (1 - p2) / n)
        diff = p1 - p2
        if se > 0:
            z = diff / se
        else:
            z = 0.0 if diff == 0 else math.copysign(math.inf, diff)
        ok = abs(z) <= SIGMAS
        print("%-18s %12.6f %12.6f %+10.6f %+9.2f  %s"
              % (label or tid, p1, p2, diff, z, "ok" if ok else "FAIL"))
        return ok

    for tid in pa:
        failed += not check(tid, pa[tid]["probability"],
                            pb[tid]["probability"], None)
    if same:
        print("numpy --report full: the same met counts as the "
              "probabilities-only run (same variates)")
    else:
        print("numpy --report full drew differently (chunk < 4096?); its "
              "probabilities against simplan:")
        for tid in pa:
            failed += not check(tid, pa[tid]["probability"],
                                pc[tid]["probability"], tid + " (full)")

    ta, tb, tc = (a["elapsed_seconds"], b["elapsed_seconds"],
                  c["elapsed_seconds"])
    ra, rb, rc = n / ta, n / tb, n / tc
    print()
    print("per-core throughput (--threads 1 / single-threaded numpy):")
    print("  simplan (full report)       %12.0f draws/s  (%.3f s, its JSON "
          "elapsed_seconds: run incl. pilot and quantile statistics)"
          % (ra, ta))
    print("  numpy (probabilities only)  %12.0f draws/s  (%.3f s, "
          "simulation only)" % (rb, tb))
    print("  numpy (full report)         %12.0f draws/s  (%.3f s, "
          "simulation, pilot, histograms and quantiles)" % (rc, tc))
    print("  ratio %-62s = %.2f"
          % ("simplan (full report) / numpy (probabilities only)", ra / rb))
    print("  ratio %-62s = %.2f"
          % ("simplan (full report) / numpy (full report, same statistics)",
             ra / rc))
    for w in a.get("warnings", []):
        print("  simplan warning: " + w)
    for w in b.get("warnings", []):
        print("  numpy   warning: " + w)
    for w in c.get("warnings", []):
        if w not in b.get("warnings", []):
            print("  numpy full warning: " + w)
    print()
    checked = len(pa) if same else 2 * len(pa)
    if failed:
        print("FAIL: %d of %d target checks disagree beyond %g sigma"
              % (failed, checked, SIGMAS))
        return 1
    print("ok: all %d targets agree within %g sigma" % (len(pa), SIGMAS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
