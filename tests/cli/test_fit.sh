#!/bin/sh
# simplan fit: the table, JSON and cfg outputs of the shipped data and
# scenario agree with each other; the cfg output is a valid scenario whose
# own fit gives the same numbers; bad usage, data and references exit with
# the documented code and name the option, file and line.
# Usage: test_fit.sh SIMPLAN SCENARIO_DIR DATA_DIR
set -u
bin=$1 scen=$2 data=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # check DESCRIPTION COMMAND...: the command must succeed
    d=$1; shift
    if "$@"; then echo "ok: $d"; else echo "FAIL: $d"; fail=1; fi
}
expect() { # expect CODE PATTERN DESCRIPTION -- ARGS...
    code=$1 pat=$2 d=$3; shift 4
    "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -eq "$code" ] && grep -q -- "$pat" "$tmp/err"; then
        echo "ok: $d"
    else
        echo "FAIL: $d (exit $rc, expected $code; stderr:)"; cat "$tmp/err"
        fail=1
    fi
}

im=$data/inner_mongolia.csv
base=$scen/baseline.cfg
"$bin" fit "$im" --scenario "$base" >"$tmp/table" 2>"$tmp/err"
check "table exits 0" test $? -eq 0
check "table names the fitted indicator" grep -q '^gdp  *rate' "$tmp/table"
check "a short series is reported, not fitted" \
    grep -q 'energy_intensity.*not fitted: .* too few' "$tmp/table"

if "$bin" --version | grep -q 'json on'; then
    "$bin" fit "$im" --scenario "$base" --format json >"$tmp/fit.json"
    check "json exits 0" test $? -eq 0
    check "json has the documented keys and a gdp fit" python3 - "$tmp/fit.json" <<'PY'
import json, math, sys
d = json.load(open(sys.argv[1]))
keys = {"name", "region", "kind", "n", "from", "to", "mean", "mean_se", "sd",
        "sd_se", "ar1", "ar1_se", "trend_sd", "method"}
assert "correlations" in d
g = [i for i in d["indicators"] if i["name"] == "gdp"][0]
assert keys <= set(g), keys - set(g)
assert g["fitted"] and g["n"] >= 10 and g["region"] == "inner_mongolia"
assert 0 < g["sd"] < 0.2 and -1 < g["ar1"] < 1 and g["sd_se"] > 0
assert len(g["years"]) == g["n"] == len(g["values"])
for i in d["indicators"]:
    if not i["fitted"]:
        assert i["sd"] is None and "too few" in i["reason"]
PY
    "$bin" fit "$im" --scenario "$base" --format cfg >"$tmp/fitted.cfg"
    check "cfg exits 0" test $? -eq 0
    check "cfg is a valid scenario" sh -c "\"$bin\" check \"$tmp/fitted.cfg\" >/dev/null"
    check "cfg comments every fitted number" \
        test "$(grep -c 'sd_se = .*# fit: .* n=[0-9]*' "$tmp/fitted.cfg")" -ge 1
    "$bin" fit "$im" --scenario "$tmp/fitted.cfg" --format json >"$tmp/again.json"
    check "the cfg holds the fitted sd and ar1 to the digits printed" \
        python3 - "$tmp/fit.json" "$tmp/fitted.cfg" <<'PY'
import json, re, sys
g = [i for i in json.load(open(sys.argv[1]))["indicators"] if i["name"] == "gdp"][0]
text = open(sys.argv[2]).read()
block = text[text.index('name = "gdp"'):text.index('name = "energy_intensity"')]
sds = [float(v) for v in re.findall(r'(?<![_a-z])sd = ([-0-9.e]+);', block)]
ar1 = float(re.search(r'ar1 = ([-0-9.e]+);', block).group(1))
assert sds and all(abs(s - g["sd"]) <= 5e-4 * g["sd"] for s in sds), sds
assert abs(ar1 - g["ar1"]) <= 0.005, ar1
# each sd carries its standard error, and ar1 its own, to the two
# significant digits printed: within half a unit of the second digit
import math
def two_digits(x, want):
    return abs(x - want) <= 0.5 * 10 ** (math.floor(math.log10(want)) - 1) * (1 + 1e-9)
