#!/usr/bin/python3
"""numpy_sim.py -- the simplan model as a researcher would write it in NumPy.

    numpy_sim.py SCENARIO.cfg [--draws N] [--seed S] [--chunk C] [--json]
                 [--report probabilities|full]

This is the benchmark peer of simplan (bench/RESULTS.md): the same model
(doc/model.md §3-§5 and §7, model/sp_model.h), vectorised over draws and
processed in chunks of C draws so that memory does not grow with N; it
ignores observed years (doc/model.md §6). It reproduces the model, not
simplan's random streams: its variates come from
numpy.random.Generator(PCG64(seed)), so its probabilities agree with
simplan's only within Monte Carlo error (bench/compare.py checks that).

Per draw and projected step t (step 0 = base year):
    r_i[t] = mean_i[t] + u_i + e_i[t] + sum of event effects on i in t
    u_i    = trend_sd_i * w_i,               w = L zeta, once per draw
    e_i[t] = ar1_i e_i[t-1] + sd_i[t] eps_i[t],  e_i[0] = 0
    eps_i  = F_i^-1(Phi(z_i)),               z = L zeta, fresh each step
    rate:  X[t] = X[t-1] (1 + max(r, -0.99));  share: S = min(1, max(0, S + r))
    derived indicators from the same step's values, in dependency order.

--report probabilities (the default) computes only the probability that each
target is met. --report full computes what `simplan run` reports
(doc/model.md §8, §11), with simplan's method (src/engine/sp_accum.c,
src/engine/sp_mc.c) and memory independent of the draw count: for every
indicator and year and every simple target's measure, the mean and the
5/25/50/75/95 % quantiles, plus each probability's 95 % Wilson interval. The
first chunk (at least 4096 draws) fixes every quantity's histogram range
from its first min(N, 4096) draws -- [a - (b-a)/4, b + (b-a)/4] with a, b
the pilot's 2.5 % and 97.5 % order statistics -- and is then accumulated
like the others: 4096 equal bins plus underflow and overflow counts, the
count, sum, min and max of the finite values (non-finite values are left out
and counted). Quantiles are read by linear interpolation inside the bin
where the cumulative count reaches p N, clamped to [min, max]; a constant
quantity gives its value. On the same values the bins and quantiles are
bit-identical to sp_accum's. The base year is the same constant in every
draw and is reported as that constant without being accumulated.

The timing printed is that of the simulation (with --report full, plus the
pilot, the histograms and the quantiles): reading the scenario, imports and
building the model (Cholesky factor, formula translation) are excluded. Run
with /usr/bin/python3 (Debian's numpy/scipy/libconf).
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
# --report full: simplan's statistics (src/engine/sp_accum.c) in NumPy.
# --------------------------------------------------------------------------

BINS = 4096                 # SP_ACCUM_BINS
ROW = BINS + 2              # underflow, BINS bins, overflow
PILOT_DRAWS = 4096          # SP_MC_PILOT_BLOCKS * SP_MC_BLOCK
QUANTILES = (("p05", 0.05), ("p25", 0.25), ("p50", 0.50), ("p75", 0.75),
             ("p95", 0.95))
Z95 = 1.959963984540054     # SP_Z95
SLAB_VALUES = 1 << 17       # values per np.bincount call (add_block)
MAX_SPAN = 16 * ROW         # widest exact span a row may have before clipping


def pilot_ranges(sample):
    """Histogram range of every quantity from its pilot sample (rows of
    `sample`), as sp_accum_pilot_range: the 2.5 % and 97.5 % order
    statistics a = x[floor(0.025 (m-1))], b = x[ceil(0.975 (m-1))] of the m
    finite values, widened by (b - a) / 4 on each side; a narrow range
    around a when b = a; [-1, 1] when no value is finite."""
    x = np.where(np.isfinite(sample), sample, np.nan)
    x.sort(axis=1)                              # NaN (non-finite) last
    m = np.count_nonzero(np.isfinite(x), axis=1)
    last = np.maximum(m - 1, 0).astype(np.float64)
    ia = np.floor(0.025 * last).astype(np.intp)
    ib = np.ceil(0.975 * last).astype(np.intp)
    rows = np.arange(x.shape[0])
    a, b = x[rows, ia], x[rows, ib]
    spread = b - a
    lo = a - 0.25 * spread
    hi = b + 0.25 * spread
    flat = ~(spread > 0.0)
    eps = np.maximum(np.abs(a) * 1e-9, 1e-300)
    lo = np.where(flat, a - eps, lo)
    hi = np.where(flat, a + eps, hi)
    none = m == 0
    lo[none], hi[none] = -1.0, 1.0
    return lo, hi


class Histograms:
    """simplan's sp_accum for Q quantities: per quantity BINS equal bins
    over [lo, hi) plus underflow and overflow counts, the count, sum, min
    and max of its finite values. A value x falls in underflow when
    u = (x - lo) * (BINS / (hi - lo)) < 0, in overflow when u >= BINS, else
    in bin floor(u) + 1: the same arithmetic as sp_accum_add_row, so the
    same bin.

    add_block bins a (k, n) block of k quantities with one np.bincount on
    a flattened (quantity, bin) index. Measured on this model (100 000-draw
    chunks, ~110 quantities) this beats both one bincount over all
    quantities at once (its 4 MB output does not stay in cache: 2x slower)
    and clamping with np.clip (in NumPy 1.24 it takes 3 times as long as a
    subtraction, 15 times when many values are clipped): instead every row
    gets an index range wide enough for its own min and max, and its outer
    tails are folded into the underflow and overflow counts. Rows whose
    span would be wider than MAX_SPAN bins (extreme outliers) are clipped
    to [-1, BINS] first, which puts the same values in the same counts."""

    def __init__(self, lo, hi):
        q = lo.size
        self.lo = np.asarray(lo, dtype=np.float64)
        self.inv_width = BINS / (np.asarray(hi, dtype=np.float64) - self.lo)
        self.bins = np.zeros((q, ROW), dtype=np.int64)
        self.count = np.zeros(q, dtype=np.int64)
        self.sum = np.zeros(q)
        self.min = np.full(q, np.inf)
        self.max = np.full(q, -np.inf)
        self._u = np.empty(0)
        self._i = np.empty(0, dtype=np.intp)

    def _buffers(self, size):
        if self._u.size < size:
            self._u = np.empty(size)
            self._i = np.empty(size, dtype=np.intp)
        return self._u[:size], self._i[:size]

    def add_block(self, block, q0):
        """Adds the finite values of block[j] to quantity q0 + j."""
        k, n = block.shape
        if n == 0:
            return
        step = max(1, min(k, SLAB_VALUES // n))
        for j in range(0, k, step):
            self._add_slab(block[j:j + step], q0 + j)

    def _add_slab(self, x, q0, filtered=False):
        k, n = x.shape
        q1 = q0 + k
        s = x.sum(axis=1)
        if not filtered and not np.all(np.isfinite(s)):
            # A non-finite value (or an overflowing sum): rows one by one,
            # the bad rows without their non-finite values.
            for j in range(k):
                row = x[j:j + 1]
                if np.isfinite(s[j]) or np.all(np.isfinite(row)):
                    self._add_slab(row, q0 + j, True)
                else:
                    kept = row[np.isfinite(row)]
                    if kept.size:
                        self._add_slab(kept[None, :], q0 + j, True)
            return
        mn = x.min(axis=1)
        mx = x.max(axis=1)
        self.sum[q0:q1] += s
        self.count[q0:q1] += n
        np.minimum(self.min[q0:q1], mn, out=self.min[q0:q1])
        np.maximum(self.max[q0:q1], mx, out=self.max[q0:q1])

        lo = self.lo[q0:q1]
        inv = self.inv_width[q0:q1]
        u, idx = self._buffers(k * n)
        u = u.reshape(k, n)
        np.subtract(x, lo[:, None], out=u)
        np.multiply(u, inv[:, None], out=u)
        # floor(u) of the smallest and largest value of every row (the same
        # operations on the same doubles, and monotone).
        with np.errstate(over="ignore", invalid="ignore"):
            umin = np.floor((mn - lo) * inv)
            umax = np.floor((mx - lo) * inv)
        base = np.minimum(umin, -1.0)   # local index 0: floor(u) = base
        top = np.maximum(umax, float(BINS))
        width = top - base + 1.0
        wide = ~(width <= MAX_SPAN)
        for j in np.flatnonzero(wide):
            np.clip(u[j], -1.0, float(BINS), out=u[j])
            base[j], width[j] = -1.0, float(ROW)
        start = np.zeros(k)
        np.cumsum(width[:-1], out=start[1:])
        np.floor(u, out=u)
        u += (start - base)[:, None]          # exact: integers < 2^53
        idx = idx.reshape(k, n)
        np.copyto(idx, u, casting="unsafe")
        total = int(start[-1] + width[-1])
        counts = np.bincount(idx.reshape(-1), minlength=total)
        bins = self.bins
        for j in range(k):
            o, w, under = int(start[j]), int(width[j]), int(-base[j])
            seg = counts[o:o + w]
            h = bins[q0 + j]
            h[0] += seg[:under].sum()
            h[1:ROW - 1] += seg[under:under + BINS]
            h[ROW - 1] += seg[under + BINS:].sum()

    def statistics(self):
        """Mean, p05..p95, and whether the 5 % and 95 % quantiles are
        resolved to 0.1 % of (p95 - p05), per quantity: sp_accum_quantile
        and stats_of (src/engine/sp_mc.c). The p-quantile is read at rank p n in
        the bin where the cumulative count reaches it, interpolating
        linearly inside the bin, clamped to [min, max]; a rank in the
        underflow (overflow) count gives lo (hi), and is flagged."""
        q = self.count.size
        n = self.count.astype(np.float64)
        width = 1.0 / self.inv_width
        cum = np.cumsum(self.bins, axis=1)
        out = {}
        in_range = {}
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.minimum(np.maximum(self.sum / n, self.min), self.max)
            rows = np.arange(q)
            for key, p in QUANTILES:
                rank = p * n
                b = np.count_nonzero(cum < rank[:, None], axis=1)
                under = b == 0
                over = b >= ROW - 1
                bb = np.clip(b, 1, ROW - 2)
                prev = cum[rows, bb - 1].astype(np.float64)
                frac = (rank - prev) / self.bins[rows, bb]
                v = self.lo + ((bb - 1) + frac) * width
                v = np.where(under, self.lo, v)
                v = np.where(over, self.lo + BINS * width, v)
                v = np.minimum(np.maximum(v, self.min), self.max)
                const = self.min == self.max
                v = np.where(const, self.min, v)
                v = np.where(self.count == 0, np.nan, v)
                out[key] = v
                in_range[key] = ~(under | over)
        mean = np.where(self.count == 0, np.nan, mean)
        const = self.min == self.max
        resolved = const | (in_range["p05"] & in_range["p95"]
                            & (width <= 1e-3 * (out["p95"] - out["p05"])))
        return mean, out, resolved | (self.count == 0)


def wilson_interval(met, n, z=Z95):
    """sp_wilson_interval (model/sp_measure.c)."""
    if n == 0:
        return 0.0, 1.0
    p = met / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denom
    half = z * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denom
    lo = 0.0 if met == 0 else max(0.0, centre - half)
    hi = 1.0 if met == n else min(1.0, centre + half)
    return lo, hi


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
            # sd_factor (doc/model.md §15.6) scales the sds and trend_sd;
            # 0 or absent is 1
            factor = float(ind.get("sd_factor", 0.0)) or 1.0
            self.base[s] = float(ind["base"])
            covered = np.zeros(T, dtype=int)
            for per in ind["path"]:
                a = int(per["from"]) - self.base_year - 1
                b = int(per["to"]) - self.base_year
                if a < 0 or b > T or a >= b:
                    raise ScenarioError("%s: path period out of range"
                                        % self.names[i])
                self.mean[s, a:b] = float(per["mean"])
                self.sd[s, a:b] = float(per["sd"]) * factor
                covered[a:b] += 1
            if not np.all(covered == 1):
                raise ScenarioError("%s: the path must cover every projected "
                                    "year exactly once" % self.names[i])
            self.trend_sd[s] = float(ind.get("trend_sd", 0.0)) * factor
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
        per-target count of non-finite measures); adds to `clamps`. With
        ws["M"] (--report full) the simple targets' measures are also left
        in its rows, and every indicator's values in ws["V"]."""
        T, ns, nr = self.T, self.ns, self.nr
        V = ws["V"]                      # (rows, T+1, n); V[:, 0] = base
        M = ws.get("M")                  # (targets, n) measures, or None
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
                if M is not None:
                    # --report full: the measure goes to its row of M (the
                    # same operations, written in place).
                    v = M[k]
                    if m == "level":
                        np.copyto(v, x1)
                    else:
                        x0 = V[tg["row"], tg["from"]]
                        if m == "change":
                            np.divide(x1, x0, out=v)
                            v -= 1.0
                        elif m == "cagr":
                            np.divide(x1, x0, out=v)
                            np.power(v, 1.0 / (tg["to"] - tg["from"]), out=v)
                            v -= 1.0
                        else:
                            np.subtract(x1, x0, out=v)
                elif m == "level":
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

    def workspace(self, n, full=False):
        V = np.empty((self.n_rows, self.T + 1, n))
        V[:, 0, :] = self.base[:, None]
        ns = self.ns
        ws = {"V": V, "zeta": np.empty((ns, n)), "z": np.empty((ns, n)),
              "e": np.empty((ns, n)), "u": np.empty((ns, n)),
              "r": np.empty((ns, n))}
        if full:
            ws["M"] = np.empty((len(self.targets), n))
        return ws

    # ---- --report full: the quantities and their statistics -------------
    #
    # Quantities, as in simplan: every indicator in every projected year,
    # then the measure of every simple target. Quantity q = r T + (t - 1)
    # is storage row r in step t = 1..T; quantity n_rows T + k is target k.
    # The base year is not accumulated: it is the constant base value in
    # every draw, so its mean and quantiles are that value exactly (which
    # is also what simplan's histograms give for a constant quantity).

    def simple_targets(self):
        return [k for k, tg in enumerate(self.targets) if "all" not in tg]

    def quantity_blocks(self, ws):
        """(first quantity, C-contiguous (quantities, draws) array) pairs
        covering every quantity once; the arrays are views of ws."""
        V, T = ws["V"], self.T
        for r in range(self.n_rows):
            yield r * T, V[r, 1:]
        M = ws["M"]
        q0 = self.n_rows * T
        for j, k in enumerate(self.simple_targets()):
            yield q0 + j, M[k:k + 1]

    def pilot_sample(self, ws, p):
        """The first p draws of every quantity, shape (quantities, p)."""
        V, T = ws["V"], self.T
        ind = V[:, 1:, :p].reshape(self.n_rows * T, p)
        tg = ws["M"][self.simple_targets(), :p]
        return np.concatenate([ind, tg])

    def run(self, draws, seed, chunk, full=False):
        """Returns (met counts, non-finite measure counts, clamp counts,
        Histograms or None). With full, also accumulates every quantity's
        statistics; the first chunk (at least PILOT_DRAWS draws, when there
        are that many) sets the histogram ranges from its first
        min(draws, PILOT_DRAWS) draws and is then accumulated like every
        other chunk, so each draw is counted once."""
        rng = np.random.Generator(np.random.PCG64(seed))
        met_count = np.zeros(len(self.targets), dtype=np.int64)
        nonfinite = np.zeros(len(self.targets), dtype=np.int64)
        clamps = np.zeros(self.ns, dtype=np.int64)
        first = min(draws, max(chunk, PILOT_DRAWS) if full else chunk)
        ws = self.workspace(first, full)
        acc = None
        done = 0
        while done < draws:
            n = first if done == 0 else min(chunk, draws - done)
            if n != ws["V"].shape[2]:
                # the last, shorter chunk (or the chunk after a longer
                # first one)
                ws = self.workspace(n, full)
            met, nf = self.simulate_chunk(rng, n, ws, clamps)
            met_count += np.count_nonzero(met, axis=1)
            nonfinite += nf
            if full:
                if acc is None:
                    lo, hi = pilot_ranges(
                        self.pilot_sample(ws, min(draws, PILOT_DRAWS)))
                    acc = Histograms(lo, hi)
                for q0, block in self.quantity_blocks(ws):
                    acc.add_block(block, q0)
            done += n
        return met_count, nonfinite, clamps, acc


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
    ap.add_argument("--report", choices=("probabilities", "full"),
                    default="probabilities",
                    help="probabilities: only the probability that each "
                         "target is met (default); full: also what simplan "
                         "run reports -- every indicator's mean and "
                         "5/25/50/75/95 %% quantiles in every year, every "
                         "simple target's measure, the Wilson intervals -- "
                         "with simplan's fixed-memory histogram method")
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

    full = args.report == "full"
    start = time.perf_counter()
    met, nonfinite, clamps, acc = model.run(draws, seed, args.chunk, full)
    if full:
        stats = full_statistics(model, acc, draws)
    elapsed = time.perf_counter() - start

    clamp_warnings = {}
    for s in range(model.ns):
        if clamps[s]:
            name = model.names[model.order[s]]
            what = ("the annual rate was clamped at -0.99" if s < model.nr
                    else "the share was clamped to [0, 1]")
            clamp_warnings[name] = ("%s: %s in %d of %d draw-years"
                                    % (name, what, clamps[s],
                                       draws * model.T))
    target_warnings = []
    for k, tg in enumerate(model.targets):
        if nonfinite[k]:
            target_warnings.append("target %s: the measure was not finite "
                                   "in %d draws (counted as not met)"
                                   % (tg["id"], nonfinite[k]))
    targets = [{"id": tg["id"], "probability": int(met[k]) / draws,
                "met": int(met[k])} for k, tg in enumerate(model.targets)]
    if full:
        for k, t in enumerate(targets):
            t["ci95"] = list(wilson_interval(t["met"], draws))
            t["measure"] = stats["targets"][k]
        # simplan's order: per indicator (file order) its clamps and its
        # non-finite values, then the targets, then the resolution.
        warnings = []
        for name in model.names:
            for w in (clamp_warnings.get(name),
                      stats["nonfinite_warnings"].get(name)):
                if w:
                    warnings.append(w)
        warnings += target_warnings + stats["warnings"]
    else:
        warnings = list(clamp_warnings.values()) + target_warnings
    timed = ("simulation and statistics" if full else "simulation only")
    if args.json:
        out = {"draws": draws, "seed": seed, "chunk": args.chunk,
               "rng": "numpy PCG64", "report": args.report,
               "elapsed_seconds": elapsed,
               "draws_per_second": draws / elapsed, "targets": targets}
        if full:
            out["indicators"] = stats["indicators"]
        out["warnings"] = warnings
        json.dump(out, sys.stdout, indent=2, allow_nan=False)
        print()
    else:
        print("scenario %s: %d draws, seed %d, chunk %d, PCG64, report %s"
              % (args.scenario, draws, seed, args.chunk, args.report))
        if full:
            print_full(targets, stats["indicators"])
        else:
            print("%-20s %12s %12s" % ("target", "probability", "met"))
            for t in targets:
                print("%-20s %12.6f %12d"
                      % (t["id"], t["probability"], t["met"]))
        for w in warnings:
            print("warning: " + w)
        print("elapsed %.3f s (%s), %.0f draws/s on one core"
              % (elapsed, timed, draws / elapsed))
    return 0


