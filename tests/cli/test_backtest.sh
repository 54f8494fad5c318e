#!/bin/sh
# simplan backtest on a synthetic panel drawn from a known model
# (tests/data/backtest/synthetic.cfg): one origin per region, each region's
# process started at its own base year as the model starts it, so that
# every scored PIT is an independent uniform draw when the model is right.
#  - the true model: 90 % coverage within 3 binomial standard errors of
#    0.9 and the verdict "calibrated"; the sd factor, pooled and of each
#    indicator, within 3 se of 1;
#  - the same panel scored with every sd and trend_sd halved: over-
#    confident; doubled: under-confident; only g's halved: g's own sd
#    factor within 3 se of 2, s's of 1;
#  - the targets (origin 2009, horizon 2, history 4): the realised measures
#    and outcomes of the data, the Brier score and its expectation as
#    defined; the true model's Brier score within 3 sd of its expectation
#    (Spiegelhalter's test); with every sd halved, a Brier score worse by
#    more than 3 paired se and Spiegelhalter's z above 3; joint targets,
#    targets on derived indicators and level targets on a rate unscored;
#  - the closed-form case (a share with normal increments, no trend): the
#    PIT equals Phi((y - mu) / sd) within 4 Monte Carlo standard errors and
#    the CRPS its normal closed form within 4 (bounded) standard errors;
#  - bit-identical output (JSON with the sd factors and targets, scores.csv,
#    targets.csv) for 1 and 2 threads;
#  - --out: scores.csv and summary.json, and with plots pit.png,
#    coverage.png and projections-g.png, projections-s.png (whole PNGs);
#    --no-plots writes none; a chart stage that fails (a file size limit
#    of 8 kB, which the data files keep within and no chart does) keeps
#    the data files and ends with the chart stage's warning and exit 3,
#    as run does;
#  - bad origins and options exit with their codes and name the option.
# Usage: test_backtest.sh SIMPLAN TESTDATA_DIR
set -u
bin=$1 fix=$2/backtest/synthetic.cfg
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok: $1"; }
no() { echo "FAIL: $1"; fail=1; }
expect() { # expect CODE PATTERN DESCRIPTION -- ARGS...
    code=$1 pat=$2 d=$3; shift 4
    "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -eq "$code" ] && grep -q -- "$pat" "$tmp/err"; then ok "$d"
    else no "$d (exit $rc, expected $code)"; cat "$tmp/err"; fi
}

# The panel: 1000 regions, origin 2010 with 5 years of history; the rate g
# and the share s from the model of synthetic.cfg, started at 2005 (e = 0,
# share 0.5); scored years 2011 (horizon 1) only for g, 2011-2012 for s.
python3 - "$tmp" <<'PY'
import random, sys
rnd = random.Random(20240601)
with open(sys.argv[1] + "/panel.csv", "w") as f:
    f.write("region,indicator,year,value,measure,source\n")
    for r in range(1000):
        u = rnd.gauss(0, 0.01)
        e = 0.0
        s = 0.5
        f.write("r%d,s,2005,%.10f,level,synthetic\n" % (r, s))
        for y in range(2006, 2012):
            e = 0.5 * e + rnd.gauss(0, 0.02)
            f.write("r%d,g,%d,%.10f,growth,synthetic\n" % (r, y, 0.05 + u + e))
            s += 0.01 + rnd.gauss(0, 0.005)
            f.write("r%d,s,%d,%.10f,level,synthetic\n" % (r, y, s))
PY
run() { "$bin" backtest "$fix" --data "$tmp/panel.csv" --origins 2010:2010 \
    --horizon 1 --history 5 --draws 1000 --seed 11 "$@"; }