ses = [float(v) for v in re.findall(r'(?<![_a-z])sd = [-0-9.e]+; sd_se = ([-0-9.e]+);', block)]
assert len(ses) == len(sds) and all(two_digits(x, g["sd_se"]) for x in ses), ses
a_se = float(re.search(r'ar1_se = ([-0-9.e]+);', block).group(1))
assert two_digits(a_se, g["ar1_se"]), a_se
PY
    check "fitting the cfg again gives the same estimates" python3 - \
        "$tmp/fit.json" "$tmp/again.json" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
assert a["indicators"] == b["indicators"]
PY
    "$bin" fit "$im" --scenario "$base" --from 2012 --format json >"$tmp/w.json"
    check "--from limits the years" python3 -c "
import json,sys; g=json.load(open('$tmp/w.json'))['indicators'][0]
assert g['from'] >= 2012 and g['n'] < 21" 
else
    expect 3 'without JSON support' "json refused without jansson" -- \
        fit "$im" --scenario "$base" --format json
fi

# A synthetic history (fixed seed): 20 years of gdp and energy_intensity
# growth with correlated innovations, and five plan periods of gdp whose
# outcomes depart from their targets.
python3 - "$tmp" <<'PY'
import math, random, sys
rnd = random.Random(7)
d = sys.argv[1]
with open(d + "/syn.csv", "w") as f:
    f.write("region,indicator,year,value,measure,source\n")
    eg = ee = 0.0
    for y in range(2001, 2021):
        z1, z2 = rnd.gauss(0, 1), rnd.gauss(0, 1)
        eg = 0.4 * eg + 0.02 * z1
        ee = 0.2 * ee + 0.03 * (-0.5 * z1 + math.sqrt(0.75) * z2)
        f.write("im,gdp,%d,%.5f,growth,synthetic\n" % (y, 0.07 + eg))
        f.write("im,energy_intensity,%d,%.5f,growth,synthetic\n" % (y, -0.03 + ee))
with open(d + "/plans.csv", "w") as f:
    f.write("region,plan,indicator,period_from,period_to,figure,value,measure,source\n")
    for k, (t, o) in enumerate([(0.08, 0.10), (0.075, 0.07), (0.07, 0.055),
                                (0.065, 0.05), (0.06, 0.07)]):
        a = 2001 + 5 * k
        f.write("r%d,p%d,gdp,%d,%d,target,%g,cagr,synthetic\n" % (k, k, a, a + 4, t))
        f.write("r%d,p%d,gdp,%d,%d,outcome,%g,cagr,synthetic\n" % (k, k, a, a + 4, o))
    # an outcome over the first three years of a period pairs as annual rates
    f.write("r8,p8,gdp,2016,2020,target,0.065,cagr,synthetic\n")
    f.write("r8,p8,gdp,2016,2018,outcome,0.05,cagr,synthetic\n")
    # a change target converts to an annual rate
    f.write("r9,p9,energy_intensity,2016,2020,target,-0.15,change,synthetic\n")
    f.write("r9,p9,energy_intensity,2016,2020,outcome,-0.10,change,synthetic\n")
PY
"$bin" fit "$tmp/syn.csv" --scenario "$base" --plans "$tmp/plans.csv" >"$tmp/syn.table"
check "--plans table exits 0" test $? -eq 0
check "the table lists trend_sd and every departure" sh -c "
    grep -q '^gdp  *6  *[-+]0' '$tmp/syn.table' &&
    test \$(grep -c 'p[0-9] 20[0-9]*-20[0-9]*: target' '$tmp/syn.table') -eq 7 &&
    grep -q 'r8 p8 2016-2018: target 0.0650, outcome 0.0500' '$tmp/syn.table' &&
    grep -q 'energy_intensity  *1  *not estimated: 1 (target, outcome) pairs' '$tmp/syn.table'"
