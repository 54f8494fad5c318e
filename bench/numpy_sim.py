#!/usr/bin/python3
"""numpy_sim.py -- the simplan model as a researcher would write it in NumPy.

    numpy_sim.py SCENARIO.cfg [--draws N] [--seed S] [--chunk C] [--json]

This is the benchmark peer of simplan (DESIGN.md section 6): the same model
(DESIGN.md 2.1-2.4, model/sp_model.h), vectorised over draws and processed in
chunks of C draws so that memory does not grow with N. It reproduces the
model, not simplan's random streams: its variates come from
numpy.random.Generator(PCG64(seed)), so its probabilities agree with
simplan's only within Monte Carlo error (bench/compare.py checks that).

Per draw and projected step t (step 0 = base year):
    r_i[t] = mean_i[t] + u_i + e_i[t] + sum of event effects on i in t
    u_i    = trend_sd_i * w_i,               w = L zeta, once per draw
    e_i[t] = ar1_i e_i[t-1] + sd_i[t] eps_i[t],  e_i[0] = 0
    eps_i  = F_i^-1(Phi(z_i)),               z = L zeta, fresh each step
    rate:  X[t] = X[t-1] (1 + max(r, -0.99));  share: S = min(1, max(0, S + r))
    derived indicators from the same step's values, in dependency order.

The timing printed is that of the simulation only: reading the scenario,
imports and building the model (Cholesky factor, formula translation) are
excluded. Run with /usr/bin/python3 (Debian's numpy/scipy/libconf).
"""

import os

# Per-core comparison: no threaded BLAS / OpenMP inside numpy or scipy. This
# must happen before numpy is imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "BLIS_NUM_THREADS", "NUMEXPR_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import functools  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import libconf  # noqa: E402
import numpy as np  # noqa: E402
from scipy import special  # noqa: E402

RATE_FLOOR = -0.99
SQRT3 = math.sqrt(3.0)
DEFAULT_CHUNK = 100_000


class ScenarioError(Exception):
    pass


# --------------------------------------------------------------------------
# Marginal families: eps = F^-1(Phi(z)) for standard normal z.
# --------------------------------------------------------------------------

def make_transform(dist):
    """Returns a function z -> eps (may work in place on z), or None for the
    normal family (eps = z)."""
    if dist is None:
        return None
    family = dist.get("family", "normal")
    if family == "normal":
        return None
    if family == "t":
        df = float(dist["df"])
        if not df > 2.0:
            raise ScenarioError("dist.df must be > 2")
        scale = math.sqrt((df - 2.0) / df)

        def t_marginal(z):
            # scipy.stats.t.ppf(ndtr(z), df) is special.stdtrit(df, ndtr(z));
            # called directly to skip stats' argument checking. Symmetric:
            # use the lower tail of |z| so the upper tail keeps its accuracy.
            q = special.ndtr(-np.abs(z))
            x = special.stdtrit(df, q)          # <= 0
            x *= -scale
            return np.copysign(x, z, out=x)
        return t_marginal
    if family == "uniform":
        def uniform_marginal(z):
            # sqrt3 (2 Phi(z) - 1) = sqrt3 erf(z / sqrt2), accurate in both tails.
            x = special.erf(z * (1.0 / math.sqrt(2.0)))
            x *= SQRT3
            return x
        return uniform_marginal
    if family == "split_normal":
        skew = float(dist["skew"])
        if not -1.0 < skew < 1.0:
            raise ScenarioError("dist.skew must be in (-1, 1)")
        s1 = 1.0 / math.sqrt(1.0 + skew)     # left sd
        s2 = 1.0 / math.sqrt(1.0 - skew)     # right sd
        p0 = s1 / (s1 + s2)                  # P(eps < 0), mass left of the mode
        z0 = float(special.ndtri(p0))        # z that maps to the mode
        c1 = (s1 + s2) / (2.0 * s1)
        c2 = (s1 + s2) / (2.0 * s2)

        def split_normal_marginal(z):
            # F(x) = 2 s1/(s1+s2) Phi(x/s1)            for x < 0
            #      = 1 - 2 s2/(s1+s2) Phi(-x/s2)       for x >= 0
            out = np.empty_like(z)
            left = z <= z0
            zl = z[left]
            out[left] = s1 * special.ndtri(special.ndtr(zl) * c1)
            right = ~left
            zr = z[right]
            out[right] = -s2 * special.ndtri(special.ndtr(-zr) * c2)
            return out
        return split_normal_marginal
    raise ScenarioError("unknown dist.family '%s'" % family)