# scale CFG FACTOR_G FACTOR_S: synthetic.cfg with g's sd and trend_sd
# times FACTOR_G and s's sd times FACTOR_S.
scale() {
    python3 - "$fix" "$2" "$3" >"$1" <<'PY'
import re, sys
text, fg, fs = open(sys.argv[1]).read(), float(sys.argv[2]), float(sys.argv[3])
text = re.sub(r"\btrend_sd = 0\.01;", "trend_sd = %r;" % (0.01 * fg), text)
text = re.sub(r"\bsd = 0\.02;", "sd = %r;" % (0.02 * fg), text)
text = re.sub(r"\bsd = 0\.005;", "sd = %r;" % (0.005 * fs), text)
print(text, end="")
PY
}

if "$bin" --version | grep -q 'json on'; then
    run --format json >"$tmp/true.json"
    check_true=$(python3 - "$tmp/true.json" <<'PY'
import json, math, sys
d = json.load(open(sys.argv[1]))
n, c = d["scored"], d["coverage90"]
se = math.sqrt(0.09 / n)
bad = []
if n != 2000: bad.append("scored %d, expected 2000" % n)
if abs(c - 0.9) > 3 * se: bad.append("coverage90 %.4f, 0.9 +- %.4f" % (c, 3 * se))
if d["verdict"] != "calibrated": bad.append("verdict " + d["verdict"])
c50 = d["coverage50"]
if abs(c50 - 0.5) > 3 * math.sqrt(0.25 / n): bad.append("coverage50 %.4f" % c50)
# PIT histogram: each bin within 4 binomial se of n / 10
for k in d["pit_histogram"]:
    if abs(k - n / 10) > 4 * math.sqrt(n * 0.09): bad.append("PIT bin %d" % k)
# the sd factor that gives coverage 0.9: 1 within the spread implied by 3
# se of coverage (the density of the coverage at 1.645 sd: about 0.2 per
# unit of log factor, i.e. 3 se / (2 * 1.645 * 0.103) in log f); each
# indicator's own likewise with its own n
def tol(n):
    return 3 * math.sqrt(0.09 / n) / (2 * 1.645 * math.exp(-1.645 ** 2 / 2) / math.sqrt(2 * math.pi))
f = d["sd_factor"]
if f is None or abs(math.log(f)) > tol(n): bad.append("sd_factor %s, 1 +- log %.3f" % (f, tol(n)))
for b in d["by_indicator"]:
    f = b["sd_factor"]
    if f is None or abs(math.log(f)) > tol(b["scored"]):
        bad.append("%s sd_factor %s, 1 +- log %.3f" % (b["indicator"], f, tol(b["scored"])))
    # g and s are independent: at the factors found, each one's coverage
    # is the one its own search ended on, 0.9 or just above (1 value in n)
    c = b["coverage90_at_sd_factors"]
    if c is None or not 0.9 <= c <= 0.9 + 1.5 / b["scored"]:
        bad.append("%s coverage90 at the factors %s" % (b["indicator"], c))
# no target ends by 2011 at origin 2010 (s_2002 and g_2002 end in 2012)
t = d["targets"]
if t["scored"] != 0 or t["brier"] is not None or t["reliability"] is not None or t["by_target"] != {}:
    bad.append("targets %s, expected none scored" % t)
print("; ".join(bad))
PY
)
    [ -z "$check_true" ] && ok "the true model is calibrated" \
        || no "the true model is calibrated: $check_true"
    for scale in 0.5 2; do
        scale "$tmp/scaled.cfg" "$scale" "$scale"
        "$bin" backtest "$tmp/scaled.cfg" --data "$tmp/panel.csv" \
            --origins 2010:2010 --horizon 1 --history 5 --draws 1000 \
            --seed 11 --no-sd-factor --format json >"$tmp/s.json"
        want=$([ "$scale" = 2 ] && echo under-confident || echo over-confident)
        got=$(python3 -c "import json; print(json.load(open('$tmp/s.json'))['verdict'])")
        [ "$got" = "$want" ] && ok "sd times $scale is $want" \
            || no "sd times $scale: verdict $got, expected $want"
    done
    # Only g's sd and trend_sd halved, on the first 500 regions: g's own
    # factor is 2 and s's 1, each within the spread of 3 se of its coverage
    # (as above); the pooled factor lies between them.
    scale "$tmp/ghalf.cfg" 0.5 1
    awk -F, 'NR == 1 || substr($1, 2) + 0 < 500' "$tmp/panel.csv" >"$tmp/half.csv"
    "$bin" backtest "$tmp/ghalf.cfg" --data "$tmp/half.csv" --origins 2010:2010 \
        --horizon 1 --history 5 --draws 1000 --seed 11 --format json >"$tmp/g.json"
    check_own=$(python3 - "$tmp/g.json" <<'PY'
import json, math, sys
d, bad = json.load(open(sys.argv[1])), []
want = {"g": 2.0, "s": 1.0}
for b in d["by_indicator"]:
    n, f = b["scored"], b["sd_factor"]
    tol = 3 * math.sqrt(0.09 / n) / (2 * 1.645 * math.exp(-1.645 ** 2 / 2) / math.sqrt(2 * math.pi))
    if n != 500 or f is None or abs(math.log(f / want[b["indicator"]])) > tol:
        bad.append("%s: %d scored, sd_factor %s, %g +- log %.3f" % (b["indicator"], n, f, want[b["indicator"]], tol))
    if b["verdict"] != ("over-confident" if b["indicator"] == "g" else "calibrated"):
        bad.append("%s verdict %s" % (b["indicator"], b["verdict"]))
f = {b["indicator"]: b["sd_factor"] for b in d["by_indicator"]}
if not (d["sd_factor"] and f["s"] and f["g"] and f["s"] < d["sd_factor"] < f["g"]):
    bad.append("pooled sd_factor %s not between s's and g's" % d["sd_factor"])
print("; ".join(bad))
PY
)
    [ -z "$check_own" ] && ok "each indicator's own sd factor undoes its own scaling" \
        || no "each indicator's own sd factor: $check_own"

    # The targets: at origin 2009 with 4 years of history (base 2005, as the
    # panel starts), s_2002 is s's level in 2011 >= 0.56 and g_2002 g's cagr
    # over 2009-2011 >= 0.05, both realised by 2011; g_2005 (to 2014) is
    # past the horizon. When the P are right, E[(P - o)^2] = P (1 - P) for
    # the true P; with P from m draws, E[(P^ - o)^2] = P (1 - P) (1 + 1/m)
    # and E[P^ (1 - P^)] = P (1 - P) (1 - 1/m), so the expectation of the
    # Brier score is expected_brier (m + 1) / (m - 1). Its sd is
    # sqrt(sum P (1 - P) (1 - 2P)^2) / n (model/sp_score.h), the outcomes
    # being independent (g and s are, and so are the regions).
    trun() { "$bin" backtest "$1" --data "$tmp/panel.csv" --origins 2009:2009 \
        --horizon 2 --history 4 --draws 1000 --seed 11 --no-sd-factor \
        --quiet --force --out "$2"; }
    trun "$fix" "$tmp/bt" && scale "$tmp/half.cfg" 0.5 0.5 &&
        trun "$tmp/half.cfg" "$tmp/bh"
    check_targets=$(python3 - "$tmp" <<'PY'
import csv, json, math, sys
tmp, m, bad = sys.argv[1], 1000, []
panel = {}
for r in csv.DictReader(open(tmp + "/panel.csv")):
    panel[(r["region"], r["indicator"], int(r["year"]))] = float(r["value"])
def load(d):
    return (json.load(open(d + "/summary.json"))["targets"],
            list(csv.DictReader(open(d + "/targets.csv"))))
t, rows = load(tmp + "/bt")
h, hrows = load(tmp + "/bh")
# the realised measures and outcomes come from the data
for r in rows:
    reg = r["region"]
    if r["target"] == "s_2002":
        v = panel[(reg, "s", 2011)]
        met = v >= 0.56
    else:
        v = math.sqrt((1 + panel[(reg, "g", 2010)]) * (1 + panel[(reg, "g", 2011)])) - 1
        met = v >= 0.05
    if abs(float(r["value"]) - v) > 1e-9 or int(r["met"]) != met:
        bad.append("%s %s: value %s met %s, data %.10g" % (reg, r["target"], r["value"], r["met"], v))
        break
ids = sorted(set(r["target"] for r in rows))
if len(rows) != 2000 or ids != ["g_2002", "s_2002"] or sorted(t["by_target"]) != ids:
    bad.append("%d target rows of %s, expected 1000 each of g_2002, s_2002" % (len(rows), ids))
def check(name, t, rows):
    p = [float(r["p"]) for r in rows]
    o = [int(r["met"]) for r in rows]
    n = len(p)
    bs = sum((a - b) ** 2 for a, b in zip(p, o)) / n
    e = sum(a * (1 - a) for a in p) / n
    sd = math.sqrt(sum(a * (1 - a) * (1 - 2 * a) ** 2 for a in p)) / n
    obar = sum(o) / n
    for k, v in (("scored", n), ("brier", bs), ("expected_brier", e),
                 ("expected_brier_se", sd), ("base_rate", obar),
                 ("brier_climatology", obar * (1 - obar)),
                 ("skill", 1 - bs / (obar * (1 - obar)))):
        if abs(t[k] - v) > 1e-9:
            bad.append("%s %s %s, from targets.csv %s" % (name, k, t[k], v))
    if sum(b["n"] for b in t["reliability"]) != n:
        bad.append("%s reliability counts" % name)
    return bs, e * (m + 1) / (m - 1), sd
for name, tt, rr in [("pooled", t, rows)] + [
        (k, t["by_target"][k], [r for r in rows if r["target"] == k]) for k in ids]:
    bs, want, sd = check(name, tt, rr)
    print("%s: Brier %.4f, expected %.4f, sd %.4f: %.2f sd" % (name, bs, want, sd, (bs - want) / sd), file=sys.stderr)
    if abs(bs - want) > 3 * sd:
        bad.append("%s Brier %.4f, expected %.4f +- 3 x %.4f" % (name, bs, want, sd))
# halved: worse, by more than 3 se of the paired differences, and z > 3
d = [(float(b["p"]) - int(b["met"])) ** 2 - (float(a["p"]) - int(a["met"])) ** 2
     for a, b in zip(rows, hrows)]
mean = sum(d) / len(d)
se = math.sqrt(sum((x - mean) ** 2 for x in d) / (len(d) - 1) / len(d))
print("halved: Brier %.4f against %.4f, worse by %.2f paired se; z %.2f" % (h["brier"], t["brier"], mean / se, h["spiegelhalter_z"]), file=sys.stderr)
if not (h["brier"] - t["brier"] > 3 * se and abs(h["brier"] - t["brier"] - mean) < 1e-9):
    bad.append("halved sd: Brier %.4f, true %.4f, paired se %.4f" % (h["brier"], t["brier"], se))
if not h["spiegelhalter_z"] > 3:
    bad.append("halved sd: Spiegelhalter z %.2f" % h["spiegelhalter_z"])
print("; ".join(bad))
PY
)
    [ -z "$check_targets" ] && ok "targets: the true model's Brier score within 3 sd of its expectation, halved sd worse" \
        || no "targets: $check_targets"

    # Not scored: a joint target, a target on a derived indicator, and a
    # level target on a rate (in the scenario's units, not the index's).
    python3 - "$fix" >"$tmp/excl.cfg" <<'PY'
