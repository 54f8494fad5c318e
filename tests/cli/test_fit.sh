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
        test "$(grep -c '# fit: .* n=[0-9]* sd se=' "$tmp/fitted.cfg")" -ge 1
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