def _num(v):
    """JSON number, or None (null) when not finite -- as simplan."""
    v = float(v)
    return v if math.isfinite(v) else None


def full_statistics(model, acc, draws):
    """The statistics of --report full from the histograms, in simplan's
    JSON layout: indicators in file order with one entry per year from the
    base year to the horizon; a measure per target (None for joint
    targets); and simplan's warnings about them."""
    mean, quant, resolved = acc.statistics()
    T = model.T
    keys = [k for k, _ in QUANTILES]
    indicators = []
    nonfinite = {}
    for i, name in enumerate(model.names):
        r = model.row_of[name]
        qs = slice(r * T, (r + 1) * T)
        base = float(model.base[r])
        entry = {"name": name,
                 "years": list(range(model.base_year, model.horizon + 1)),
                 "mean": [base] + [_num(v) for v in mean[qs]]}
        for k in keys:
            entry[k] = [base] + [_num(v) for v in quant[k][qs]]
        indicators.append(entry)
        nonfinite[name] = int(draws * T - acc.count[qs].sum())
    q0 = model.n_rows * T
    measures = [None] * len(model.targets)
    for j, k in enumerate(model.simple_targets()):
        q = q0 + j
        m = {"mean": _num(mean[q])}
        for key in keys:
            m[key] = _num(quant[key][q])
        measures[k] = m
    nonfinite_warnings = {}
    for name in model.names:
        if nonfinite[name]:
            nonfinite_warnings[name] = (
                "%s: the formula gave a non-finite value in %d of %d "
                "draw-years; those values are left out of its statistics"
                % (name, nonfinite[name], draws * T))
    warnings = []
    coarse = int(np.count_nonzero(~resolved))
    if coarse:
        warnings.append("%d quantities have quantiles resolved more coarsely "
                        "than 0.1 %% of their 5-95 %% range" % coarse)
    return {"indicators": indicators, "targets": measures,
            "nonfinite_warnings": nonfinite_warnings, "warnings": warnings}


def print_full(targets, indicators):
    keys = [k for k, _ in QUANTILES]
    print("%-20s %10s %21s  %s" % ("target", "probability", "95 % Wilson",
                                   "measure: mean " + " ".join(keys)))
    for t in targets:
        m = t["measure"]
        ms = ("(joint)" if m is None else " ".join(
            "%.6g" % v if v is not None else "-"
            for v in [m["mean"]] + [m[k] for k in keys]))
        print("%-20s %10.6f [%.6f, %.6f]  %s"
              % (t["id"], t["probability"], t["ci95"][0], t["ci95"][1], ms))
    for ind in indicators:
        print()
        print("%s: %6s %12s %12s %12s %12s %12s %12s"
              % (ind["name"], "year", "mean", *keys))
        for y, year in enumerate(ind["years"]):
            print("%s  %6d %s" % (" " * len(ind["name"]), year, " ".join(
                "%12.6g" % v if v is not None else "%12s" % "-"
                for v in [ind["mean"][y]] + [ind[k][y] for k in keys])))


if __name__ == "__main__":
    sys.exit(main())