import sys
text = open(sys.argv[1]).read()
text = text.replace("""    path = ( { from = 2001; to = 2020; mean = 0.01; sd = 0.005; } ); }
);""", """    path = ( { from = 2001; to = 2020; mean = 0.01; sd = 0.005; } ); },
  { name = "d"; kind = "derived"; formula = "g * s"; }
);""")
text = text.replace("""value = 0.05; }
);""", """value = 0.05; },
  { id = "both"; name = "both"; all = ["s_2002", "g_2002"]; },
  { id = "d_2002"; name = "derived"; indicator = "d"; measure = "level";
    year = 2002; op = ">="; value = 0.5; },
  { id = "g_level"; name = "level"; indicator = "g"; measure = "level";
    year = 2002; op = ">="; value = 1.1; }
);""")
print(text, end="")
PY
    "$bin" backtest "$tmp/excl.cfg" --data "$tmp/panel.csv" --origins 2009:2009 \
        --horizon 2 --history 4 --draws 200 --region r0 --region r1 \
        --no-sd-factor --format json >"$tmp/excl.json" &&
    python3 -c "import json, sys; d = json.load(open(sys.argv[1]))['targets']; sys.exit(not (sorted(d['by_target']) == ['g_2002', 's_2002'] and d['scored'] == 4))" "$tmp/excl.json" &&
        grep -c 'id = "both"\|id = "d_2002"\|id = "g_level"' "$tmp/excl.cfg" | grep -q 3 &&
        ok "joint, derived and rate-level targets are not scored" \
        || no "joint, derived and rate-level targets are not scored"

    # 1 and 2 threads, with the sd factors and the targets, on 100 regions
    awk -F, 'NR == 1 || substr($1, 2) + 0 < 100' "$tmp/panel.csv" >"$tmp/p100.csv"
    for t in 1 2; do
        "$bin" backtest "$fix" --data "$tmp/p100.csv" --origins 2009:2009 \
            --horizon 2 --history 4 --draws 200 --seed 11 --threads $t \
            --quiet --out "$tmp/th$t"
    done
    same=1
    for f in summary.json scores.csv targets.csv; do
        cmp -s "$tmp/th1/$f" "$tmp/th2/$f" || same=0
    done
    if [ "$same" = 1 ] && grep -q '"sd_factor": [0-9]' "$tmp/th1/summary.json" &&
        [ "$(wc -l <"$tmp/th1/targets.csv")" -eq 201 ]; then
        ok "1 and 2 threads give the same JSON, scores.csv and targets.csv"
    else no "1 and 2 threads differ"; fi
