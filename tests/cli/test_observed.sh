#!/bin/sh
# Observed years (on-track runs), tests/data/observed/partial.cfg:
#  - drivers and scenario discovery use only the projected years of a
#    target's window: where one projected innovation alone decides a
#    target, its driver effect is exactly 1 and the PRIM box restricts
#    that input alone with density 1 (averaging in the observed years'
#    innovations, which cannot matter, gave 0.53 and a box of density
#    0.76); an input whose years are all observed (an event, the
#    innovations of a target in observed years) is not listed;
#  - observed years are visible: `check` lists each one with its value,
#    the JSON report and summary.json give every observed indicator an
#    `observed` array of {year, value, measure}, report.md has a table of
#    them, and a scenario without observed years has none of these;
#  - with gaps (gaps.cfg), each observed value is shown under its own year.
# usage: test_observed.sh SIMPLAN TESTDATA_DIR SCENARIOS_DIR
set -u
bin=$1; fix=$2/observed/partial.cfg; scen=$3
py=/usr/bin/python3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; failed=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
check() { # name, file, python expression over d (the JSON in the file)
  if "$py" -c "import json,sys; d=json.load(open('$2')); sys.exit(0 if ($3) else 1)" 2>/dev/null
  then ok "$1"; else bad "$1" "$(head -c 400 "$2")"; fi
}

"$bin" run "$fix" --format json -q > "$tmp/j"
T="{t['id']: t for t in d['targets']}"
check "a projected innovation that decides a target has effect 1" "$tmp/j" \
  "(lambda t: t['g_2023']['drivers'][0]['input']=='g innovations' and t['g_2023']['drivers'][0]['effect']==1.0 and t['g_2023']['drivers'][0]['p_low']==0.0)($T)"
check "its PRIM box restricts that input alone, with density 1" "$tmp/j" \
  "(lambda b: b['density']==1.0 and [r['input'] for r in b['missed_where']]==['g innovations'] and 'innovations 2023 ' in b['text'])($T['g_2023']['discovery'])"
check "an event acting only in observed years is no driver" "$tmp/j" \
  "all(x['input']!='event e_obs' for t in d['targets'] for x in t['drivers'])"
check "innovations of a window of observed years are no driver" "$tmp/j" \
  "all(x['input']!='g innovations' for x in $T['g_2022']['drivers']) and any(x['input']=='s innovations' for x in $T['s_2023']['drivers'])"
check "the JSON lists observed years with year, value and measure" "$tmp/j" \
  "d['indicators'][0]['observed']==[{'year':2021,'value':105.0,'measure':'level'},{'year':2022,'value':110.0,'measure':'level'}] and 'observed' not in d['indicators'][1]"

"$bin" check "$fix" > "$tmp/c" 2>&1
if grep -q '^ *observed 2021: 105$' "$tmp/c" && grep -q '^ *observed 2022: 110$' "$tmp/c" &&
   [ "$(grep -c 'observed 20' "$tmp/c")" -eq 2 ]; then
  ok "check lists every observed year with its value"
else
  bad "check lists every observed year with its value" "$(cat "$tmp/c")"
fi

"$bin" run "$fix" --draws 2048 -q --no-plots --out "$tmp/o" > /dev/null 2>&1
check "summary.json lists the observed years" "$tmp/o/summary.json" \
  "[o['year'] for o in d['indicators'][0]['observed']]==[2021,2022] and 'observed' not in d['indicators'][1]"
if grep -q '^## Observed years' "$tmp/o/report.md" &&
   grep -q '^| g | 2021 | 105 |$' "$tmp/o/report.md" &&
   grep -q '^| g | 2022 | 110 |$' "$tmp/o/report.md"; then
  ok "report.md has a table of the observed years"
else
  bad "report.md has a table of the observed years" "$(cat "$tmp/o/report.md" 2>&1 | head -40)"
fi

# Observed years with gaps (tests/data/observed/gaps.cfg): only the
# reported years are listed, each under its own year (a reader that
# assumed contiguous years printed "observed 2021: 0" for gdp).
gaps=$(dirname "$fix")/gaps.cfg
"$bin" check "$gaps" > "$tmp/gc" 2>&1
if [ "$(grep -c 'observed 20' "$tmp/gc")" -eq 4 ] &&
   grep -q 'observed 2022: 110$' "$tmp/gc" && grep -q 'observed 2024: 121$' "$tmp/gc" &&
   grep -q 'observed 2021: 0.51$' "$tmp/gc" && grep -q 'observed 2025: 0.56$' "$tmp/gc"; then
  ok "check lists observed years with gaps under their own years"
else
  bad "check lists observed years with gaps under their own years" "$(cat "$tmp/gc")"
fi
"$bin" run "$gaps" --draws 2048 -q --out "$tmp/g" > /dev/null 2>&1
check "summary.json lists only the reported years of a gappy list" "$tmp/g/summary.json" \
  "[[o['year'] for o in i.get('observed', [])] for i in d['indicators']][:3]==[[2022,2024],[2021,2025],[]]"
if grep -q '^| gdp | 2022 | 110 |$' "$tmp/g/report.md" &&
   grep -q '^| gdp | 2024 | 121 |$' "$tmp/g/report.md" &&
   [ "$(grep -c '^| gdp | 20[0-9][0-9] | ' "$tmp/g/report.md")" -eq 2 ]; then
  ok "report.md lists only the reported years of a gappy list"
else
  bad "report.md lists only the reported years of a gappy list" "$(grep '^| ' "$tmp/g/report.md" | head)"
fi
if "$bin" --version | grep -q 'plots on'; then
  if ls "$tmp/g" | grep -q '^fan.*gdp'; then ok "a gappy list is charted"
  else bad "a gappy list is charted" "$(ls "$tmp/g")"; fi
fi

"$bin" run "$scen/minimal.cfg" --draws 2048 -q --no-plots --out "$tmp/m" > /dev/null 2>&1
"$bin" check "$scen/minimal.cfg" > "$tmp/mc" 2>&1
if ! grep -q 'Observed' "$tmp/m/report.md" && ! grep -q 'observed' "$tmp/mc" &&
   ! grep -q '"observed"' "$tmp/m/summary.json"; then
  ok "a scenario without observed years shows none"
else
  bad "a scenario without observed years shows none" "report.md, check or summary.json mention them"
fi

echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