if "$bin" --version | grep -q 'json on'; then
    "$bin" fit "$tmp/syn.csv" --scenario "$base" --plans "$tmp/plans.csv" \
        --format json >"$tmp/syn.json"
    check "trend_sd in JSON is the moment estimate of the departures" \
        python3 - "$tmp/syn.json" <<'PY'
import json, math, sys
d = json.load(open(sys.argv[1]))
g = [i for i in d["indicators"] if i["name"] == "gdp"][0]
dep = [x["departure"] for x in g["departures"]]
want = [0.02, -0.005, -0.015, -0.015, 0.01, -0.015]
assert len(dep) == 6 and all(abs(a - b) < 1e-15 for a, b in zip(dep, want)), dep
# noise of an H-year mean of the fitted AR(1) started at 0
s, p = g["sd"], g["ar1"]
def noise(h):
    return s * s * sum(((1 - p ** (h - j + 1)) / (1 - p)) ** 2 for j in range(1, h + 1)) / h ** 2
v = (5 * noise(5) + noise(3)) / 6
ms = sum(x * x for x in dep) / 6
assert abs(g["trend_sd"] - math.sqrt(max(0, ms - v))) < 1e-12, (g["trend_sd"], ms, v)
assert g["trend_n"] == 6 and g["trend_sd_lo"] <= g["trend_sd"] <= g["trend_sd_hi"]
assert abs(g["trend_noise_sd"] - math.sqrt(v)) < 1e-12
assert [x["to"] for x in g["departures"]][-1] == 2018
assert "removed" in g["trend_method"]
e = [i for i in d["indicators"] if i["name"] == "energy_intensity"][0]
assert e["trend_sd"] is None and e["trend_n"] == 1
assert abs(e["departures"][0]["departure"] - (0.9 ** 0.2 - 0.85 ** 0.2)) < 1e-15
c = [x for x in d["correlations"] if {x["a"], x["b"]} == {"gdp", "energy_intensity"}][0]
assert c["n"] == 19 and c["rho"] < -0.1, c
PY
    "$bin" fit "$tmp/syn.csv" --scenario "$base" --plans "$tmp/plans.csv" \
        --format cfg >"$tmp/syn.cfg"
    check "the cfg with trend_sd and a correlation is a valid scenario" \
        sh -c "\"$bin\" check \"$tmp/syn.cfg\" >/dev/null"
    check "the cfg holds the fitted trend_sd and the fitted correlation" \
        python3 - "$tmp/syn.json" "$tmp/syn.cfg" <<'PY'
import json, math, re, sys
d = json.load(open(sys.argv[1]))
g = [i for i in d["indicators"] if i["name"] == "gdp"][0]
c = [x for x in d["correlations"] if {x["a"], x["b"]} == {"gdp", "energy_intensity"}][0]
text = open(sys.argv[2]).read()
block = text[text.index('name = "gdp"'):text.index('name = "energy_intensity"')]
m = re.search(r'trend_sd = ([-0-9.e]+); trend_sd_se = ([-0-9.e]+);\s*#[^\n]*fit: \S*plans.csv n=6 plan departures', block)
assert m and abs(float(m.group(1)) - g["trend_sd"]) <= 5e-4 * g["trend_sd"], block
se = g["trend_sd_se"]  # printed to two significant digits
assert abs(float(m.group(2)) - se) <= 0.5 * 10 ** (math.floor(math.log10(se)) - 1) * (1 + 1e-9), block
corr = text[text.index("\ncorrelations"):]
m = re.search(r'a = "gdp"; b = "energy_intensity";\s*rho = ([-0-9.]+);[ },]*# fit: \S*syn.csv n=19', corr)
assert m and abs(float(m.group(1)) - c["rho"]) <= 5e-4, corr[:400]
assert 'rho = 0.6; }' in corr   # the pair without data keeps its value
PY
    "$bin" fit "$tmp/syn.csv" --scenario "$scen/minimal.cfg" --format cfg \
        >"$tmp/minimal.cfg"
    check "a scenario without correlations gets a list of the fitted one" sh -c "
        \"$bin\" check '$tmp/minimal.cfg' >/dev/null &&
        grep -q '^correlations = (' '$tmp/minimal.cfg' &&
        grep -q '{ a = \"gdp\"; b = \"energy_intensity\"; rho = -' '$tmp/minimal.cfg'"
    "$bin" fit "$tmp/syn.csv" --scenario "$base" --plans "$tmp/plans.csv" \
        --to 2019 --format json >"$tmp/syn19.json"
    check "--to leaves out plan outcomes reported after it" python3 -c "