fi

# The closed form: s has trend_sd 0 and ar1 0, so S[2011] ~ N(S[2010] +
# 0.01, 0.005^2) given the observed 2010 level.
"$bin" backtest "$fix" --data "$tmp/panel.csv" --origins 2010:2010 \
    --horizon 1 --history 5 --draws 200000 --seed 3 --region r0 --region r1 \
    --region r2 --no-sd-factor --format csv >"$tmp/cf.csv"
check_cf=$(python3 - "$tmp/cf.csv" "$tmp/panel.csv" <<'PY'
import csv, math, sys
level = {}
for r in csv.DictReader(open(sys.argv[2])):
    if r["indicator"] == "s":
        level[(r["region"], int(r["year"]))] = float(r["value"])
N, sd, bad, seen = 200000, 0.005, [], 0
for r in csv.DictReader(open(sys.argv[1])):
    if r["indicator"] != "s":
        continue
    seen += 1
    mu = level[(r["region"], 2010)] + 0.01
    y = float(r["value"])
    z = (y - mu) / sd
    pit = 0.5 * (1 + math.erf(z / math.sqrt(2)))
    tol = 4 * math.sqrt(pit * (1 - pit) / N) + 1e-9
    if abs(float(r["pit"]) - pit) > tol:
        bad.append("%s PIT %s, closed form %.6f +- %.2g" % (r["region"], r["pit"], pit, tol))
    phi = math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    crps = sd * (z * (2 * pit - 1) + 2 * phi - 1 / math.sqrt(math.pi))
    tol = 4 * 2 * math.sqrt(sd * sd + (mu - y) ** 2) / math.sqrt(N)
    if abs(float(r["crps"]) - crps) > tol:
        bad.append("%s CRPS %s, closed form %.6g +- %.2g" % (r["region"], r["crps"], crps, tol))
if seen != 3: bad.append("%d share rows scored, expected 3" % seen)
print("; ".join(bad))
PY
)
[ -z "$check_cf" ] && ok "PIT and CRPS of the closed-form case" \
    || no "PIT and CRPS of the closed-form case: $check_cf"