# --------------------------------------------------------------------------
# Formulas: tokenised and translated to a NumPy expression.
# --------------------------------------------------------------------------

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<num>0[xX][0-9a-fA-F.]+(?:[pP][+-]?\d+)?|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<op>[-+*/^(),])
    )""", re.VERBOSE)

_FUNCS = {"exp": "_exp", "log": "_log", "sqrt": "_sqrt",
          "min": "_min", "max": "_max"}


def _reduce_min(*args):
    return functools.reduce(np.minimum, args)   # NaN propagates, as in simplan


def _reduce_max(*args):
    return functools.reduce(np.maximum, args)


def translate_formula(text, index_of):
    """simplan formula -> (python source, constants, indicator indices used).

    `^` becomes `**` (both bind tighter than unary minus on their left and
    are right-associative, so -2^2 = -4 and 2^-1 = 0.5 as in simplan);
    indicator names become _v[i]; numbers become NumPy float64 constants
    (so 1/0 gives inf and (-8)^0.5 NaN, as in C)."""
    out, consts, used = [], [], set()
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise ScenarioError("cannot read formula %r at character %d"
                                % (text, pos + 1))
        pos = m.end()
        if m.group("num") is not None:
            s = m.group("num")
            v = float.fromhex(s) if s[:2].lower() == "0x" else float(s)
            consts.append(np.float64(v))
            out.append("_k[%d]" % (len(consts) - 1))
        elif m.group("name") is not None:
            name = m.group("name")
            if name in _FUNCS:
                out.append(_FUNCS[name])
            elif name in index_of:
                out.append("_v[%d]" % index_of[name])
                used.add(index_of[name])
            else:
                raise ScenarioError("formula %r: '%s' is not an indicator"
                                    % (text, name))
        else:
            op = m.group("op")
            out.append("**" if op == "^" else op)
    return " ".join(out), consts, used


class Formula:
    def __init__(self, text, index_of):
        self.text = text
        src, self.consts, self.used = translate_formula(text, index_of)
        self.src = src
        try:
            self.code = compile(src, "<formula>", "eval")
        except SyntaxError as exc:
            raise ScenarioError("formula %r does not parse: %s" % (text, exc))

    def __call__(self, values):
        """values: sequence indexed by indicator -> arrays (or scalars)."""
        ns = {"__builtins__": {}, "_v": values, "_k": self.consts,
              "_exp": np.exp, "_log": np.log, "_sqrt": np.sqrt,
              "_min": _reduce_min, "_max": _reduce_max}
        return eval(self.code, ns)


# --------------------------------------------------------------------------
# The model.
# --------------------------------------------------------------------------

class Model:
    """The scenario resolved to arrays. Stochastic indicators are stored in
    'slots' with the rates first and the shares after them, so each kind is a
    contiguous block of rows; the correlation matrix is permuted to match
    (the joint law of z = L zeta does not depend on the order)."""

    def __init__(self, cfg):
        sc = cfg["scenario"]
        self.base_year = int(sc["base_year"])
        self.horizon = int(sc["horizon"])
        T = self.horizon - self.base_year
        if T < 1:
            raise ScenarioError("horizon must be after base_year")
        self.T = T
        sim = cfg.get("simulation", {})
        self.draws = int(sim.get("draws", 100000))
        self.seed = int(sim.get("seed", 0))

        inds = list(cfg["indicators"])
        self.names = [str(ind["name"]) for ind in inds]
        if len(set(self.names)) != len(self.names):
            raise ScenarioError("duplicate indicator names")
        kinds = [str(ind["kind"]) for ind in inds]
        for k in kinds:
            if k not in ("rate", "share", "derived"):
                raise ScenarioError("unknown indicator kind '%s'" % k)
        rates = [i for i, k in enumerate(kinds) if k == "rate"]
        shares = [i for i, k in enumerate(kinds) if k == "share"]
        derived = [i for i, k in enumerate(kinds) if k == "derived"]
        stoch = rates + shares
        # Storage order: stochastic slots first, then the derived indicators.
        self.order = stoch + derived
        self.row_of = {self.names[i]: r for r, i in enumerate(self.order)}
        self.n_rows = len(self.order)
        ns = self.ns = len(stoch)
        self.nr = len(rates)

        self.base = np.zeros(self.n_rows)
        self.mean = np.zeros((ns, T))
        self.sd = np.zeros((ns, T))
        self.trend_sd = np.zeros(ns)
        self.ar1 = np.zeros(ns)
        self.transforms = []
        for s, i in enumerate(stoch):
            ind = inds[i]
            self.base[s] = float(ind["base"])
            covered = np.zeros(T, dtype=int)
            for per in ind["path"]:
                a = int(per["from"]) - self.base_year - 1
                b = int(per["to"]) - self.base_year
                if a < 0 or b > T or a >= b:
                    raise ScenarioError("%s: path period out of range"
                                        % self.names[i])
                self.mean[s, a:b] = float(per["mean"])
                self.sd[s, a:b] = float(per["sd"])
                covered[a:b] += 1
            if not np.all(covered == 1):
                raise ScenarioError("%s: the path must cover every projected "
                                    "year exactly once" % self.names[i])
            self.trend_sd[s] = float(ind.get("trend_sd", 0.0))
            self.ar1[s] = float(ind.get("ar1", 0.0))
            self.transforms.append(make_transform(ind.get("dist")))

        # Copula correlation (also used for the trend draws).
        corr = np.eye(ns)
        for c in cfg.get("correlations", ()):
            a, b = self.row_of[c["a"]], self.row_of[c["b"]]
            if a >= ns or b >= ns or a == b:
                raise ScenarioError("correlations must pair two different "
                                    "rate/share indicators")
            corr[a, b] = corr[b, a] = float(c["rho"])
        if np.array_equal(corr, np.eye(ns)):
            self.chol = None
        else:
            try:
                self.chol = np.linalg.cholesky(corr)
            except np.linalg.LinAlgError:
                raise ScenarioError("the correlation matrix is not positive "
                                    "definite")
            # Nonzero entries of L, row by row, for z = L zeta without BLAS.
            self.chol_terms = [
                [(j, float(self.chol[i, j])) for j in range(i + 1)
                 if self.chol[i, j] != 0.0] for i in range(ns)]

        # Derived indicators in dependency order.
        self.formulas = {}
        for i in derived:
            self.formulas[self.row_of[self.names[i]]] = Formula(
                str(inds[i]["formula"]), self.row_of)
        self.derived_order = []
        state = {}

        def visit(r, chain):
            if state.get(r) == 2:
                return
            if state.get(r) == 1:
                raise ScenarioError("derived indicators form a cycle: %s"
                                    % " -> ".join(self.names[self.order[x]]
                                                  for x in chain + [r]))
            state[r] = 1
            for d in sorted(self.formulas[r].used):
                if d in self.formulas:
                    visit(d, chain + [r])
            state[r] = 2
            self.derived_order.append(r)
        for r in sorted(self.formulas):
            visit(r, [])
        # Base-year values of the derived indicators, from the inputs' bases.
        with np.errstate(all="ignore"):
            vals = list(np.float64(v) for v in self.base)
            for r in self.derived_order:
                vals[r] = np.float64(self.formulas[r](vals))
                self.base[r] = vals[r]
                if not np.isfinite(vals[r]):
                    raise ScenarioError(
                        "%s: the formula gives %g at the base year %d; it "
                        "must be finite" % (self.names[self.order[r]],
                                            vals[r], self.base_year))

        # Events: (probability, first step, last step, [(slot, mean, sd)]).
        self.events = []
        for ev in cfg.get("events", ()):
            effects = []
            for ef in ev["effects"]:
                slot = self.row_of[ef["indicator"]]
                if slot >= ns:
                    raise ScenarioError("event effects must hit a rate/share "
                                        "indicator")
                effects.append((slot, float(ef["mean"]), float(ef["sd"])))
            self.events.append((float(ev["probability"]),
                                int(ev["from"]) - self.base_year,
                                int(ev["to"]) - self.base_year, effects))

        # Targets.
        self.targets = []
        ids = {}
        for k, tg in enumerate(cfg["targets"]):
            tid = str(tg["id"])
            ids[tid] = k
            if "all" in tg:
                self.targets.append({"id": tid, "all": list(tg["all"])})
                continue
            measure = str(tg["measure"])
            if measure == "level":
                y0 = y1 = int(tg["year"])
            elif measure in ("change", "cagr", "delta"):
                y0, y1 = int(tg["from"]), int(tg["to"])
            else:
                raise ScenarioError("unknown measure '%s'" % measure)
            op = str(tg["op"])
            if op == "between":
                lo, hi = (float(x) for x in tg["range"])
                value = None
            elif op in (">=", ">", "<=", "<"):
                value, lo, hi = float(tg["value"]), None, None
            else:
                raise ScenarioError("unknown op '%s'" % op)
            self.targets.append({
                "id": tid, "row": self.row_of[tg["indicator"]],
                "measure": measure, "from": y0 - self.base_year,
                "to": y1 - self.base_year, "op": op, "value": value,
                "lo": lo, "hi": hi})
        for tg in self.targets:
            if "all" in tg:
                members = []
                for m in tg["all"]:
                    if m not in ids or "all" in self.targets[ids[m]]:
                        raise ScenarioError("joint target %s: '%s' is not a "
                                            "simple target" % (tg["id"], m))
                    members.append(ids[m])
                tg["members"] = members

    # ---------------------------------------------------------------------

    def correlated(self, zeta, out):
        """z = L zeta for zeta of shape (ns, n); out may not alias zeta."""
        if self.chol is None:
            return zeta
        for i, terms in enumerate(self.chol_terms):
            row = out[i]
            j, c = terms[0]
            np.multiply(zeta[j], c, out=row)
            for j, c in terms[1:]:
                row += c * zeta[j]
        return out

    def simulate_chunk(self, rng, n, ws, clamps):
        """Simulates n draws; returns (met flags of shape (n_targets, n),
        per-target count of non-finite measures); adds to `clamps`."""
        T, ns, nr = self.T, self.ns, self.nr
        V = ws["V"]                      # (rows, T+1, n); V[:, 0] = base
        zeta, zbuf = ws["zeta"], ws["z"]  # (ns, n) each
        e, u, r = ws["e"], ws["u"], ws["r"]

        # Trend shifts, once per draw: u = trend_sd * (L zeta).
        rng.standard_normal(out=zeta)
        z = self.correlated(zeta, zbuf)
        np.multiply(z, self.trend_sd[:, None], out=u)
        e.fill(0.0)
        ar1 = self.ar1[:, None]

        for t in range(1, T + 1):
            rng.standard_normal(out=zeta)
            z = self.correlated(zeta, zbuf)
            # eps = F^-1(Phi(z)) per indicator; e = ar1 e + sd eps.
            e *= ar1
            for s, f in enumerate(self.transforms):
                eps = z[s] if f is None else f(z[s])
                e[s] += self.sd[s, t - 1] * eps
            # r = mean + u + e (+ events).
            np.add(u, e, out=r)
            r += self.mean[:, t - 1, None]
            for prob, first, last, effects in self.events:
                if first <= t <= last:
                    hit = np.flatnonzero(rng.random(n) < prob)
                    if hit.size:
                        for slot, mu, sdv in effects:
                            r[slot, hit] += mu + sdv * rng.standard_normal(
                                hit.size)
            # rate: X = X_prev (1 + max(r, -0.99)).
            if nr:
                rr = r[:nr]
                low = rr < RATE_FLOOR
                clamps[:nr] += np.count_nonzero(low, axis=1)
                np.maximum(rr, RATE_FLOOR, out=rr)
                rr += 1.0
                np.multiply(V[:nr, t - 1], rr, out=V[:nr, t])
            # share: S = min(1, max(0, S_prev + r)).
            if ns > nr:
                sv = V[nr:ns, t]
                np.add(V[nr:ns, t - 1], r[nr:], out=sv)
                clamps[nr:ns] += (np.count_nonzero(sv < 0.0, axis=1)
                                  + np.count_nonzero(sv > 1.0, axis=1))
                np.clip(sv, 0.0, 1.0, out=sv)

        # Derived indicators, all projected years at once (elementwise).
        with np.errstate(all="ignore"):
            rows = [V[i, 1:] for i in range(self.n_rows)]
            for i in self.derived_order:
                V[i, 1:] = self.formulas[i](rows)

            # Targets.
            met = np.empty((len(self.targets), n), dtype=bool)
            nonfinite = np.zeros(len(self.targets), dtype=np.int64)
            for k, tg in enumerate(self.targets):
                if "all" in tg:
                    continue
                x1 = V[tg["row"], tg["to"]]
                m = tg["measure"]
                if m == "level":
                    v = x1
                else:
                    x0 = V[tg["row"], tg["from"]]
                    if m == "change":
                        v = x1 / x0 - 1.0
                    elif m == "cagr":
                        v = np.power(x1 / x0, 1.0 / (tg["to"] - tg["from"]))
                        v -= 1.0
                    else:
                        v = x1 - x0
                nonfinite[k] = n - np.count_nonzero(np.isfinite(v))
                op = tg["op"]      # NaN compares false: never met
                if op == ">=":
                    np.greater_equal(v, tg["value"], out=met[k])
                elif op == ">":
                    np.greater(v, tg["value"], out=met[k])
                elif op == "<=":
                    np.less_equal(v, tg["value"], out=met[k])
                elif op == "<":
                    np.less(v, tg["value"], out=met[k])
                else:
                    np.logical_and(v >= tg["lo"], v <= tg["hi"], out=met[k])
        for k, tg in enumerate(self.targets):
            if "all" in tg:
                met[k] = met[tg["members"][0]]
                for j in tg["members"][1:]:
                    met[k] &= met[j]
        return met, nonfinite

    def workspace(self, n):
        V = np.empty((self.n_rows, self.T + 1, n))
        V[:, 0, :] = self.base[:, None]
        ns = self.ns
        return {"V": V, "zeta": np.empty((ns, n)), "z": np.empty((ns, n)),
                "e": np.empty((ns, n)), "u": np.empty((ns, n)),
                "r": np.empty((ns, n))}

    def run(self, draws, seed, chunk):
        rng = np.random.Generator(np.random.PCG64(seed))
        met_count = np.zeros(len(self.targets), dtype=np.int64)
        nonfinite = np.zeros(len(self.targets), dtype=np.int64)
        clamps = np.zeros(self.ns, dtype=np.int64)
        ws = self.workspace(min(chunk, draws))
        done = 0
        while done < draws:
            n = min(chunk, draws - done)
            if n != ws["V"].shape[2]:
                ws = self.workspace(n)        # the last, shorter chunk
            met, nf = self.simulate_chunk(rng, n, ws, clamps)
            met_count += np.count_nonzero(met, axis=1)
            nonfinite += nf
            done += n
        return met_count, nonfinite, clamps


def load_scenario(path):
    try:
        with open(path, encoding="utf-8") as f:
            return libconf.load(f)
    except (OSError, libconf.ConfigParseError) as exc:
        raise ScenarioError("%s: %s" % (path, exc))


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Vectorised NumPy implementation of the simplan model "
                    "(benchmark peer).")
    ap.add_argument("scenario")
    ap.add_argument("--draws", type=int, default=None,
                    help="number of draws (default: the scenario's)")
    ap.add_argument("--seed", type=int, default=None,
                    help="seed of PCG64 (default: the scenario's)")
    ap.add_argument("--chunk", type=int, default=DEFAULT_CHUNK,
                    help="draws simulated at once (default %d); memory is "
                         "proportional to it, not to --draws" % DEFAULT_CHUNK)
    ap.add_argument("--json", action="store_true",
                    help="print a JSON object instead of a table")
    args = ap.parse_args(argv)
    try:
        model = Model(load_scenario(args.scenario))
    except (ScenarioError, KeyError, TypeError, ValueError) as exc:
        print("numpy_sim: scenario error: %s" % exc, file=sys.stderr)
        return 2
    draws = model.draws if args.draws is None else args.draws
    seed = model.seed if args.seed is None else args.seed
    if draws < 1 or args.chunk < 1:
        print("numpy_sim: --draws and --chunk must be positive",
              file=sys.stderr)
        return 1
    if not 0 <= seed < 2 ** 128:
        print("numpy_sim: --seed must be a non-negative integer",
              file=sys.stderr)
        return 1

    start = time.perf_counter()
    met, nonfinite, clamps = model.run(draws, seed, args.chunk)
    elapsed = time.perf_counter() - start

    warnings = []
    for s in range(model.ns):
        if clamps[s]:
            name = model.names[model.order[s]]
            what = ("the annual rate was clamped at -0.99" if s < model.nr
                    else "the share was clamped to [0, 1]")
            warnings.append("%s: %s in %d of %d draw-years"
                            % (name, what, clamps[s], draws * model.T))
    for k, tg in enumerate(model.targets):
        if nonfinite[k]:
            warnings.append("target %s: the measure was not finite in %d "
                            "draws (counted as not met)"
                            % (tg["id"], nonfinite[k]))
    targets = [{"id": tg["id"], "probability": int(met[k]) / draws,
                "met": int(met[k])} for k, tg in enumerate(model.targets)]
    if args.json:
        json.dump({"draws": draws, "seed": seed, "chunk": args.chunk,
                   "rng": "numpy PCG64", "elapsed_seconds": elapsed,
                   "draws_per_second": draws / elapsed,
                   "targets": targets, "warnings": warnings},
                  sys.stdout, indent=2)
        print()
    else:
        print("scenario %s: %d draws, seed %d, chunk %d, PCG64"
              % (args.scenario, draws, seed, args.chunk))
        print("%-20s %12s %12s" % ("target", "probability", "met"))
        for t in targets:
            print("%-20s %12.6f %12d" % (t["id"], t["probability"], t["met"]))
        for w in warnings:
            print("warning: " + w)
        print("elapsed %.3f s (simulation only), %.0f draws/s on one core"
              % (elapsed, draws / elapsed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
