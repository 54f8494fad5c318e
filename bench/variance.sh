#!/bin/sh
# Precision per second with --variance-reduction rqmc and antithetic,
# measured in simplan itself on every target of every shipped scenario
# (doc/model.md §7.6, §7.7).
#
# Each scenario runs with seeds 1..SEEDS (default 4), N = 262144 draws
# (16 randomisations of 16384), 1 thread, --param-sets 0, plainly, with
# rqmc and with antithetic pairs. Per target:
#   - the variance of plain Monte Carlo's P, p (1 - p) / N;
#   - RQMC's, the squared standard error its interval was made from,
#     ((hi - lo) / 2 / t)^2 with t = 2.1314 (Student's t, 15 degrees of
#     freedom, 97.5 %), pooled over the seeds (15 SEEDS degrees of
#     freedom: the gain is known to sqrt(2 / 60) = 18 % of itself for 4
#     seeds); the antithetic pairs', ((hi - lo) / 2 / 1.96)^2 from the
#     pairs' spread, likewise pooled (131 071 pairs a run: the variance
#     is known far better, the gain to a few per cent);
#   - gain = their ratio, the factor by which a method cuts the draws for a
#     given precision; draws for a 95 % half-width of 0.001, 1.96^2 times
#     the variance of one draw over 0.001^2, both ways;
#   - per scenario, the time per draw of both (the runs' elapsed_seconds
#     summed over the seeds) and the gain in precision per second (gain
#     times the time ratio), per target.
# Targets that a run meets in no draw or in every draw have no spread
# (their interval is then Wilson's, §7.6) and are listed as such.
# usage: bench/variance.sh [SIMPLAN]   (environment: SEEDS)
set -eu
cd "$(dirname "$0")/.."
bin=${1:-build/simplan}
seeds=${SEEDS:-4}
draws=262144
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for cfg in scenarios/*.cfg; do
  name=$(basename "$cfg" .cfg)
  for vr in none rqmc antithetic; do
    for s in $(seq 1 "$seeds"); do
      "$bin" run "$cfg" --draws $draws --seed "$s" --threads 1 --param-sets 0 \
        --variance-reduction $vr --format json -q > "$tmp/$name.$vr.$s.json"
    done
  done
done
echo "\$ SEEDS=$seeds bench/variance.sh $bin"
/usr/bin/python3 - "$tmp" "$seeds" $draws <<'PY'
import glob, json, math, os, statistics, sys
tmp, seeds, N = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
T15, Z = 2.131449545559323, 1.959963984540054
def load(name, vr):
    return [json.load(open(os.path.join(tmp, "%s.%s.%d.json" % (name, vr, s))))
            for s in range(1, seeds + 1)]
names = sorted({os.path.basename(p).split(".")[0] for p in glob.glob(tmp + "/*.json")})
print("| scenario | target | P | draws for +-0.001, plain | rqmc | gain | per second | antithetic | gain | per second |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
gains = {"rqmc": [], "antithetic": []}
pps = {"rqmc": [], "antithetic": []}
crit = {"rqmc": T15, "antithetic": Z}
for name in names:
    plain = load(name, "none")
    t_plain = sum(r["elapsed_seconds"] for r in plain)
    runs = {vr: load(name, vr) for vr in gains}
    cost = {vr: t_plain / sum(r["elapsed_seconds"] for r in runs[vr]) for vr in gains}
    for k, t in enumerate(plain[0]["targets"]):
        p = statistics.mean(r["targets"][k]["probability"] for r in plain)
        n_mc = Z * Z * p * (1 - p) / 1e-6
        cells = []
        for vr in ("rqmc", "antithetic"):
            rs = runs[vr]
            se2 = statistics.mean(((r["targets"][k]["ci95"][1] - r["targets"][k]["ci95"][0])
                                   / 2 / crit[vr]) ** 2 for r in rs)
            if p * (1 - p) == 0 or se2 == 0 or any(r["targets"][k]["probability"] in (0, 1) for r in rs):
                cells.append("- | - (no spread) | -")
                continue
            gain = p * (1 - p) / N / se2
            gains[vr].append(gain); pps[vr].append(gain * cost[vr])
            cells.append("%.0f | %.2f | %.2f" % (n_mc / gain, gain, gain * cost[vr]))
        print("| %s | %s | %.4f | %.0f | %s | %s |" % (name, t["id"], p, n_mc, cells[0], cells[1]))
    print("| %s | time per draw | | %.0f ns | %.0f ns | | | %.0f ns | | |"
          % (name, 1e9 * t_plain / seeds / N,
             1e9 * sum(r["elapsed_seconds"] for r in runs["rqmc"]) / seeds / N,
             1e9 * sum(r["elapsed_seconds"] for r in runs["antithetic"]) / seeds / N))
print()
for vr in ("rqmc", "antithetic"):
    g, q = sorted(gains[vr]), sorted(pps[vr])
    print("%s, %d targets: gain %.2f-%.2f (median %.2f), at least 1.5 on %d, below 1 on %d; "
          "precision per second %.2f-%.2f (median %.2f), at least 1.5 on %d"
          % (vr, len(g), g[0], g[-1], statistics.median(g), sum(x >= 1.5 for x in g),
             sum(x < 1 for x in g), q[0], q[-1], statistics.median(q), sum(x >= 1.5 for x in q)))
PY