# --out: scores.csv (one row per scored value: g and s in 2011 for two
# regions; the panel ends in 2011), summary.json and the charts, published
# whole; an existing DIR is refused without --force.
"$bin" backtest "$fix" --data "$tmp/panel.csv" --origins 2010:2010 \
    --horizon 2 --history 5 --draws 200 --region r0 --region r1 \
    --no-sd-factor --out "$tmp/o" --quiet >"$tmp/o.stdout" 2>&1
rows=$(($(wc -l <"$tmp/o/scores.csv") - 1))
if [ "$rows" -eq 4 ] && head -1 "$tmp/o/scores.csv" | grep -q '^region,origin,indicator,year,horizon,measure,value,pit,in50,in90,crps' &&
   [ ! -s "$tmp/o.stdout" ]; then ok "--out writes scores.csv"
else no "--out writes scores.csv ($rows rows)"; fi
# targets.csv: only its header, as the panel ends before s_2002 and g_2002
# do (2012) at origin 2010; the table says so in one line.
if [ "$(cat "$tmp/o/targets.csv")" = "region,origin,target,indicator,measure,from,to,value,p,met" ]; then
    ok "--out writes targets.csv"
else no "--out writes targets.csv"; fi
"$bin" backtest "$fix" --data "$tmp/panel.csv" --origins 2010:2010 \
    --horizon 2 --history 5 --draws 200 --region r0 --no-sd-factor >"$tmp/o.table"
