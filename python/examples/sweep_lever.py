#!/usr/bin/python3
"""Sweep one lever of a scenario and plot every target's probability.

By default it varies the mean GDP growth of the first plan period
(indicators.gdp.path[0].mean in scenarios/baseline.cfg, 5 %/yr in the
plan) from 3 % to 7 %/yr and plots P(target met), with its 95 %
interval, against it for each target of the scenario:

    PYTHONPATH=python /usr/bin/python3 python/examples/sweep_lever.py \\
        --out sweep.png --draws 20000

Any number simplan can vary works as --lever, e.g.
indicators.energy_intensity.path[0].mean from -0.05 to -0.01.
"""

import argparse
import importlib.util
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
if importlib.util.find_spec("simplan") is None:
    sys.path.insert(0, os.path.join(ROOT, "python"))

import simplan  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("scenario", nargs="?",
                   default=os.path.join(ROOT, "scenarios", "baseline.cfg"),
                   help="scenario file (default: scenarios/baseline.cfg)")
    p.add_argument("--out", default="sweep.png",
                   help="PNG file to write (default: sweep.png)")
    p.add_argument("--draws", type=int, default=20000,
                   help="Monte Carlo draws at each value (default: 20000)")
    p.add_argument("--seed", type=int, default=None,
                   help="seed (default: the scenario's)")
    p.add_argument("--lever", default="indicators.gdp.path[0].mean",
                   help="field path of the number to vary "
                        "(default: indicators.gdp.path[0].mean)")
    p.add_argument("--from", dest="lo", type=float, default=0.03,
                   help="first value (default: 0.03)")
    p.add_argument("--to", dest="hi", type=float, default=0.07,
                   help="last value (default: 0.07)")
    p.add_argument("--steps", type=int, default=9,
                   help="values from --from to --to, both included "
                        "(default: 9)")
    return p.parse_args(argv)


def plot(df, scenario, lever, out):
    """One line per target: P(met) against the lever, with its interval."""
    fig, ax = plt.subplots(figsize=(8, 5), dpi=100)
    for target in scenario.targets:
        rows = df[df.target == target].sort_values("value")
        line, = ax.plot(rows.value, rows.probability, marker="o",
                        markersize=3, label=target)
        ax.fill_between(rows.value, rows.ci_low, rows.ci_high,
                        color=line.get_color(), alpha=0.15, linewidth=0)
    current = scenario.get(lever)
    ax.axvline(current, color="grey", linestyle=":", linewidth=1)
    ax.annotate(f"scenario: {current:g}", (current, 1.0),
                textcoords="offset points", xytext=(4, -12), fontsize=8,
                color="grey")
    ax.set_xlabel(lever)
    ax.set_ylabel("P(target met)")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(f"{scenario.name}: P(target met) against {lever}")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    fig.savefig(out, format="png")
    plt.close(fig)


def main(argv=None):
    args = parse_args(argv)
    try:
        scenario = simplan.Scenario.from_file(args.scenario)
        df = simplan.sweep(scenario,
                           {args.lever: (args.lo, args.hi, args.steps)},
                           draws=args.draws, seed=args.seed)
    except simplan.SimplanError as e:
        print(f"sweep_lever: {e}", file=sys.stderr)
        return e.exit_code
    plot(df, scenario, args.lever, args.out)
    print(f"{args.out}: P(target met) for {len(scenario.targets)} targets "
          f"at {args.steps} values of {args.lever}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
