#!/usr/bin/python3
"""variance.py -- what antithetic pairs and randomised quasi-Monte Carlo
would gain on each target's probability, measured on the model.

    variance.py SCENARIO.cfg... [--m M] [--reps R] [--seed S]

For each scenario (those with observed years are skipped: the model of
bench/numpy_sim.py, which agrees with simplan on every other shipped
scenario, tests/cli/test_numpy_peer.sh, does not condition on them) and
each method, R independent replicates of n = 2^M draws are simulated by
numpy_sim.py's Model.simulate_chunk with its variates from

  mc          independent normals and uniforms (numpy PCG64);
  antithetic  n/2 independent draws and their mirrors: every normal z of
              draw d + n/2 is -z of draw d and every uniform U is 1 - U
              (the normals of an event's effects, drawn only when it
              occurs, stay independent);
  rqmc        a scrambled Sobol' sequence (scipy.stats.qmc.Sobol, Owen
              scrambling) with one dimension per variate of a draw,
              normals by the inverse normal CDF (effect normals as above),
              a new scrambling for each replicate.

Per target: the variance of one replicate's estimate of P, across the R
replicates, against the variance p (1 - p) / n of plain Monte Carlo
(p from all replicates of all methods pooled): their ratio is the gain,
the factor by which the method cuts the draws needed for a given
precision. With R replicates the variance estimate has R - 1 degrees of
freedom, so a gain is known to about sqrt(2 / (R - 1)) of itself (one
sd; 0.25 for R = 32). Prints, per target, P, the draws plain Monte Carlo
needs for a 95 % half-width of 0.001 (1.96^2 p (1 - p) / 0.001^2), and
each method's gain and draws needed.
"""

import argparse
import math
import os
import sys

import numpy as np
from scipy import special
from scipy.stats import qmc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy_sim  # noqa: E402


class CountingRng:
    """Counts the variates one draw takes, in order (normals of a call
    with out= are ns dimensions; a random(n) call one)."""

    def __init__(self):
        self.dims = 0
        self.gen = np.random.Generator(np.random.PCG64(1))

    def standard_normal(self, size=None, out=None):
        if out is not None:
            self.dims += out.shape[0]
            out[...] = self.gen.standard_normal(out.shape)
            return out
        return self.gen.standard_normal(size)   # effect normals: not counted

    def random(self, n):
        self.dims += 1
        return self.gen.random(n)


class AntitheticRng:
    def __init__(self, seed):
        self.gen = np.random.Generator(np.random.PCG64(seed))

    def standard_normal(self, size=None, out=None):
        if out is None:
            return self.gen.standard_normal(size)
        h = out.shape[1] // 2
        out[:, :h] = self.gen.standard_normal((out.shape[0], h))
        np.negative(out[:, :h], out=out[:, h:])
        return out

    def random(self, n):
        u = self.gen.random(n // 2)
        return np.concatenate([u, 1.0 - u])


class SobolRng:
    def __init__(self, seed, n, dims):
        sobol = qmc.Sobol(d=dims, scramble=True, seed=seed)
        u = sobol.random(n)
        # keep the inverse CDF finite: a scrambled point is 0 or 1 only to
        # the sequence's resolution
        self.u = np.clip(u, 2.0 ** -60, 1.0 - 2.0 ** -53)
        self.off = 0
        self.gen = np.random.Generator(np.random.PCG64(seed + 1))

    def standard_normal(self, size=None, out=None):
        if out is None:
            return self.gen.standard_normal(size)
        k = out.shape[0]
        out[...] = special.ndtri(self.u[:, self.off:self.off + k]).T
        self.off += k
        return out

    def random(self, n):
        v = self.u[:, self.off].copy()
        self.off += 1
        return v


def estimates(model, rng, n):
    ws = model.workspace(n)
    clamps = np.zeros(model.ns, dtype=np.int64)
    met, _ = model.simulate_chunk(rng, n, ws, clamps)
    return np.count_nonzero(met, axis=1) / n


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenarios", nargs="+")
    ap.add_argument("--m", type=int, default=14, help="n = 2^M draws a replicate")
    ap.add_argument("--reps", type=int, default=32)
    ap.add_argument("--seed", type=int, default=20240601)
    args = ap.parse_args(argv)
    n, reps = 2 ** args.m, args.reps
    rel = math.sqrt(2.0 / (reps - 1))
    print("| scenario | target | P | draws for +-0.001, MC | antithetic gain | "
          "draws | RQMC gain | draws |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for path in args.scenarios:
        cfg = numpy_sim.load_scenario(path)
        if "observed" in cfg:
            print("| %s | (skipped: observed years) | | | | | | |" % path)
            continue
        model = numpy_sim.Model(cfg)
        counter = CountingRng()
        estimates(model, counter, 2)
        dims = counter.dims
        est = {"mc": [], "antithetic": [], "rqmc": []}
        for r in range(reps):
            seed = args.seed + 1000 * r
            est["mc"].append(estimates(
                model, np.random.Generator(np.random.PCG64(seed)), n))
            est["antithetic"].append(estimates(model, AntitheticRng(seed), n))
            est["rqmc"].append(estimates(model, SobolRng(seed, n, dims), n))
        est = {k: np.array(v) for k, v in est.items()}
        p = np.mean(np.concatenate(list(est.values())), axis=0)
        for k, tg in enumerate(model.targets):
            pk = p[k]
            var_mc = pk * (1.0 - pk) / n
            need = 1.96 ** 2 * pk * (1.0 - pk) / 0.001 ** 2
            row = ["%s" % os.path.basename(path), tg["id"], "%.3f" % pk,
                   "%.3g" % need]
            for method in ("antithetic", "rqmc"):
                v = np.var(est[method][:, k], ddof=1)
                if var_mc == 0.0:
                    row += ["-", "-"]
                    continue
                gain = var_mc / v if v > 0 else math.inf
                row += ["%.2f" % gain, "%.3g" % (need / gain)]
            print("| " + " | ".join(row) + " |")
        print("| %s | (%d variates a draw; %d replicates of %d draws; a gain "
              "is known to about +-%.0f %%) | | | | | | |"
              % (os.path.basename(path), dims, reps, n, 100 * rel))
    return 0


if __name__ == "__main__":
    sys.exit(main())