[ "$(grep -c '^targets' "$tmp/o.table")" -eq 1 ] &&
    grep -q '^targets: none scored' "$tmp/o.table" &&
    ok "the table says in one line that no target was scored" \
    || no "the table on no scored target"

if "$bin" --version | grep -q 'json on'; then
    python3 -c "import json; d=json.load(open('$tmp/o/summary.json')); assert d['scored']==4 and d['horizon']==2" \
        && ok "--out writes summary.json" || no "--out writes summary.json"
fi
# The charts: a whole PNG (the signature, then chunks whose lengths add up
# to the file, the last IEND) of more than 10 kB, which a page with axes,
# titles and data takes.
png_ok() {
    python3 - "$1" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
ok = b[:8] == b"\x89PNG\r\n\x1a\n" and len(b) > 10000
at, last = 8, b""
while ok and at + 12 <= len(b):
    n, = struct.unpack(">I", b[at:at + 4])
    last = b[at + 4:at + 8]
    at += 12 + n
sys.exit(0 if ok and at == len(b) and last == b"IEND" else 1)
PY
}
charts="pit.png coverage.png projections-g.png projections-s.png"
json_on=$("$bin" --version | grep -c 'json on')
if "$bin" --version | grep -q 'plots on'; then
    bad_png=""
    for c in $charts; do png_ok "$tmp/o/$c" || bad_png="$bad_png $c"; done
    [ -z "$bad_png" ] && [ -s "$tmp/o/scores.csv" ] &&
        { [ "$json_on" = 0 ] || [ -s "$tmp/o/summary.json" ]; } &&
        ok "--out writes the charts beside the data files" ||
        no "--out charts:$bad_png not whole PNGs, or a data file missing"
    "$bin" backtest "$fix" --data "$tmp/panel.csv" --origins 2010:2010 \
        --horizon 2 --history 5 --draws 200 --region r0 --region r1 \
        --no-sd-factor --out "$tmp/np" --no-plots --quiet >/dev/null 2>&1
    n_png=$(ls "$tmp/np" | grep -c '\.png$')
    [ "$n_png" -eq 0 ] && [ -s "$tmp/np/scores.csv" ] &&
        ok "--no-plots writes no chart" || no "--no-plots wrote $n_png charts"
    if command -v prlimit >/dev/null; then
        prlimit --fsize=8192 "$bin" backtest "$fix" --data "$tmp/panel.csv" \
            --origins 2010:2010 --horizon 2 --history 5 --draws 200 \
            --region r0 --region r1 --no-sd-factor --out "$tmp/cf" \
            --quiet >/dev/null 2>"$tmp/cf.err"
        rc=$?
        n_png=$(ls "$tmp/cf" 2>/dev/null | grep -c '\.png$')
        if [ "$rc" -eq 3 ] && [ "$n_png" -eq 0 ] &&
           [ "$(($(wc -l <"$tmp/cf/scores.csv") - 1))" -eq 4 ] &&
           { [ "$json_on" = 0 ] || [ -s "$tmp/cf/summary.json" ]; } &&
           grep -q "the charts were not written (chart stage: " "$tmp/cf.err"; then
            ok "a failed chart stage keeps the data files, warns and exits 3"
        else
            no "a failed chart stage (exit $rc, $n_png charts)"; cat "$tmp/cf.err"
        fi
    else
        echo "skip a failed chart stage (no prlimit)"
    fi