import json; d = json.load(open('$tmp/syn19.json'))
g = [i for i in d['indicators'] if i['name'] == 'gdp'][0]
assert [x['plan'] for x in g['departures']] == ['p0', 'p1', 'p2', 'p8'], g['departures']"
fi
printf 'region,plan,indicator,period_from,period_to,figure,value,measure,source\nim,13th,gdp,2016,2020,goal,0.075,cagr,s\n' \
    >"$tmp/badplans.csv"
expect 2 "plans.csv:2: error: figure: " "bad plan table names file, line, column" -- \
    fit "$tmp/syn.csv" --scenario "$base" --plans "$tmp/badplans.csv"

expect 1 'fit needs a data file' "no data file" -- fit --scenario "$base"
expect 1 '\-\-scenario' "no scenario" -- fit "$im"
expect 1 '\-\-format' "unknown format" -- fit "$im" --scenario "$base" --format xml
expect 1 '\-\-from' "bad year" -- fit "$im" --scenario "$base" --from 20x5
expect 1 '\-\-from is after \-\-to' "from after to" -- \
    fit "$im" --scenario "$base" --from 2020 --to 2010
expect 1 'empty' "empty value" -- fit "$im" --scenario ""
expect 1 'one too many' "two data files" -- fit "$im" "$im" --scenario "$base"
expect 2 "'co2' is not a rate or share" "derived indicator refused" -- \
    fit "$im" --scenario "$base" --indicator co2
expect 2 "no rows for region 'mars'" "unknown region" -- \
    fit "$im" --scenario "$base" --region mars
expect 2 "choose one with --region" "several regions need --region" -- \
    fit "$data/provinces.csv" --scenario "$base"
printf 'region,indicator,year,value,measure,source\nim,gdp,2019,5.2%%,growth,s\n' \
    >"$tmp/bad.csv"
expect 2 "bad.csv:2: error: value: " "bad data names file, line, column" -- \
    fit "$tmp/bad.csv" --scenario "$base"
printf 'region,indicator,year,value,measure,source,vintage\n' >"$tmp/dup.csv"
for y in 2000 2001 2002 2003 2004 2005 2006 2007 2008 2009 2010; do
    echo "im,gdp,$y,0.0$((y % 7 + 1)),growth,s,first" >>"$tmp/dup.csv"
done
echo "im,gdp,2005,0.05,growth,s,revised" >>"$tmp/dup.csv"
echo "im,gdp,2005,0.06,growth,s,revised2" >>"$tmp/dup.csv"
expect 2 "two current figures for gdp 2005" "two revisions of a year refused" -- \
    fit "$tmp/dup.csv" --scenario "$base"
expect 3 "cannot open the data file" "missing data file" -- \
    fit "$tmp/none.csv" --scenario "$base"

[ "$fail" -eq 0 ] && echo "fit: all checks passed"
exit "$fail"
