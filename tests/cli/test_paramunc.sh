#!/bin/sh
# P with parameter uncertainty (doc/model.md §16) against its closed form.
# tests/data/paramunc/one_rate.cfg: g = 0.05 + sd * e in one year, target
# g >= 0.03, sd = 0.02 with sd_se = 0.005, so each parameter set m has
# P_m = Phi(a0 * exp(-s z_m)), a0 = 1, s = sd_se / sd = 0.25. The test
# checks, within 4 sigma of their Monte Carlo error:
#   - the mean of P over the sets against E[Phi(exp(-s z))], z ~ N(0, 1);
#     sigma = sd_z(P) / sqrt(sets) + sqrt(p (1 - p) / 5000) (the second
#     term bounds the error of the run's P, which sets the level, and of
#     each set's difference from it on its 5000 common draws);
#   - each end of the 95 % interval against P at the normal quantile
#     z = -+1.96; sigma = |dP/dz| * sd of the sample quantile of z,
#     sqrt(q (1 - q) / sets) / phi(z_q), plus the same shared term.
# And exactly: a tiny sd_se gives an interval of one point, the run's own
# P (the sets reuse the run's streams, so their differences vanish); the
# interval
# is the same for 1 and 2 threads; no *_se key gives null; ar1_se and
# trend_sd_se move P too; --param-sets sets the number of sets (0: none);
# a negative sd_se is refused with file, line and field.
# Usage: test_paramunc.sh SIMPLAN SOURCE_DIR
set -u
bin=$1 root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cfg=$root/tests/data/paramunc/one_rate.cfg
fail=0
check() { if [ "$1" -eq 0 ]; then echo "ok: $2"; else echo "FAIL: $2"; fail=1; fi; }

"$bin" run "$cfg" --format json -q >"$tmp/run.json" 2>"$tmp/err"
check $? "the closed-form scenario runs"
python3 - "$tmp/run.json" <<'PY'
import json, math, sys
d = json.load(open(sys.argv[1]))
pu = d["targets"][0]["parameter_uncertainty"]
sets, n = pu["sets"], pu["draws"]
s = 0.25
Phi = lambda x: 0.5 * (1 + math.erf(x / math.sqrt(2)))
phi = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
P = lambda z: Phi(math.exp(-s * z))
# E[P] and sd_z(P) by the trapezoidal rule on [-8, 8]
h = 1e-3
zs = [-8 + h * i for i in range(int(16 / h) + 1)]
w = [phi(z) * h for z in zs]
m1 = sum(wi * P(z) for wi, z in zip(w, zs))
m2 = sum(wi * P(z) ** 2 for wi, z in zip(w, zs))
sd_z = math.sqrt(m2 - m1 * m1)
shared = math.sqrt(m1 * (1 - m1) / n)  # n = 5000 draws per set
ok = True
sig = sd_z / math.sqrt(sets) + shared
dev = (pu["mean"] - m1) / sig
print("mean %.5f expected %.5f (%.2f sigma, sigma %.5f)" % (pu["mean"], m1, dev, sig))
ok &= abs(dev) < 4
q = 0.975
zq = 1.959963984540054
for got, z in ((pu["ci95"][0], zq), (pu["ci95"][1], -zq)):
    want = P(z)
    a = math.exp(-s * z)
    slope = phi(a) * s * a
    sig = slope * math.sqrt(q * (1 - q) / sets) / phi(zq) + shared
    dev = (got - want) / sig
    print("end %.5f expected %.5f (%.2f sigma, sigma %.5f)" % (got, want, dev, sig))
    ok &= abs(dev) < 4
sys.exit(0 if ok else 1)
PY
check $? "mean and ends of the interval match the closed form within 4 sigma"

# A tiny standard error: every set has the scenario's sd to 1e-10, so no
# draw changes its outcome and the interval is the run's P, exactly.
sed 's/sd_se = 0.005/sd_se = 1e-12/' "$cfg" >"$tmp/tiny.cfg"
"$bin" run "$tmp/tiny.cfg" --format json -q >"$tmp/tiny.json"
check $? "the tiny-se run"
python3 - "$tmp/tiny.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))["targets"][0]
lo, hi = a["parameter_uncertainty"]["ci95"]
print("tiny se: [%r, %r], the run's P %r" % (lo, hi, a["probability"]))
sys.exit(0 if lo == hi == a["probability"] else 1)
PY
check $? "a tiny sd_se gives the run's own P"

"$bin" run "$cfg" --threads 1 --format json -q | grep -A3 parameter_uncertainty >"$tmp/t1"
"$bin" run "$cfg" --threads 2 --format json -q | grep -A3 parameter_uncertainty >"$tmp/t2"
cmp -s "$tmp/t1" "$tmp/t2" && [ -s "$tmp/t1" ]
check $? "the interval is the same for 1 and 2 threads"

sed 's/ sd_se = 0.005;//' "$cfg" >"$tmp/none.cfg"
"$bin" run "$tmp/none.cfg" --format json -q | grep -q '"parameter_uncertainty": null'
check $? "no standard error: parameter_uncertainty is null"
"$bin" run "$tmp/none.cfg" -q | grep -q "with parameter uncertainty"
[ $? -ne 0 ]
check $? "no standard error: the table has no parameter line"

# ar1_se and trend_sd_se alone: two years, so both act on the target.
sed -e 's/horizon = 2021/horizon = 2022/' -e 's/to = 2021; mean/to = 2022; mean/' \
    -e 's/ sd_se = 0.005;//' -e 's/to = 2021; op/to = 2022; op/' \
    -e 's/base = 1.0;/base = 1.0; ar1 = 0.5; ar1_se = 0.2; trend_sd = 0.01; trend_sd_se = 0.005;/' \
    "$cfg" >"$tmp/ar1.cfg"
"$bin" run "$tmp/ar1.cfg" -q >"$tmp/ar1.txt" 2>&1
grep "with parameter uncertainty" "$tmp/ar1.txt" | python3 -c '
import re, sys
m = re.search(r"P ([0-9.]+)-([0-9.]+)", sys.stdin.read())
sys.exit(0 if m and float(m.group(1)) < float(m.group(2)) else 1)'
check $? "ar1_se and trend_sd_se give an interval of some width"

"$bin" run "$cfg" --param-sets 0 --format json -q | grep -q '"parameter_uncertainty": null'
check $? "--param-sets 0 computes no parameter interval"
"$bin" run "$cfg" --param-sets 7 --format json -q | grep -q '"sets": 7'
check $? "--param-sets 7 draws 7 parameter sets"

sed 's/sd_se = 0.005/sd_se = -0.005/' "$cfg" >"$tmp/bad.cfg"
"$bin" run "$tmp/bad.cfg" -q >/dev/null 2>"$tmp/bad.err"
rc=$?
grep -q "bad.cfg:13: error: indicators.g.path\[0\].sd_se" "$tmp/bad.err" && [ "$rc" -ne 0 ]
check $? "a negative sd_se is refused naming file, line and field"
[ "$fail" -eq 0 ] || cat "$tmp/bad.err"
exit "$fail"