else
    n_png=$(ls "$tmp/o" | grep -c '\.png$')
    [ "$n_png" -eq 0 ] && [ ! -s "$tmp/o.stdout" ] &&
        ok "a build without charts writes none and says nothing" ||
        no "a build without charts wrote $n_png charts or printed"
    expect 3 "built without charts" "--plots is refused without PLplot" -- \
        backtest "$fix" --data "$tmp/panel.csv" --origins 2010:2010 --plots
fi
expect 3 "the directory exists" "an existing --out DIR is refused without --force" -- \
    backtest "$fix" --data "$tmp/panel.csv" --origins 2010:2010 --draws 200 \
    --region r0 --no-sd-factor --out "$tmp/o"

expect 2 "no region has data up to 1990" "origins before any data" -- \
    backtest "$fix" --data "$tmp/panel.csv" --origins 1985:1990
expect 1 "\-\-horizon 30 with \-\-history 5 needs 35 projected years" \
    "a horizon past the scenario's" -- \
    backtest "$fix" --data "$tmp/panel.csv" --origins 2010:2010 --horizon 30
expect 1 "\-\-origins" "no origins" -- backtest "$fix" --data "$tmp/panel.csv"
expect 1 "is not FROM:TO" "bad origins" -- \
    backtest "$fix" --data "$tmp/panel.csv" --origins 2010
expect 1 "starts after it ends" "reversed origins" -- \
    backtest "$fix" --data "$tmp/panel.csv" --origins 2012:2010
expect 1 "\-\-search-draws: '8' is not 0 (all) or at least 16" \
    "too few search draws" -- \
    backtest "$fix" --data "$tmp/panel.csv" --origins 2010:2010 --search-draws 8
expect 2 "no rows of region 'mars'" "unknown region" -- \
    backtest "$fix" --data "$tmp/panel.csv" --origins 2010:2010 --region mars
printf 'region,indicator,year,value,measure,source\nr0,g,2019,5%%,growth,s\n' >"$tmp/bad.csv"
printf 'region,indicator,year,value,measure,source\nr0,gdp,2009,0.05,growth,s\n' >"$tmp/bad2.csv"
expect 2 "bad.csv:2: error: value: " "bad data names file, line, column" -- \
    backtest "$fix" --data "$tmp/bad.csv" --origins 2010:2010
expect 2 "no rows for a rate or share indicator of the scenario" \
    "data without the scenario's indicators" -- \
    backtest "$fix" --data "$tmp/bad2.csv" --origins 2010:2010
expect 2 "nothing to score" "nothing after the origins" -- \
    backtest "$fix" --data "$tmp/panel.csv" --origins 2015:2016 --horizon 1

[ "$fail" -eq 0 ] && echo "backtest: all checks passed"
exit "$fail"
